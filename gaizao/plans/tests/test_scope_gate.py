"""A plan is approved only for a compound within the renovation scope
(国办发〔2020〕23号; the Panlong seed): eligible under its default policy, or
with a recorded decision of the leadership office (issue 8, deliver 4)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gaizao.consultation import services as cs
from gaizao.consultation.models import Vote, VoteRules
from gaizao.core.errors import DomainError
from gaizao.eligibility import services as eligibility
from gaizao.inventory.models import Compound
from gaizao.plans import services
from gaizao.plans.models import PlanStatus

from .conftest import arrange


@pytest.fixture(autouse=True)
def _rules(areas):
    VoteRules.objects.create(area=areas["district"], notice_days_before=0, min_voting_days=1)


def _approvable(plan, users, surveyed):
    """Everything but the scope in place: management, consulted, a passed
    vote on this version with its notice period over."""
    staff = users["community_tianxiang"]
    # Every exclusion fact recorded as "no": within the national scope.
    Compound.objects.filter(pk=plan.compound_id).update(
        in_shantytown_plan=False,
        demolition_planned=False,
        self_built_area=Decimal("0"),
        is_urban_village=False,
    )
    arrange(plan.compound)
    services.plan_mark_consulted(actor=users["bureau"], plan=plan)
    now = timezone.now()
    v = services.plan_vote_start(
        actor=staff, plan=plan, opens_at=now - timedelta(hours=1), closes_at=now + timedelta(days=2)
    )
    cs.vote_open(actor=staff, vote=v)
    for u in surveyed["compound_a"].buildings.first().units.all():
        sheet = SimpleUploadedFile("s.jpg", b"\xff\xd8\xff\xe0x", content_type="image/jpeg")
        cs.ballot_cast(
            actor=staff, vote=v, unit=u, choice="agree", channel="paper", sheet_photo=sheet
        )
    Vote.objects.filter(pk=v.pk).update(closes_at=now - timedelta(minutes=1))
    cs.vote_close(actor=staff, vote=v)
    cs.vote_publish(actor=staff, vote=v)
    Vote.objects.filter(pk=v.pk).update(notice_ends_at=now - timedelta(minutes=1))
    plan.refresh_from_db()


def test_ineligible_compound_needs_the_leadership_offices_decision(plan_a, users, surveyed):
    _approvable(plan_a, users, surveyed)
    assert services.approval_blockers(plan_a) == []  # eligible: nothing in the way
    # The compound turns out to be an urban village: 不符合.
    Compound.objects.filter(pk=plan_a.compound_id).update(is_urban_village=True)
    blockers = services.approval_blockers(plan_a)
    assert len(blockers) == 1 and "改造范围结论为“不符合”" in blockers[0], blockers
    with pytest.raises(DomainError, match="领导小组办公室"):
        services.plan_approve(actor=users["district"], plan=plan_a)
    plan_a.refresh_from_db()
    assert plan_a.status == PlanStatus.CONSULTED
    # Only the leadership office may decide, and only with a reason.
    compound = Compound.objects.get(pk=plan_a.compound_id)
    with pytest.raises(PermissionDenied):
        eligibility.determination_record(
            actor=users["bureau"],
            compound=compound,
            kind="override",
            outcome="eligible",
            reason="城中村已完成改造,按老旧小区管理",
        )
    with pytest.raises(DomainError, match="理由"):
        eligibility.determination_record(
            actor=users["district"],
            compound=compound,
            kind="override",
            outcome="eligible",
            reason="",
        )
    assert services.approval_blockers(plan_a)
    eligibility.determination_record(
        actor=users["district"],
        compound=compound,
        kind="override",
        outcome="eligible",
        reason="该片区城中村已于2018年完成改造,现按老旧小区管理(区领导小组会议纪要第12号)",
    )
    assert services.approval_blockers(plan_a) == []
    services.plan_approve(actor=users["district"], plan=plan_a)
    plan_a.refresh_from_db()
    assert plan_a.status == PlanStatus.APPROVED


def test_review_compound_blocks_until_verified(plan_a, users, surveyed):
    _approvable(plan_a, users, surveyed)
    Compound.objects.filter(pk=plan_a.compound_id).update(demolition_planned=None)
    blockers = services.approval_blockers(plan_a)
    assert any("改造范围结论为“待核实”" in b for b in blockers), blockers
    png = SimpleUploadedFile("x.png", b"\x89PNG\r\n\x1a\n0000", content_type="image/png")
    eligibility.determination_record(
        actor=users["street_jinchen"],
        compound=Compound.objects.get(pk=plan_a.compound_id),
        kind="verify",
        outcome="eligible",
        reason="经查区住建局项目库,近三年无拆除新建计划",
        evidence=png,
    )
    assert services.approval_blockers(plan_a) == []
