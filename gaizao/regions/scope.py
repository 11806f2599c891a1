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


# Figures broken down by area go one level below the area shown, so a table
# has a handful of rows for a street office and for a national user alike
# (STYLE.md habit 18): provinces for the country, districts for a city,
# streets for a district, communities for a street. The path leads from a
# compound to that level's area.
BREAKDOWN = {
    Area.Level.COUNTRY: ("street__parent__parent__parent", Area.Level.PROVINCE),
    Area.Level.PROVINCE: ("street__parent__parent", Area.Level.CITY),
    Area.Level.CITY: ("street__parent", Area.Level.DISTRICT),
    Area.Level.DISTRICT: ("street", Area.Level.STREET),
    Area.Level.STREET: ("community", Area.Level.COMMUNITY),
}


def breakdown_of(area: Area | None) -> tuple[str | None, str | None]:
    """(path from a compound to the areas one level below `area`, their
    level); (None, None) below a street. Without an area (superusers,
    organisations): below the widest level with more than one area present."""
    if area is not None:
        return BREAKDOWN.get(area.level, (None, None))
    order = [lv.value for lv in Area.Level]
    for level in (Area.Level.PROVINCE, Area.Level.CITY, Area.Level.DISTRICT):
        if len(Area.objects.filter(level=level).values("pk")[:2]) > 1:
            return BREAKDOWN[Area.Level(order[order.index(level) - 1])]
    return BREAKDOWN[Area.Level.DISTRICT]


def contains(outer: Area | None, inner: Area) -> bool:
    """Whether `inner` lies inside `outer` (None or the country: everything)."""
    if outer is None or outer.level == Area.Level.COUNTRY:
        return True
    return inner.level != Area.Level.COUNTRY and inner.prefix.startswith(outer.prefix)
