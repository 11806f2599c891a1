"""Approval bound to the owners' decision (issue 8, deliver 4): the vote on
this plan version, its notice period over with no objection pending, the
drafter not approving, an overturned vote withdrawing the approval, the
maintenance fund needing its item-5 decision."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gaizao.consultation import services as cs
from gaizao.consultation.models import Objection, Vote, VoteRules
from gaizao.core.errors import DomainError
from gaizao.core.models import Notice
from gaizao.plans import services
from gaizao.plans.models import FundingLine, FundingSource, Plan, PlanStatus

from .conftest import arrange


def photo():
    return SimpleUploadedFile("s.jpg", b"\xff\xd8\xff\xe0x", content_type="image/jpeg")


@pytest.fixture(autouse=True)
def _rules(areas):
    VoteRules.objects.create(area=areas["district"], notice_days_before=0, min_voting_days=1)


def _passed_vote(plan, staff, units, *, notice_over=True):
    now = timezone.now()
    v = services.plan_vote_start(
        actor=staff, plan=plan, opens_at=now - timedelta(hours=1), closes_at=now + timedelta(days=2)
    )
    cs.vote_open(actor=staff, vote=v)
    for u in units:
        cs.ballot_cast(
            actor=staff, vote=v, unit=u, choice="agree", channel="paper", sheet_photo=photo()
        )
    Vote.objects.filter(pk=v.pk).update(closes_at=now - timedelta(minutes=1))
    cs.vote_close(actor=staff, vote=v)
    cs.vote_publish(actor=staff, vote=v)
    if notice_over:
        Vote.objects.filter(pk=v.pk).update(notice_ends_at=now - timedelta(minutes=1))
    v.refresh_from_db()
    return v


def test_approval_needs_passed_vote_on_this_version(plan_a, users, surveyed, client_for):
    staff = users["community_tianxiang"]
    units = list(surveyed["compound_a"].buildings.first().units.all())
    arrange(plan_a.compound)
    services.plan_mark_consulted(actor=users["bureau"], plan=plan_a)
    v = _passed_vote(plan_a, staff, units, notice_over=False)
    assert v.passed and v.plan_id == plan_a.pk and v.proposal["total_cost"]
    assert "公示期满后才能审批" in ";".join(services.approval_blockers(plan_a))
    Vote.objects.filter(pk=v.pk).update(notice_ends_at=timezone.now() - timedelta(minutes=1))
    # an objection pending blocks
    o = Objection.objects.create(vote=v, text="程序有误", raised_by=users["resident_a"])
    assert "异议待答复" in ";".join(services.approval_blockers(plan_a))
    o.delete()
    # the drafter (bureau) cannot approve
    with pytest.raises(DomainError, match="方案编制人不能审批"):
        services.plan_approve(actor=users["bureau"], plan=plan_a)
    services.plan_approve(actor=users["district"], plan=plan_a)
    plan_a.refresh_from_db()
    assert plan_a.status == PlanStatus.APPROVED
    # a new version needs a new vote: the old vote does not carry it
    new = services.plan_revise(actor=users["bureau"], plan=plan_a)
    services.plan_mark_consulted(actor=users["bureau"], plan=new)
    blockers = services.approval_blockers(new)
    assert any("本版方案(第2版)没有通过的业主表决" in b for b in blockers)
    with pytest.raises(DomainError, match="第2版"):
        services.plan_approve(actor=users["district"], plan=new)


def test_overturned_vote_withdraws_approval_and_tells(
    plan_a, users, surveyed, django_capture_on_commit_callbacks
):
    staff = users["community_tianxiang"]
    units = list(surveyed["compound_a"].buildings.first().units.all())
    arrange(plan_a.compound)
    services.plan_mark_consulted(actor=users["bureau"], plan=plan_a)
    v = _passed_vote(plan_a, staff, units)
    services.plan_approve(actor=users["district"], plan=plan_a)
    Vote.objects.filter(pk=v.pk).update(notice_ends_at=timezone.now() + timedelta(days=3))
    v.refresh_from_db()
    o = cs.objection_add(actor=users["resident_a"], vote=v, text="未张贴公告")
    cs.objection_reply(actor=staff, objection=o, state="upheld", reply="情况属实")
    with django_capture_on_commit_callbacks(execute=True):
        cs.vote_overturn(actor=staff, vote=v, reason="公告未张贴,程序违法")
    plan_a.refresh_from_db()
    assert plan_a.status == PlanStatus.CONSULTED and plan_a.approved_by is None
    told = set(Notice.objects.values_list("recipient__username", flat=True))
    assert {"bureau", "district"} <= told


def test_maintenance_fund_needs_item_5_decision(plan_a, users, surveyed):
    staff = users["community_tianxiang"]
    units = list(surveyed["compound_a"].buildings.first().units.all())
    arrange(plan_a.compound)
    services.plan_mark_consulted(actor=users["bureau"], plan=plan_a)
    _passed_vote(plan_a, staff, units)
    line = plan_a.funding_lines.exclude(source=FundingSource.MAINTENANCE_FUND).first()
    amount = Decimal("1000.00")
    line.amount -= amount
    line.save()
    FundingLine.objects.update_or_create(
        plan=plan_a, source=FundingSource.MAINTENANCE_FUND, defaults={"amount": amount}
    )
    blockers = ";".join(services.approval_blockers(plan_a))
    assert "第二百七十八条第一款第五项" in blockers
    # the item-5 decision passes: the gate opens
    now = timezone.now()
    v5 = cs.vote_create(
        actor=staff,
        compound=plan_a.compound,
        matter=5,
        title="使用维修资金",
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=2),
    )
    cs.vote_open(actor=staff, vote=v5)
    for u in units:
        cs.ballot_cast(
            actor=staff, vote=v5, unit=u, choice="agree", channel="paper", sheet_photo=photo()
        )
    Vote.objects.filter(pk=v5.pk).update(closes_at=now - timedelta(minutes=1))
    cs.vote_close(actor=staff, vote=v5)
    cs.vote_publish(actor=staff, vote=v5)
    assert "第五项" not in ";".join(services.approval_blockers(plan_a))
    assert Plan.objects.filter(pk=plan_a.pk).exists()
