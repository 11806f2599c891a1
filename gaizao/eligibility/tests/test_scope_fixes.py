"""Issue 8 item 7, the rules at their boundaries: exact thresholds, blank
and approximate facts give 待核实, single buildings under Panlong, and the
decisions people add (核实, the leadership office)."""

from dataclasses import replace
from datetime import date
from decimal import Decimal
from fractions import Fraction
from importlib import import_module

import pytest

from gaizao.eligibility import builtin, decisions, rules

from .test_rules import NATIONAL, PANLONG, good_facts, reason


@pytest.mark.parametrize(
    "yes,total,verdict",
    [(2, 3, "eligible"), (200, 300, "eligible"), (199, 300, "ineligible"), (201, 300, "eligible")],
)
def test_exactly_two_thirds_willing_passes(yes, total, verdict):
    v = rules.evaluate(good_facts(willingness=Fraction(yes, total)), PANLONG)
    assert v.verdict == verdict, v
    assert "2/3(66.67%)" in reason(v, "willingness").detail


@pytest.mark.parametrize(
    "text,value",
    [
        ("2/3", Fraction(2, 3)),
        (" 3 / 4 ", Fraction(3, 4)),
        ("50%", Fraction(1, 2)),
        ("66.67%", Fraction(6667, 10000)),
        ("0.5", Fraction(1, 2)),
        ("75", Fraction(3, 4)),
        ("1", Fraction(1, 1)),
    ],
)
def test_parse_fraction(text, value):
    assert rules.parse_fraction(text) == value


@pytest.mark.parametrize("text", ["", "abc", "0", "3/2", "1/0", "-1/3", "120%"])
def test_parse_fraction_refuses(text):
    with pytest.raises(ValueError):
        rules.parse_fraction(text)


def test_migration_turns_66_67_percent_into_two_thirds():
    m = import_module("gaizao.eligibility.migrations.0003_policy_willingness_exact_fraction")
    assert m.to_fraction(Decimal("66.67")) == "2/3"
    assert m.to_fraction(Decimal("66.66")) == "2/3"
    assert m.to_fraction(Decimal("75.00")) == "3/4"
    assert m.to_fraction(Decimal("60")) == "3/5"
    assert m.to_fraction(Decimal("66.50")) == "133/200"


def test_facilities_share_exactly_at_threshold_holds():
    basic = [c for c in good_facts().facility_ratings if c not in rules.POOR_RATINGS]
    codes = [c for c in basic if c not in ("waste_sorting", "illegal_structures", "cooking_fumes")][
        :10
    ]
    ratings = {c: ("broken" if i < 3 else "good") for i, c in enumerate(codes)}
    f = good_facts(facility_ratings=ratings)
    r = rules.check_facilities(f, replace(PANLONG, facilities_broken_pct=Decimal("30")))
    assert r.passed is True, r.detail  # 3 of 10 meets 30 % exactly


def test_blank_demolition_fact_is_review_like_other_exclusions():
    v = rules.evaluate(good_facts(demolition_planned=None), NATIONAL)
    assert v.verdict == "review"
    assert reason(v, "exclusion.demolition").passed is None
    assert "是否拟拆除新建或改扩翻建" in v.missing
    # 否 recorded: no plan.
    v = rules.evaluate(good_facts(demolition_planned=False), NATIONAL)
    assert v.verdict == "eligible"
    # A plan without a time: national (any plan) excludes; Panlong (within 3
    # years) can't tell.
    v = rules.evaluate(good_facts(demolition_planned=True), NATIONAL)
    assert v.verdict == "ineligible"
    v = rules.evaluate(good_facts(demolition_planned=True), PANLONG)
    assert v.verdict == "review" and "拟拆除新建的年限" in v.missing
    v = rules.evaluate(good_facts(demolition_planned=True, demolition_within_years=5), PANLONG)
    assert v.verdict == "eligible"  # five years away: not within Panlong's three


@pytest.mark.parametrize(
    "year,policy,verdict",
    [
        (2000, PANLONG, "review"),  # 1998–2002 straddles 2000-01-01
        (1999, PANLONG, "review"),  # 约1999: 1997–2001
        (1990, PANLONG, "eligible"),  # 1988–1992: all before
        (2004, PANLONG, "ineligible"),  # 2002–2006: all after
        (2000, NATIONAL, "eligible"),  # straddles 2000-12-31 but within the 2005 extension
        (2005, NATIONAL, "review"),  # 2003–2007 straddles the extension's end
    ],
)
def test_approximate_year_straddling_a_cutoff_is_review(year, policy, verdict):
    f = good_facts(built_year=year, built_date=None, built_year_approximate=True)
    v = rules.evaluate(f, policy)
    assert v.verdict == verdict, v
    if verdict == "review":
        assert "确切建成年份" in v.missing
        assert "约数" in reason(v, "built").detail
    # The same year taken as exact decides.
    exact = rules.evaluate(replace(f, built_year_approximate=False), policy)
    assert exact.verdict != "review" or year == 2005


def test_built_within_approximate_window():
    cut = date(2000, 1, 1)
    assert rules.built_within(None, 1997, cut, False, approximate=True) is True
    assert rules.built_within(None, 1998, cut, False, approximate=True) is None
    assert rules.built_within(None, 2001, cut, False, approximate=True) is None
    assert rules.built_within(None, 2002, cut, False, approximate=True) is False


def test_panlong_counts_single_buildings():
    assert builtin.PANLONG_2020["single_buildings_count"] is True
    v = rules.evaluate(good_facts(is_single_building=True), PANLONG)
    assert v.verdict == "eligible"
    assert reason(v, "single_building").passed is True


def test_verification_settles_review_only():
    ok = decisions.Decision("verify", "eligible", "已查明无拆除计划", "李四", "2026-11-30")
    review = rules.evaluate(good_facts(demolition_planned=None), NATIONAL)
    v = decisions.apply_decisions(review, ok, None)
    assert v.verdict == "eligible"
    assert v.reasons[-1].criterion == "verified"
    assert v.reasons[-1].detail == "核实为符合改造范围:已查明无拆除计划(李四,2026-11-30)"
    assert v.missing == [] and review.missing  # settled; the input is not changed
    assert review.verdict == "review"
    # Once the data decide, the rules win over an old verification.
    ineligible = rules.evaluate(good_facts(is_urban_village=True), NATIONAL)
    assert decisions.apply_decisions(ineligible, ok, None).verdict == "ineligible"


def test_override_decides_whatever_the_rules_say():
    ineligible = rules.evaluate(good_facts(is_urban_village=True), NATIONAL)
    d = decisions.Decision("override", "eligible", "领导小组会议决定纳入")
    v = decisions.apply_decisions(ineligible, None, d)
    assert v.verdict == "eligible"
    assert v.reasons[-1].criterion == "override" and v.reasons[-1].passed is True
    out = decisions.Decision("override", "ineligible", "列入棚改")
    assert decisions.apply_decisions(rules.evaluate(good_facts(), NATIONAL), None, out).verdict == (
        "ineligible"
    )
