"""Pure rules: the funding split (no database)."""

import random
from decimal import Decimal

from gaizao.plans.funding import FundingFacts, FundingRules, split_funding

D = Decimal


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
