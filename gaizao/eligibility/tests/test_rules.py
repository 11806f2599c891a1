"""The scope rules as pure functions: every seed rule and every edge."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from gaizao.eligibility import builtin, rules
from gaizao.eligibility.extension import CapItem, apply_extension_cap
from gaizao.eligibility.rules import CompoundFacts, PolicyRules
from gaizao.inventory.facilities import FACILITIES

BASIC = [f.code for f in FACILITIES if f.group == "basic"]


def policy(spec: dict) -> PolicyRules:
    keep = {k: v for k, v in spec.items() if k in PolicyRules.__dataclass_fields__}
    for k in (
        "criteria",
        "neglect_statuses",
        "environment_facilities",
        "poor_management_statuses",
        "exclusions",
    ):
        keep[k] = tuple(keep[k])
    return PolicyRules(**keep)


PANLONG = policy(builtin.PANLONG_2020)
NATIONAL = policy(builtin.NATIONAL_2020)


def ratings(broken: int = 6, env: str = "broken") -> dict:
    r = {code: ("broken" if i < broken else "good") for i, code in enumerate(BASIC)}
    r.update({"waste_sorting": env, "illegal_structures": "good", "cooking_fumes": "good"})
    return r


def good_facts(**kw) -> CompoundFacts:
    """A compound that meets every Panlong criterion."""
    base = CompoundFacts(
        name="测试小区",
        built_date=date(1995, 6, 1),
        built_year=1995,
        in_main_urban_area=True,
        management_status="none",
        latest_score=Decimal("42.0"),
        surveyed=True,
        facility_ratings=ratings(),
        in_shantytown_plan=False,
        demolition_planned=False,
        demolition_within_years=None,
        self_built_area=Decimal(0),
        floor_area=Decimal(20000),
        is_urban_village=False,
        is_single_building=False,
        households=200,
        willingness=Decimal("0.8"),
    )
    return replace(base, **kw)


def reason(v, criterion):
    return next(r for r in v.reasons if r.criterion == criterion)


def test_panlong_all_criteria_met_is_eligible_with_evidence():
    v = rules.evaluate(good_facts(), PANLONG)
    assert v.verdict == "eligible", v
    assert v.missing == []
    assert reason(v, "built").detail == "建成于1995-06-01,早于2000-01-01"
    assert "最近一次摸底评分 42.0 低于 60.0" in reason(v, "need.neglect").detail
    assert reason(v, "main_urban").passed is True
    assert reason(v, "willingness").passed is True
    # Every exclusion is listed and does not apply.
    for code in builtin.ALL_EXCLUSIONS:
        assert reason(v, f"exclusion.{code}").passed is True


@pytest.mark.parametrize(
    "built, expected",
    [(date(1999, 12, 31), True), (date(2000, 1, 1), False), (date(1980, 1, 1), True)],
)
def test_panlong_cutoff_by_date(built, expected):
    v = rules.evaluate(good_facts(built_date=built, built_year=built.year), PANLONG)
    assert reason(v, "built").passed is expected
    assert v.verdict == ("eligible" if expected else "ineligible")


def test_only_year_1999_passes_2000_fails_panlong_but_passes_national():
    v = rules.evaluate(good_facts(built_date=None, built_year=1999), PANLONG)
    assert reason(v, "built").passed is True
    assert "1999年(仅知年份)" in reason(v, "built").detail
    v = rules.evaluate(good_facts(built_date=None, built_year=2000), PANLONG)
    assert reason(v, "built").passed is False
    assert reason(v, "built").detail == "建成于2000年(仅知年份),不早于2000-01-01"
    assert v.verdict == "ineligible"
    v = rules.evaluate(good_facts(built_date=None, built_year=2000), NATIONAL)
    assert reason(v, "built").passed is True
    assert "不晚于2000-12-31" in reason(v, "built").detail
    assert v.extension is False


def test_year_straddling_cutoff_needs_the_date():
    p = replace(PANLONG, built_cutoff=date(2000, 7, 1))
    v = rules.evaluate(good_facts(built_date=None, built_year=2000), p)
    assert reason(v, "built").passed is None
    assert v.verdict == "review"
    assert "建成日期" in v.missing


def test_missing_built_year_is_review_with_field_named():
    v = rules.evaluate(good_facts(built_date=None, built_year=None), PANLONG)
    assert v.verdict == "review"
    assert reason(v, "built").detail == "缺少建成年份"
    assert v.missing == ["建成年份"]


def test_missing_data_but_excluded_is_ineligible():
    v = rules.evaluate(good_facts(built_date=None, built_year=None, is_urban_village=True), PANLONG)
    assert v.verdict == "ineligible"


def test_urban_village_with_everything_else_met_is_ineligible():
    v = rules.evaluate(good_facts(is_urban_village=True), PANLONG)
    assert v.verdict == "ineligible"
    r = reason(v, "exclusion.urban_village")
    assert r.passed is False and r.detail == "属于城中村"


def test_shantytown_plan_excludes():
    v = rules.evaluate(good_facts(in_shantytown_plan=True), PANLONG)
    assert v.verdict == "ineligible"
    assert reason(v, "exclusion.shantytown").detail == "已纳入棚改计划"


@pytest.mark.parametrize(
    "years, verdict", [(1, "ineligible"), (3, "ineligible"), (4, "eligible"), (None, "eligible")]
)
def test_demolition_within_three_years_excludes(years, verdict):
    v = rules.evaluate(good_facts(demolition_within_years=years), PANLONG)
    assert v.verdict == verdict
    assert reason(v, "exclusion.demolition").passed is (verdict == "eligible")


def test_national_excludes_any_demolition_plan():
    v = rules.evaluate(good_facts(demolition_within_years=8), NATIONAL)
    assert v.verdict == "ineligible"


def test_self_built_majority_excludes():
    v = rules.evaluate(good_facts(self_built_area=Decimal(12000)), PANLONG)
    assert v.verdict == "ineligible"
    assert "60%" in reason(v, "exclusion.self_built").detail
    v = rules.evaluate(good_facts(self_built_area=Decimal(2000)), PANLONG)
    assert v.verdict == "eligible"


def test_main_urban_required_by_panlong_not_national():
    v = rules.evaluate(good_facts(in_main_urban_area=False), PANLONG)
    assert v.verdict == "ineligible"
    assert reason(v, "main_urban").detail == "不在主城区范围内"
    v = rules.evaluate(good_facts(in_main_urban_area=False), NATIONAL)
    assert v.verdict == "eligible"
    assert not any(r.criterion == "main_urban" for r in v.reasons)
    v = rules.evaluate(good_facts(in_main_urban_area=None), PANLONG)
    assert v.verdict == "review" and "是否位于主城区" in v.missing


def test_single_buildings():
    v = rules.evaluate(good_facts(is_single_building=True), NATIONAL)
    assert v.verdict == "eligible"
    assert reason(v, "single_building").passed is True
    # Panlong counts them too: the seed never excludes them and 23号 says
    # 住宅小区(含单栋住宅楼) (issue 8).
    v = rules.evaluate(good_facts(is_single_building=True), PANLONG)
    assert v.verdict == "eligible"
    v = rules.evaluate(
        good_facts(is_single_building=True), replace(PANLONG, single_buildings_count=False)
    )
    assert v.verdict == "ineligible"


def test_conditions_at_least_two_of_four_for_panlong():
    # Well managed, good score, facilities fine, environment fine → no need.
    f = good_facts(
        management_status="property_company",
        latest_score=Decimal("85"),
        facility_ratings=ratings(broken=1, env="good"),
    )
    v = rules.evaluate(f, PANLONG)
    assert reason(v, "need").passed is False
    assert v.verdict == "ineligible"
    assert reason(v, "need.neglect").detail.startswith("最近一次摸底评分 85.0,不低于 60.0")
    # Facilities broken (6 of 11 ≥ 30%) and environment poor → two → eligible.
    f = good_facts(management_status="property_company", latest_score=Decimal("70"))
    v = rules.evaluate(f, PANLONG)
    assert reason(v, "need.facilities").passed is True
    assert "11 项中 6 项损坏或缺失(54.5%)" in reason(v, "need.facilities").detail
    assert reason(v, "need.environment").passed is True
    assert reason(v, "need").passed is True
    assert v.verdict == "eligible"


def test_facilities_threshold_edge():
    # 3 of 10 rated = 30% exactly → meets "≥ 30%".
    r = ratings(broken=3)
    r[BASIC[-1]] = "na"
    v = rules.evaluate(good_facts(facility_ratings=r), PANLONG)
    assert reason(v, "need.facilities").passed is True
    r = ratings(broken=2)
    v = rules.evaluate(good_facts(facility_ratings=r), PANLONG)
    assert reason(v, "need.facilities").passed is False


def test_no_survey_but_management_none_still_decides_neglect_and_management():
    f = good_facts(latest_score=None, surveyed=False, facility_ratings={})
    v = rules.evaluate(f, PANLONG)
    assert reason(v, "need.neglect").passed is True
    assert reason(v, "need.facilities").passed is None
    assert reason(v, "need.facilities").detail == "缺少摸底调查(基础设施状况)"
    assert reason(v, "need").passed is True  # neglect + management = 2
    assert v.verdict == "eligible"


def test_no_survey_and_managed_is_review():
    f = good_facts(
        latest_score=None, surveyed=False, facility_ratings={}, management_status="property_company"
    )
    v = rules.evaluate(f, PANLONG)
    assert reason(v, "need").passed is None
    assert v.verdict == "review"
    assert "摸底调查" in v.missing


def test_willingness_required_by_panlong():
    v = rules.evaluate(good_facts(willingness=None), PANLONG)
    assert v.verdict == "review"
    assert reason(v, "willingness").detail.startswith("尚未开展意愿征询")
    assert v.missing == ["意愿征询"]
    v = rules.evaluate(good_facts(willingness=Decimal("0.5")), PANLONG)
    assert v.verdict == "ineligible"
    assert reason(v, "willingness").detail == "同意改造的户数占 50%,低于 2/3(66.67%)"


def test_willingness_if_surveyed_for_national():
    v = rules.evaluate(good_facts(willingness=None), NATIONAL)
    assert v.verdict == "eligible"
    assert reason(v, "willingness").passed is None
    v = rules.evaluate(good_facts(willingness=Decimal("0.3")), NATIONAL)
    assert v.verdict == "ineligible"


def test_extension_window_national():
    v = rules.evaluate(good_facts(built_date=date(2003, 5, 1), built_year=2003), NATIONAL)
    assert v.verdict == "eligible" and v.extension is True
    assert "扩展范围" in reason(v, "built").detail
    v = rules.evaluate(good_facts(built_date=date(2006, 1, 1), built_year=2006), NATIONAL)
    assert v.verdict == "ineligible"
    v = rules.evaluate(good_facts(built_date=None, built_year=2005), NATIONAL)
    assert v.verdict == "eligible" and v.extension is True
    # Panlong has no extension window.
    v = rules.evaluate(good_facts(built_date=date(2003, 5, 1), built_year=2003), PANLONG)
    assert v.verdict == "ineligible" and v.extension is False


def test_extension_cap_admits_oldest_first():
    def item(key, year, households, ext=True):
        v = rules.Verdict("eligible", [], [], extension=ext)
        return CapItem(key, v, households, (year,))

    base = item("old", 1990, 800, ext=False)
    e1 = item("e2001", 2001, 100)
    e2 = item("e2002", 2002, 150)
    e3 = item("e2004", 2004, 50)
    apply_extension_cap([base, e1, e2, e3], Decimal("20"))
    # 100/(800+100)=11% ok; +150 → 250/1050=23.8% > 20% → review; +50 → 150/950=15.8% ok
    assert e1.verdict.verdict == "eligible"
    assert e2.verdict.verdict == "review"
    assert e3.verdict.verdict == "eligible"
    assert base.verdict.verdict == "eligible"
    assert any(r.criterion == "extension_cap" and r.passed is False for r in e2.verdict.reasons)


def test_extension_cap_unknown_households_is_review():
    v = rules.Verdict("eligible", [], [], extension=True)
    item = CapItem(1, v, None, (2003,))
    apply_extension_cap([item], Decimal("20"))
    assert v.verdict == "review" and "户数" in v.missing


def test_verdict_round_trips_through_dict():
    v = rules.evaluate(good_facts(is_urban_village=True), PANLONG)
    again = rules.Verdict.from_dict(v.as_dict())
    assert again == v


def test_open_willingness_survey_below_threshold_is_review_not_ineligible():
    v = rules.evaluate(good_facts(willingness=Decimal("0.4"), willingness_open=True), PANLONG)
    assert v.verdict == "review"
    assert reason(v, "willingness").detail.startswith("意愿征询进行中,目前同意改造的户数占 40%")
    assert v.missing == ["意愿征询结果(征询进行中)"]
    v = rules.evaluate(good_facts(willingness=Decimal("0.7"), willingness_open=True), PANLONG)
    assert v.verdict == "eligible"
