"""Pure rules: the cost estimate and drafting estimates (no database)."""

from decimal import Decimal

from gaizao.catalogue.costs import CostLine, item_cost, summarise
from gaizao.catalogue.drafting import CatalogEntry, CompoundFacts, draft, estimate, merge

D = Decimal


def test_costs_per_m2_and_household():
    lines = [
        CostLine("basic", D("400"), D("280")),
        CostLine("basic", D("4"), D("3500")),
        CostLine("improvement", D("2.5"), D("100.333")),
    ]
    s = summarise(lines, D("20000"), 200)
    assert s.by_tier == {"basic": D("126000.00"), "improvement": D("250.83")}
    assert s.total == D("126250.83")
    assert s.per_m2 == D("6.31")
    assert s.per_household == D("631.25")
    assert summarise(lines, None, 0).per_m2 is None
    assert item_cost(D("0.333"), D("0.015")) == D("0.00")


ENTRY = CatalogEntry(
    "water_supply_pipes",
    "小区供水管线管道改造",
    "m",
    "basic",
    "water_pipes",
    "floor_area",
    D("0.02"),
)
LAMP = CatalogEntry(
    "street_lamps", "增设或改造路灯", "个", "basic", "street_lamps", "lamp", D("30")
)
FACTS = CompoundFacts("天祥小区", D("20000"), 4, 200)


def test_estimate_explains_formula():
    q, text = estimate(ENTRY, FACTS)
    assert q == D("400")
    assert text == "按建筑面积 20,000㎡ × 0.02 m/㎡ 估算小区供水管线管道改造 400 m"
    q, text = estimate(LAMP, FACTS)
    assert q == D("10") and "估算道路长度 300 m" in text and "每 30 m 一盏" in text


def test_draft_broken_basic_becomes_item_good_does_not_worn_suggested():
    basic = {"water_pipes", "street_lamps"}
    items, sugg = draft(
        FACTS, {"water_pipes": "broken", "street_lamps": "good"}, [ENTRY, LAMP], basic
    )
    assert [i.code for i in items] == ["water_supply_pipes"] and not sugg
    items, sugg = draft(FACTS, {"water_pipes": "worn"}, [ENTRY, LAMP], basic)
    assert not items and [s.code for s in sugg] == ["water_supply_pipes"]


def test_merge_sums_members():
    a = draft(FACTS, {"water_pipes": "missing"}, [ENTRY], {"water_pipes"})[0]
    b = draft(
        CompoundFacts("云山小区", D("10000"), 2, 100),
        {"water_pipes": "broken"},
        [ENTRY],
        {"water_pipes"},
    )[0]
    (m,) = merge([("天祥小区", a), ("云山小区", b)])
    assert m.quantity == D("600") and "天祥小区" in m.estimate and "云山小区" in m.estimate
