"""The one Area subtree helper every scope check uses.

A jurisdiction is an `Area`; everything inside it is found by the code
prefix of the 12-digit statistics code (统计用区划代码): a street's prefix is
9 digits, a district's 6, so "inside the district" is `prefix__startswith`.
The country level has no prefix and contains everything. These three
functions are the only place that rule is written; `inventory.permissions`
builds the compound chokepoint on `compound_area_q`.
"""

from django.db.models import Q, QuerySet

from .models import Area


def areas_within(area: Area | None, qs: QuerySet | None = None) -> QuerySet:
    """Areas inside `area` (itself included); None or the country: all."""
    qs = Area.objects.all() if qs is None else qs
    if area is None or area.level == Area.Level.COUNTRY:
        return qs
    return qs.filter(prefix__startswith=area.prefix)


def compound_area_q(area: Area, path: str = "") -> Q:
    """Q over a model that reaches a compound by `path` (e.g. "compound__"),
    keeping the compounds located inside `area` (by street, or community)."""
    if area.level == Area.Level.COUNTRY:
        return Q()
    if area.level == Area.Level.COMMUNITY:
        return Q(**{f"{path}community_id": area.pk})
    return Q(**{f"{path}street__prefix__startswith": area.prefix})


def area_contains_compound(area: Area | None, compound) -> bool:
    """The same rule as `compound_area_q`, for one loaded compound."""
    if area is None:
        return False
    if area.level == Area.Level.COUNTRY:
        return True
    if area.level == Area.Level.COMMUNITY:
        return compound.community_id == area.pk
    return compound.street.prefix.startswith(area.prefix)


def ancestor_prefixes(area: Area | None) -> list[str]:
    """The prefixes of `area` and of every area above it (district, city, …):
    rules set per jurisdiction apply to everything below, the deepest wins."""
    if area is None:
        return []
    code = area.prefix
    return sorted({code[:n] for n in (2, 4, 6, 9, 12) if n <= len(code)})
