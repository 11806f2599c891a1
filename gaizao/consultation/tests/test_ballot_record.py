# ruff: noqa: F811 (the vote and staff fixtures come from test_votes)
"""Ballots as the owners' record (issue 8): an owner changes their own online
ballot until the close (history kept); staff cannot replace it alone — a
second staff member resolves a conflict with a reason and the evidence, and
the owner is told; the vote rules (notice, minimum period) are enforced."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from gaizao.consultation import services
from gaizao.consultation.models import Ballot, BallotChange, BallotConflict, Vote, VoteRules
from gaizao.core.errors import DomainError
from gaizao.core.models import Notice
from gaizao.testing import make_user

from .test_votes import photo, staff, vote  # noqa: F401 (fixtures)


def test_owner_changes_own_online_ballot_until_close_with_history(client_for, users, vote, cast):
    c = client_for(users["resident_a"])
    r = c.post(reverse("consultation:ballot", args=[vote.pk]), {"choice": "agree"}, follow=True)
    assert "表决成功" in r.content.decode()
    r = c.post(reverse("consultation:ballot", args=[vote.pk]), {"choice": "oppose"}, follow=True)
    assert "表决成功" in r.content.decode() and "您家已表决:反对" in r.content.decode()
    b = Ballot.objects.get()
    assert b.choice == "oppose" and b.channel == "online" and b.entered_by == users["resident_a"]
    (h,) = BallotChange.objects.all()
    assert (h.choice_before, h.choice_after, h.changed_by) == (
        "agree",
        "oppose",
        users["resident_a"],
    )
    assert not BallotConflict.objects.exists()
    # the same through the API
    r = c.post(
        f"/api/v1/votes/{vote.pk}/ballots", {"choice": "abstain"}, content_type="application/json"
    )
    assert r.status_code in (200, 201), r.content
    assert Ballot.objects.get().choice == "abstain" and BallotChange.objects.count() == 2
    # after the close: no more changes
    Vote.objects.filter(pk=vote.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    r = c.post(reverse("consultation:ballot", args=[vote.pk]), {"choice": "agree"}, follow=True)
    assert "不在线上表决时间内" in r.content.decode()
    assert Ballot.objects.get().choice == "abstain"


def test_staff_cannot_replace_owner_ballot_alone(
    client_for, users, staff, vote, cast, django_capture_on_commit_callbacks
):
    """A replaced ballot is refused: the sheet's enterer cannot resolve the
    conflict; a second staff member can, only with a reason and the
    evidence; the owner is told; a repeated sheet adds no conflict."""
    c = client_for(users["resident_a"])
    c.post(reverse("consultation:ballot", args=[vote.pk]), {"choice": "agree"})
    sheet = {"unit": cast["units_a"][0].pk, "choice": "oppose", "channel": "paper"}
    r = staff.post(
        reverse("consultation:ballot_enter", args=[vote.pk]),
        {**sheet, "sheet_photo": photo()},
        follow=True,
    )
    assert "该户已有表决票" in r.content.decode()
    conflict = BallotConflict.objects.get()
    # the same sheet again: refused, no second conflict
    r = staff.post(
        reverse("consultation:ballot_enter", args=[vote.pk]),
        {**sheet, "sheet_photo": photo()},
        follow=True,
    )
    assert "已有一张重复表决票等待处理" in r.content.decode()
    assert BallotConflict.objects.count() == 1
    Vote.objects.filter(pk=vote.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    r = staff.post(reverse("consultation:vote_action", args=[vote.pk, "close"]), follow=True)
    assert "重复表决票未处理" in r.content.decode()
    assert Vote.objects.get(pk=vote.pk).status == "open"
    page = staff.get(reverse("consultation:vote_detail", args=[vote.pk])).content.decode()
    assert "重复表决票(待处理 1)" in page and "须由另一名工作人员处理" in page
    url = reverse("consultation:conflict_resolve", args=[vote.pk, conflict.pk])
    evidence = SimpleUploadedFile("e.jpg", b"\xff\xd8\xff\xe0evidence", content_type="image/jpeg")
    # the one who entered the sheet: refused
    r = staff.post(
        url, {"resolution": "replace", "reason": "业主来电", "evidence": evidence}, follow=True
    )
    assert "须由另一名工作人员处理" in r.content.decode()
    assert Ballot.objects.get().choice == "agree"
    second = client_for(make_user("community_2", "community", area=cast["compound_a"].community))
    # no reason, no evidence: refused
    r = second.post(url, {"resolution": "replace"}, follow=True)
    assert "须填写理由" in r.content.decode() and Ballot.objects.get().choice == "agree"
    r = second.post(url, {"resolution": "replace", "reason": "业主到社区书面确认"}, follow=True)
    assert "须上传依据" in r.content.decode() and Ballot.objects.get().choice == "agree"
    evidence.seek(0)
    with django_capture_on_commit_callbacks(execute=True):
        r = second.post(
            url,
            {"resolution": "replace", "reason": "业主到社区书面确认", "evidence": evidence},
            follow=True,
        )
    b = Ballot.objects.get()
    assert b.choice == "oppose" and b.channel == "paper" and b.sheet_photo
    conflict.refresh_from_db()
    assert conflict.resolution == "replace" and conflict.reason == "业主到社区书面确认"
    assert conflict.evidence and conflict.resolved_by.username == "community_2"
    (h,) = BallotChange.objects.all()
    assert (h.choice_before, h.choice_after, h.reason) == ("agree", "oppose", "业主到社区书面确认")
    # the owner is told, in the portal
    (n,) = Notice.objects.filter(recipient=users["resident_a"])
    assert "反对" in n.body and "业主到社区书面确认" in n.body
    from gaizao.core.models import AuditEntry

    assert AuditEntry.objects.filter(model="consultation.ballotconflict").exists()
    r = staff.post(reverse("consultation:vote_action", args=[vote.pk, "close"]))
    assert Vote.objects.get(pk=vote.pk).status == "closed"


def test_five_minute_vote_and_missing_notice_are_refused(cast, users, default_vote_rules):
    """Defaults: 15 days' notice (业主大会和业主委员会指导规则 art. 23), 7 days' voting."""
    actor = users["community_tianxiang"]
    now = timezone.now()
    kw = dict(actor=actor, compound=cast["compound_a"], matter=7, title="加装电梯")
    start = now + timedelta(days=16)
    with pytest.raises(DomainError, match="表决期不少于 7 天"):
        services.vote_create(**kw, opens_at=start, closes_at=start + timedelta(minutes=5))
    with pytest.raises(DomainError, match="须提前 15 日公告"):
        services.vote_create(
            **kw, opens_at=now + timedelta(days=2), closes_at=now + timedelta(days=12)
        )
    v = services.vote_create(**kw, opens_at=start, closes_at=start + timedelta(days=7))
    assert v.law == "civil_code"
    # a jurisdiction sets its own numbers
    VoteRules.objects.create(
        area=cast["compound_a"].street, notice_days_before=20, min_voting_days=3
    )
    with pytest.raises(DomainError, match="须提前 20 日公告"):
        services.vote_update(
            actor=actor,
            vote=v,
            title="",
            description="",
            opens_at=start,
            closes_at=start + timedelta(days=7),
            notice_days=7,
        )
    services.vote_cancel(actor=actor, vote=v, reason="方案调整")
    v.refresh_from_db()
    assert v.status == "cancelled"
