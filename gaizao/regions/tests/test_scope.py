"""The one Area subtree helper (gaizao.regions.scope) at each level."""

from gaizao.inventory.models import Compound
from gaizao.regions.models import Area
from gaizao.regions.scope import (
    ancestor_prefixes,
    area_contains_compound,
    areas_within,
    compound_area_q,
)


def test_areas_within_each_level(areas):
    codes = lambda a: set(areas_within(a).values_list("code", flat=True))  # noqa: E731
    assert codes(areas["jinchen"]) == {"530103005000", "530103005006", "530103005007"}
    assert codes(areas["tianxiang"]) == {"530103005006"}
    assert codes(areas["district"]) >= {"530103006001", "530103005006"}
    country = Area.objects.create(code="000000000000", name="全国", level="country")
    assert codes(country) == set(Area.objects.values_list("code", flat=True))
    assert codes(None) == set(Area.objects.values_list("code", flat=True))


def test_compound_area_q_agrees_with_area_contains_compound(cast, areas):
    country = Area.objects.create(code="000000000000", name="全国", level="country")
    every = [*areas.values(), country]
    compounds = list(Compound.objects.select_related("street"))
    assert len(compounds) >= 2
    for area in every:
        in_q = set(Compound.objects.filter(compound_area_q(area)).values_list("pk", flat=True))
        in_py = {c.pk for c in compounds if area_contains_compound(area, c)}
        assert in_q == in_py, area.name
    a = cast["compound_a"]
    assert area_contains_compound(areas["jinchen"], a)
    assert not area_contains_compound(areas["qingyun"], a)
    assert not area_contains_compound(None, a)


def test_ancestor_prefixes(areas):
    assert ancestor_prefixes(areas["tianxiang"]) == [
        "53",
        "5301",
        "530103",
        "530103005",
        "530103005006",
    ]
    assert ancestor_prefixes(None) == []
