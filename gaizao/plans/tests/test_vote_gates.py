"""The owners' decisions behind a plan version (issue 8, deliver 4): reusing
the previous version's vote within the jurisdiction's tolerance only when a
second person confirms; item 6 to raise the maintenance fund; item 8 (three
quarters) for items that change the use of common parts."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from gaizao.consultation import services as cs
from gaizao.consultation.models import Vote, VoteRules
from gaizao.core.audit import AuditEntry
from gaizao.core.errors import DomainError
from gaizao.plans import services
from gaizao.plans.models import FundingLine, FundingSource, Plan, PlanStatus, PlanVoteReuse

from .conftest import arrange
from .test_vote_binding import _passed_vote, photo


@pytest.fixture(autouse=True)
def _rules(areas):
    VoteRules.objects.create(
        area=areas["district"],
        notice_days_before=0,
        min_voting_days=1,
        plan_cost_tolerance=Decimal("0.10"),
    )


def _decide(staff, compound, units, matter, choices=None):
    now = timezone.now()
    v = cs.vote_create(
        actor=staff,
        compound=compound,
        matter=matter,
        title=f"第{matter}项",
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=2),
    )
    cs.vote_open(actor=staff, vote=v)
    for u, c in zip(units, choices or ["agree"] * len(units), strict=True):
        cs.ballot_cast(actor=staff, vote=v, unit=u, choice=c, channel="paper", sheet_photo=photo())
    Vote.objects.filter(pk=v.pk).update(closes_at=now - timedelta(minutes=1))
    cs.vote_close(actor=staff, vote=v)
    cs.vote_publish(actor=staff, vote=v)
    v.refresh_from_db()
    return v


@pytest.fixture
def approved(plan_a, users, surveyed):
    staff = users["community_tianxiang"]
    units = list(surveyed["compound_a"].buildings.first().units.all())
    arrange(plan_a.compound)
    services.plan_mark_consulted(actor=users["bureau"], plan=plan_a)
    v = _passed_vote(plan_a, staff, units)
    services.plan_approve(actor=users["district"], plan=plan_a)
    new = services.plan_revise(actor=users["bureau"], plan=plan_a)
    return new, v


def test_reuse_within_tolerance_needs_a_second_person(approved, users, client_for):
    new, v = approved
    new = services.plan_mark_consulted(actor=users["bureau"], plan=new)
    assert any("没有通过的业主表决" in b for b in services.approval_blockers(new))
    # the drafter of the new version cannot confirm
    with pytest.raises(DomainError, match="另一人确认"):
        services.plan_vote_reuse_confirm(actor=users["bureau"], plan=new, reason="仅调整单价")
    # a second person confirms through the plan page, with a reason
    c = client_for(users["district"])
    page = c.get(reverse("plans:plan_detail", args=[new.pk])).content.decode()
    assert "确认沿用上一版业主表决" in page
    r = c.post(reverse("plans:plan_vote_reuse", args=[new.pk]), {"reason": ""}, follow=True)
    assert "请填写沿用上一版业主表决的理由" in r.content.decode()
    assert not PlanVoteReuse.objects.exists()
    r = c.post(
        reverse("plans:plan_vote_reuse", args=[new.pk]), {"reason": "仅调整单价"}, follow=True
    )
    assert "已确认本版方案沿用上一版业主表决" in r.content.decode()
    reuse = PlanVoteReuse.objects.get()
    assert reuse.vote == v and reuse.confirmed_by == users["district"]
    (entry,) = [
        e
        for e in AuditEntry.objects.filter(model="plans.plan", object_pk=str(new.pk))
        if "vote_reused" in e.changes
    ]
    assert entry.changes["vote_reused"] == [None, v.pk] and entry.actor == users["district"]
    assert services.approval_blockers(new) == []
    services.plan_approve(actor=users["district"], plan=new)
    new.refresh_from_db()
    assert new.status == PlanStatus.APPROVED
    # the reused vote overturned: the new version's approval is withdrawn too
    Vote.objects.filter(pk=v.pk).update(notice_ends_at=timezone.now() + timedelta(days=3))
    v.refresh_from_db()
    o = cs.objection_add(actor=users["resident_a"], vote=v, text="未张贴公告")
    cs.objection_reply(
        actor=users["community_tianxiang"], objection=o, state="upheld", reply="属实"
    )
    cs.vote_overturn(actor=users["community_tianxiang"], vote=v, reason="程序违法")
    new.refresh_from_db()
    assert new.status == PlanStatus.CONSULTED


def test_reuse_refused_beyond_tolerance_or_with_new_items(approved, users):
    new, v = approved
    voted = Decimal(v.proposal["total_cost_raw"])
    # cost up by more than 10 %
    Plan.objects.filter(pk=new.pk).update(total_cost=voted * Decimal("1.11"))
    new.refresh_from_db()
    with pytest.raises(DomainError, match="增加超过 10%"):
        services.plan_vote_reuse_confirm(actor=users["district"], plan=new, reason="x")
    Plan.objects.filter(pk=new.pk).update(total_cost=voted)
    new.refresh_from_db()
    # a new item: three lifts added
    services.plan_item_add(actor=users["bureau"], plan=new, code="elevator_retrofit", quantity="3")
    new.refresh_from_db()
    with pytest.raises(DomainError, match="新增了表决时没有的项目"):
        services.plan_vote_reuse_confirm(actor=users["district"], plan=new, reason="x")
    assert not PlanVoteReuse.objects.exists()


def test_edit_after_confirmation_blocks_again(approved, users):
    new, v = approved
    services.plan_vote_reuse_confirm(actor=users["district"], plan=new, reason="仅调整单价")
    new = services.plan_mark_consulted(actor=users["bureau"], plan=new)
    Plan.objects.filter(pk=new.pk).update(total_cost=new.total_cost * 2)
    new.refresh_from_db()
    assert any("确认沿用表决后方案又有修改" in b for b in services.approval_blockers(new))


def test_no_tolerance_set_means_a_new_vote(approved, users):
    VoteRules.objects.update(plan_cost_tolerance=0)
    new, _v = approved
    with pytest.raises(DomainError, match="未设定沿用表决的造价增幅上限"):
        services.plan_vote_reuse_confirm(actor=users["district"], plan=new, reason="x")


def test_raising_the_fund_blocked_without_item_6(plan_a, users, surveyed):
    staff = users["community_tianxiang"]
    units = list(surveyed["compound_a"].buildings.first().units.all())
    arrange(plan_a.compound)
    services.plan_mark_consulted(actor=users["bureau"], plan=plan_a)
    _passed_vote(plan_a, staff, units)
    _decide(staff, plan_a.compound, units, 5)
    line = plan_a.funding_lines.exclude(source=FundingSource.MAINTENANCE_FUND).first()
    line.amount -= Decimal("5000")
    line.save()
    FundingLine.objects.update_or_create(
        plan=plan_a, source=FundingSource.MAINTENANCE_FUND, defaults={"amount": Decimal("5000")}
    )
    Plan.objects.filter(pk=plan_a.pk).update(maintenance_fund_balance=Decimal("3000"))
    plan_a.refresh_from_db()
    blockers = ";".join(services.approval_blockers(plan_a))
    assert "超过可用余额 3,000 元" in blockers and "第一款第六项" in blockers
    assert "第一款第五项" not in blockers
    # within the balance: no raising, no item 6
    Plan.objects.filter(pk=plan_a.pk).update(maintenance_fund_balance=Decimal("5000"))
    plan_a.refresh_from_db()
    assert "第六项" not in ";".join(services.approval_blockers(plan_a))
    # or the item-6 decision passes
    Plan.objects.filter(pk=plan_a.pk).update(maintenance_fund_balance=Decimal("0"))
    plan_a.refresh_from_db()
    _decide(staff, plan_a.compound, units, 6)
    assert "第六项" not in ";".join(services.approval_blockers(plan_a))


def test_common_use_items_need_item_8_at_three_quarters(plan_a, users, surveyed):
    staff = users["community_tianxiang"]
    units = list(surveyed["compound_a"].buildings.first().units.all())
    arrange(plan_a.compound)
    plan, _item = services.plan_item_add(
        actor=users["bureau"], plan=plan_a, code="charging_points", quantity="4"
    )
    services.plan_mark_consulted(actor=users["bureau"], plan=plan)
    _passed_vote(plan, staff, units)
    blockers = ";".join(services.approval_blockers(plan))
    assert "第一款第八项" in blockers and "电动自行车及汽车充电设施" in blockers
    assert len(units) == 2
    # 101 agrees, 102 opposes: half — short of three quarters, still blocked
    _decide(staff, plan.compound, units, 8, ["agree", "oppose"])
    assert "第八项" in ";".join(services.approval_blockers(plan))
    _decide(staff, plan.compound, units, 8)
    assert "第八项" not in ";".join(services.approval_blockers(plan))
