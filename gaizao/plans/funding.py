"""Funding split (资金筹措): a pure function over plain data, no ORM, in Decimal.

Order of the shares (each taken only from what is still uncovered, so no
share can overshoot the cost):

1. 专营单位 — the utilities pay for their own networks (items whose catalogue
   entry lists "utility"), at `utility_share`;
2. 社会资本 — items open to social capital (charging, lockers, shops), at
   `social_capital_share`;
3. 产权单位 — where a property-rights unit exists, `property_unit_share` of
   what is left;
4. 中央补助 then 省市补助 — 元/m² of floor area per tier, together at most
   `subsidy_cap_share` of the tier's cost;
5. 专项维修资金 — `maintenance_fund_share` of the compound's fund balance;
6. 居民出资 — 元/m² × floor area + 元/户 × households, only for
   `resident_tiers`, at most `resident_cap_share` of those tiers' cost
   (谁受益谁出资);
7. 区级财政 — the remainder.

Every share is rounded to 0.01 元 before it is taken, so the remainder
absorbs every rounding difference and the lines always sum exactly to the
total (the district budget is the payer of last resort)."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext_noop

from gaizao.catalogue.costs import TIERS, q2

ZERO = Decimal("0.00")

# gettext_noop: the labels also go into the recorded basis texts (zh-Hans);
# pages translate them at display time (docs/i18n.md).
SOURCE_LABELS = {
    "central_subsidy": gettext_noop("中央补助"),
    "provincial_subsidy": gettext_noop("省市补助"),
    "district_budget": gettext_noop("区级财政"),
    "resident": gettext_noop("居民出资"),
    "maintenance_fund": gettext_noop("专项维修资金"),
    "property_unit": gettext_noop("产权单位"),
    "utility": gettext_noop("专营单位"),
    "social_capital": gettext_noop("社会资本"),
}
TIER_LABELS = {
    "basic": gettext_noop("基础类"),
    "safety": gettext_noop("安全类"),
    "improvement": gettext_noop("完善类"),
    "enhancement": gettext_noop("提升类"),
}


@dataclass
class FundingFacts:
    floor_area: Decimal = ZERO
    households: int = 0
    utility_by_tier: dict[str, Decimal] = field(default_factory=dict)
    social_by_tier: dict[str, Decimal] = field(default_factory=dict)
    maintenance_fund_balance: Decimal = ZERO
    has_property_unit: bool = False


@dataclass
class FundingRules:
    central_per_m2: dict[str, Decimal] = field(default_factory=dict)
    provincial_per_m2: dict[str, Decimal] = field(default_factory=dict)
    subsidy_cap_share: Decimal = Decimal("0.8")
    resident_per_m2: Decimal = ZERO
    resident_per_household: Decimal = ZERO
    resident_tiers: list[str] = field(default_factory=list)
    resident_cap_share: Decimal = Decimal("0.3")
    maintenance_fund_share: Decimal = ZERO
    property_unit_share: Decimal = ZERO
    utility_share: Decimal = Decimal("1")
    social_capital_share: Decimal = ZERO


@dataclass(frozen=True)
class FundingShare:
    source: str
    amount: Decimal
    basis: str


def fmt(d) -> str:
    """20000 → "20,000"; 12.5 → "12.50"."""
    d = Decimal(d)
    if d == d.to_integral_value():
        return f"{int(d):,}"
    return f"{q2(d):,}"


def _nonneg(d) -> Decimal:
    d = Decimal(d or 0)
    return d if d > 0 else Decimal(0)


def _share(d) -> Decimal:
    return min(_nonneg(d), Decimal(1))


def _take(remaining: dict[str, Decimal], tier: str, amount: Decimal) -> Decimal:
    amount = min(q2(amount), remaining.get(tier, ZERO))
    amount = max(amount, ZERO)
    remaining[tier] = remaining.get(tier, ZERO) - amount
    return amount


def _take_in_order(remaining: dict[str, Decimal], tiers: list[str], amount: Decimal) -> Decimal:
    amount = q2(amount)
    taken = ZERO
    for t in tiers:
        if amount - taken <= 0:
            break
        taken += _take(remaining, t, amount - taken)
    return taken


def split_funding(
    total_by_tier: dict[str, Decimal], facts: FundingFacts, rules: FundingRules
) -> list[FundingShare]:
    """The funding lines of a plan: (source, amount, basis text), summing
    exactly to sum(total_by_tier) rounded to 0.01. 区级财政 is always present."""
    totals = {t: q2(_nonneg(v)) for t, v in total_by_tier.items()}
    tiers = [t for t in TIERS if t in totals] + sorted(t for t in totals if t not in TIERS)
    total = sum(totals.values(), ZERO)
    remaining = dict(totals)
    area = _nonneg(facts.floor_area)
    hh = _nonneg(facts.households)
    out: list[FundingShare] = []

    def per_item(source, by_tier, share, what):
        share = _share(share)
        amt = ZERO
        for t in tiers:
            base = min(q2(_nonneg(by_tier.get(t, 0))), remaining[t])
            amt += _take(remaining, t, base * share)
        if amt > 0:
            out.append(
                FundingShare(source, amt, f"{what}造价 × {fmt(share * 100)}% = {fmt(amt)} 元")
            )

    per_item("utility", facts.utility_by_tier, rules.utility_share, "专营单位管线项目")
    per_item(
        "social_capital", facts.social_by_tier, rules.social_capital_share, "可引入社会资本的项目"
    )

    if facts.has_property_unit and _share(rules.property_unit_share) > 0:
        share = _share(rules.property_unit_share)
        amt = sum((_take(remaining, t, remaining[t] * share) for t in tiers), ZERO)
        if amt > 0:
            out.append(
                FundingShare(
                    "property_unit", amt, f"扣除上述后造价 × {fmt(share * 100)}% = {fmt(amt)} 元"
                )
            )

    # Subsidies: central first, then provincial, together within the cap.
    cap_share = _share(rules.subsidy_cap_share)
    cap_left = {t: q2(remaining[t] * cap_share) for t in tiers}
    for source, rates in (
        ("central_subsidy", rules.central_per_m2),
        ("provincial_subsidy", rules.provincial_per_m2),
    ):
        parts, amt = [], ZERO
        for t in tiers:
            rate = _nonneg(rates.get(t, 0))
            if not rate or not area:
                continue
            want = q2(rate * area)
            got = _take(remaining, t, min(want, cap_left[t]))
            cap_left[t] -= got
            if got > 0:
                amt += got
                note = "" if got == want else f"(受该类造价 {fmt(cap_share * 100)}% 上限或余额限制)"
                parts.append(
                    f"{TIER_LABELS.get(t, t)} {fmt(area)}㎡ × {fmt(rate)} 元/㎡ → {fmt(got)} 元{note}"
                )
        if amt > 0:
            out.append(FundingShare(source, amt, ";".join(parts)))

    fund = q2(_nonneg(facts.maintenance_fund_balance) * _share(rules.maintenance_fund_share))
    if fund > 0:
        amt = _take_in_order(remaining, tiers, fund)
        if amt > 0:
            out.append(
                FundingShare(
                    "maintenance_fund",
                    amt,
                    f"维修资金余额 {fmt(facts.maintenance_fund_balance)} 元 × "
                    f"{fmt(_share(rules.maintenance_fund_share) * 100)}%"
                    + ("" if amt == fund else f",按余额取 {fmt(amt)} 元"),
                )
            )

    r_tiers = [t for t in tiers if t in (rules.resident_tiers or [])]
    if r_tiers:
        per_m2 = _nonneg(rules.resident_per_m2)
        per_hh = _nonneg(rules.resident_per_household)
        want = q2(per_m2 * area + per_hh * hh)
        cap = q2(sum((totals[t] for t in r_tiers), ZERO) * _share(rules.resident_cap_share))
        amt = _take_in_order(remaining, r_tiers, min(want, cap))
        if amt > 0:
            parts = []
            if per_m2:
                parts.append(f"{fmt(area)}㎡ × {fmt(per_m2)} 元/㎡")
            if per_hh:
                parts.append(f"{fmt(hh)} 户 × {fmt(per_hh)} 元/户")
            labels = "、".join(TIER_LABELS.get(t, t) for t in r_tiers)
            note = (
                ""
                if amt == want
                else f",以{labels}造价的 {fmt(_share(rules.resident_cap_share) * 100)}% 或余额为限"
            )
            out.append(FundingShare("resident", amt, " + ".join(parts) + f"(用于{labels}){note}"))

    district = total - sum((s.amount for s in out), ZERO)
    out.append(
        FundingShare("district_budget", district, "总造价减去其他来源后的余额,由区级财政兜底")
    )
    return out
