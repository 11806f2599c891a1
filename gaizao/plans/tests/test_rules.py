"""Pure rules: costs, funding split, drafting estimates (no database)."""

import random
from decimal import Decimal

from gaizao.plans.costs import CostLine, item_cost, summarise
from gaizao.plans.drafting import CatalogEntry, CompoundFacts, draft, estimate, merge
from gaizao.plans.funding import FundingFacts, FundingRules, split_funding

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


def test_funding_split_uses_rules_and_sums():
    rules = FundingRules(
        central_per_m2={"basic": D("5")},
        provincial_per_m2={"basic": D("2")},
        subsidy_cap_share=D("0.8"),
        resident_per_household=D("100"),
        resident_tiers=["improvement"],
        resident_cap_share=D("0.5"),
    )
    facts = FundingFacts(floor_area=D("20000"), households=200)
    shares = split_funding({"basic": D("200000"), "improvement": D("30000")}, facts, rules)
    got = {s.source: s.amount for s in shares}
    assert got["central_subsidy"] == D("100000.00")
    assert got["provincial_subsidy"] == D("40000.00")
    assert got["resident"] == D("15000.00")  # 20,000 wanted, capped at 50% of 30,000
    assert got["district_budget"] == D("75000.00")
    assert sum(got.values()) == D("230000.00")
    assert "20,000㎡ × 5 元/㎡" in next(s.basis for s in shares if s.source == "central_subsidy")


def test_funding_always_sums_exactly_property():
    rng = random.Random(278)
    for _ in range(3000):
        tiers = {
            t: D(rng.randrange(0, 10**9)) / D(10 ** rng.randrange(0, 4))
            for t in rng.sample(
                ["basic", "improvement", "enhancement", "safety"], rng.randint(1, 4)
            )
        }

        def r():
            return D(rng.randrange(0, 100000)) / D(rng.choice([1, 7, 100, 3]))

        def share():
            return D(rng.randrange(0, 1300)) / D(1000)

        rules = FundingRules(
            central_per_m2={t: r() for t in tiers},
            provincial_per_m2={t: r() for t in tiers},
            subsidy_cap_share=share(),
            resident_per_m2=r(),
            resident_per_household=r(),
            resident_tiers=rng.sample(list(tiers), rng.randint(0, len(tiers))),
            resident_cap_share=share(),
            maintenance_fund_share=share(),
            property_unit_share=share(),
            utility_share=share(),
            social_capital_share=share(),
        )
        facts = FundingFacts(
            floor_area=r(),
            households=rng.randrange(0, 3000),
            utility_by_tier={t: v * share() for t, v in tiers.items()},
            social_by_tier={t: v * share() for t, v in tiers.items()},
            maintenance_fund_balance=r() * 100,
            has_property_unit=rng.random() < 0.5,
        )
        shares = split_funding(tiers, facts, rules)
        total = sum((v.quantize(D("0.01"), rounding="ROUND_HALF_UP") for v in tiers.values()), D(0))
        assert sum(s.amount for s in shares) == total
        assert all(s.amount >= 0 and s.amount == s.amount.quantize(D("0.01")) for s in shares)
        assert [s.source for s in shares].count("district_budget") == 1


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
