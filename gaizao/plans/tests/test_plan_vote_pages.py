"""Pages around a plan vote (issue 8, deliver 3): staff put a plan version to
the owners from the plan page and edit or cancel the draft; the owner's vote
page shows the proposal — version, items, total cost and what their
household pays."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from gaizao.consultation.models import Vote, VoteRules
from gaizao.core.audit import AuditEntry


@pytest.fixture(autouse=True)
def _rules(areas):
    VoteRules.objects.create(area=areas["district"], notice_days_before=0, min_voting_days=1)


def _local(dt):
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def test_start_edit_cancel_and_owner_sees_proposal(plan_a, users, client_for):
    staff = client_for(users["community_tianxiang"])
    page = staff.get(reverse("plans:plan_detail", args=[plan_a.pk])).content.decode()
    assert reverse("plans:plan_vote_new", args=[plan_a.pk]) in page
    url = reverse("plans:plan_vote_new", args=[plan_a.pk])
    assert staff.get(url).status_code == 200
    now = timezone.now()
    r = staff.post(url, {"opens_at": _local(now), "closes_at": _local(now), "notice_days": 7})
    assert r.status_code == 400 and "截止时间应晚于开始时间" in r.content.decode()
    r = staff.post(
        url,
        {
            "opens_at": _local(now - timedelta(minutes=5)),
            "closes_at": _local(now + timedelta(days=5)),
            "notice_days": 7,
        },
    )
    v = Vote.objects.get()
    assert r.status_code == 302 and v.plan_id == plan_a.pk and v.status == "draft"
    assert v.proposal["total_cost"] and v.proposal["items"]
    # edit the draft: a bad date is refused with the field named, then saved
    edit = reverse("consultation:vote_edit", args=[v.pk])
    detail = staff.get(reverse("consultation:vote_detail", args=[v.pk])).content.decode()
    assert edit in detail and "表决的方案" in detail
    r = staff.post(
        edit,
        {
            "title": "改造方案表决",
            "opens_at": "不是日期",
            "closes_at": _local(now + timedelta(days=6)),
            "notice_days": 7,
        },
    )
    assert r.status_code == 400 and "请输入有效的日期时间" in r.content.decode()
    r = staff.post(
        edit,
        {
            "title": "天祥小区改造方案表决(修改)",
            "description": "详见公告",
            "opens_at": _local(now - timedelta(minutes=5)),
            "closes_at": _local(now + timedelta(days=6)),
            "notice_days": 10,
        },
    )
    assert r.status_code == 302
    v.refresh_from_db()
    assert v.title == "天祥小区改造方案表决(修改)" and v.notice_days == 10
    assert AuditEntry.objects.filter(model="consultation.vote", object_pk=str(v.pk)).exists()
    # open it: the owner sees the proposal and their share
    staff.post(reverse("consultation:vote_action", args=[v.pk, "open"]))
    owner = client_for(users["resident_a"])
    page = owner.get(reverse("consultation:vote_detail", args=[v.pk])).content.decode()
    assert "表决的方案" in page and f"第{plan_a.version}版" in page
    assert v.proposal["items"][0]["name"] in page and v.proposal["total_cost"] in page
    assert "您家约需出资" in page or v.proposal["resident_total"] in ("0", "0.00")
    # an open vote cannot be edited or cancelled
    r = staff.post(reverse("consultation:vote_cancel", args=[v.pk]), {"reason": "x"}, follow=True)
    assert "只有草稿状态的表决可以取消" in r.content.decode()


def test_cancel_draft_needs_a_reason(plan_a, users, client_for):
    staff = client_for(users["community_tianxiang"])
    now = timezone.now()
    staff.post(
        reverse("plans:plan_vote_new", args=[plan_a.pk]),
        {
            "opens_at": _local(now + timedelta(days=1)),
            "closes_at": _local(now + timedelta(days=9)),
            "notice_days": 7,
        },
    )
    v = Vote.objects.get()
    cancel = reverse("consultation:vote_cancel", args=[v.pk])
    r = staff.post(cancel, {"reason": ""}, follow=True)
    assert "请填写取消原因" in r.content.decode()
    r = staff.post(cancel, {"reason": "方案需调整"}, follow=True)
    assert "表决草稿已取消" in r.content.decode()
    v.refresh_from_db()
    assert v.status == "cancelled"
    # a resident cannot reach the edit page
    r = client_for(users["resident_a"]).get(reverse("consultation:vote_edit", args=[v.pk]))
    assert r.status_code == 302
