"""Evaluation storing verdicts, default policies, willingness, query counts."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from gaizao.core.errors import DomainError
from gaizao.eligibility import selectors, services
from gaizao.eligibility.models import Policy, Verdict
from gaizao.regions.models import Area
from gaizao.testing import make_building, make_compound, make_unit

from .conftest import complete, good_compound, survey


def test_builtin_policies_are_idempotent(policies):
    assert services.ensure_builtin_policies() == []
    assert Policy.objects.filter(code__in=["panlong-2020", "national-2020"]).count() == 2
    assert policies["panlong"].area.code == "530103000000" and policies["panlong"].is_default
    assert policies["national"].area is None and policies["national"].is_default


def test_default_policy_walks_up_the_area_tree(policies, areas, cast):
    assert selectors.default_policy_for(cast["compound_a"]) == policies["panlong"]
    # A compound in another district falls back to the national policy.
    other = Area.objects.create(
        code="530102000000", name="五华区", level="district", parent=areas["city"]
    )
    street = Area.objects.create(code="530102001000", name="华山街道", level="street", parent=other)
    c = make_compound(street, "华山小区")
    assert selectors.default_policy_for(c) == policies["national"]
    # A street with its own default wins over the district's.
    own = services.policy_create(
        actor=None,
        data={
            "name": "金辰街道试点",
            "area": areas["jinchen"],
            "is_default": True,
            "built_cutoff": date(2005, 1, 1),
            "criteria": [],
            "exclusions": [],
        },
    )
    assert selectors.default_policy_for(cast["compound_a"]) == own
    assert selectors.default_policy_for(cast["compound_b"]) == policies["panlong"]


def test_evaluate_area_stores_reserve_with_default_flag(policies, areas, cast, monkeypatch):
    monkeypatch.setattr(
        selectors, "willingness_shares", lambda ids: dict.fromkeys(ids, Decimal("0.9"))
    )
    good = good_compound(areas["jinchen"], "老旧一号院", community=areas["tianxiang"])
    village = good_compound(areas["jinchen"], "城中村院", is_urban_village=True)
    result = services.evaluate_area(actor=None, area=areas["district"])
    assert result.total == 4
    v = Verdict.objects.get(compound=good, policy=policies["panlong"])
    assert v.verdict == "eligible" and v.by_default
    assert Verdict.objects.get(compound=village).verdict == "ineligible"
    # compound_a: managed by a property company, no survey → can't tell the need.
    assert Verdict.objects.get(compound=cast["compound_a"]).verdict == "review"
    # Re-evaluating under another policy keeps the reserve (default) verdict.
    services.evaluate_area(actor=None, area=areas["district"], policy=policies["national"])
    assert Verdict.objects.filter(compound=good).count() == 2
    assert Verdict.objects.get(compound=good, by_default=True).policy == policies["panlong"]
    assert result.counts["eligible"] == 1


def test_evaluate_area_query_count_is_constant(policies, areas, django_assert_max_num_queries):
    for i in range(30):
        c = good_compound(areas["qingyun"], f"批量小区{i}", community=areas["yunshan"])
        if i % 3:
            survey(c, on=date(2025, 1, 1))  # an older survey as well
    # 16 for the evaluation, 5 for re-deriving the kept summary of the chunk
    # (savepoint, read, delete, insert, release: disclosure.facts.refresh),
    # ≤ 10 for the tallies, kept money and kept entry totals of its streets
    # (disclosure.tally, disclosure.entrytally).
    with django_assert_max_num_queries(31):
        services.evaluate_area(actor=None, area=areas["district"])
    assert Verdict.objects.count() == 30


def test_latest_survey_is_used(policies, areas):
    c = good_compound(areas["qingyun"], "两次调查")
    survey(c, broken_basic=0, env="good", on=date(2026, 8, 1))
    c.management_status = "property_company"
    c.save()
    facts = selectors.facts_for(type(c).objects.filter(pk=c.pk))[c.pk]
    assert facts.latest_score == Decimal("100.0")


def test_street_office_may_evaluate_only_its_street(policies, areas, users):
    with pytest.raises(PermissionDenied):
        services.evaluate_area(actor=users["street_jinchen"], area=areas["qingyun"])
    with pytest.raises(PermissionDenied):
        services.evaluate_area(actor=users["community_tianxiang"], area=areas["tianxiang"])
    r = services.evaluate_area(actor=users["street_jinchen"], area=areas["jinchen"])
    assert r.total == 1


def test_policy_versions_and_single_default(policies, areas, users):
    data = {
        "name": "盘龙区老旧小区改造范围(2020)",
        "area": areas["district"],
        "is_default": True,
        "built_cutoff": date(2001, 1, 1),
        "criteria": ["neglect"],
        "conditions_min": 1,
        "exclusions": ["urban_village"],
    }
    p = services.policy_create(actor=users["bureau"], data=data)
    assert p.version == 2 and p.is_default
    policies["panlong"].refresh_from_db()
    assert not policies["panlong"].is_default
    with pytest.raises(DomainError, match="至少满足几项"):
        services.policy_create(actor=users["bureau"], data=data | {"conditions_min": 3})
    with pytest.raises(DomainError, match="扩展范围截止日期必须晚于"):
        services.policy_create(
            actor=users["bureau"], data=data | {"extension_cutoff": date(1999, 1, 1)}
        )
    with pytest.raises(PermissionDenied):
        services.policy_create(actor=users["street_jinchen"], data=data)
    assert Policy.objects.filter(area=areas["district"]).count() == 2


def _willingness_survey(compound, yes: int, no: int):
    from gaizao.consultation.models import Consultation, ConsultationResponse

    b = make_building(compound, "9栋")
    units = [make_unit(b, f"{i + 1:03d}", "60") for i in range(yes + no)]
    now = timezone.now()
    c = Consultation.objects.create(
        compound=compound,
        title="意愿征询",
        opens_at=now - timedelta(days=3),
        closes_at=now + timedelta(days=3),
    )
    ConsultationResponse.objects.bulk_create(
        ConsultationResponse(consultation=c, unit=u, willingness="yes" if i < yes else "no")
        for i, u in enumerate(units)
    )


def test_willingness_from_consultation(policies, areas):
    pytest.importorskip("gaizao.consultation.selectors")
    c = good_compound(areas["qingyun"], "征询过的小区")
    quiet = good_compound(areas["qingyun"], "未征询的小区")
    _willingness_survey(c, yes=8, no=2)
    shares = selectors.willingness_shares([c.pk, quiet.pk])
    assert shares[c.pk] == Decimal("0.8") and shares[quiet.pk] is None
    services.evaluate_area(actor=None, area=areas["qingyun"])
    assert Verdict.objects.get(compound=c).verdict == "eligible"
    v = Verdict.objects.get(compound=quiet)
    assert v.verdict == "review" and v.missing == ["意愿征询"]


def test_complete_helper_sets_facts(areas):
    c = complete(make_compound(areas["qingyun"], "x"), is_urban_village=True)
    c.refresh_from_db()
    assert c.is_urban_village is True
