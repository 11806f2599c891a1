"""Scopes made of whole streets (issue 14): the kept per-street rows
(`StreetTally`, `StreetFunding`, `EntryTally`, each with a `street` foreign
key) that cover the compounds inside an area or those a user may see. A
scope that is not a union of whole streets (a community, an organisation, a
resident) has none: the caller counts its compounds itself."""

from gaizao.accounts.models import AREA_ROLES
from gaizao.regions.models import Area


def within(area: Area | None, model):
    """`model`'s rows of the streets inside `area` (None or the country:
    all), or None for a community (not a union of whole streets)."""
    if area is None or area.level == Area.Level.COUNTRY:
        return model.objects.all()
    if area.level == Area.Level.COMMUNITY:
        return None
    return model.objects.filter(street__prefix__startswith=area.prefix)


def for_user(user, area: Area | None, model):
    """`model`'s rows of the compounds `user` may see (within `area`, an
    area inside the user's, when given), or None when that scope is not a
    union of whole streets (organisations, residents, a community)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if not user.is_superuser:
        own = user.area if user.role in AREA_ROLES else None
        if own is None:
            return None
        area = area or own
    return within(area, model)


def lock(streets) -> list[int]:
    """Lock the street `Area` rows `streets` selects, in id order, and return
    their ids: every refresh of kept per-street rows takes its streets this
    way first, so two refreshes of one street run one after the other and
    neither inserts beside the other's rows (PostgreSQL; SQLite serialises
    every writer anyway). Inside a transaction."""
    return list(streets.select_for_update().order_by("pk").values_list("pk", flat=True))
