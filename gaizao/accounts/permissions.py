"""Role capabilities: one table per app (`RULES` in each app's
permissions.py), checked with `can()`.

Which compounds a user may see is decided in one place above this layer,
`gaizao.inventory.permissions.compound_q`, built on the Area subtree helper
`gaizao.regions.scope.compound_area_q`.
"""

from django.db.models import Q

NOTHING = Q(pk__in=[])


def can(user, rules: dict[str, set], action: str) -> bool:
    """Role × action table lookup; superusers may do everything."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    return user.role in rules.get(action, set())
