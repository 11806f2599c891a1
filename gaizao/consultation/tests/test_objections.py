"""Objections in the notice period (公示期异议): replies, upheld objections,
overturning a result and re-tallying after correcting ballots; the plans
approval gate; who may do what. Through HTTP and the API."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from gaizao.consultation import selectors
from gaizao.consultation.models import Ballot, Objection, Vote
from gaizao.core.models import AuditEntry
from gaizao.testing import make_user


@pytest.fixture
def staff(client_for, users):
    return client_for(users["community_tianxiang"])


@pytest.fixture
def resident_a2(cast):
    return make_user("resident_a2", "resident", unit=cast["units_a"][1])


@pytest.fixture
def published(client_for, users, staff, cast, resident_a2):
    """Matter 7 in compound_a: both units (one owner) agree; closed, tallied
    as passed and published through the pages."""
    now = timezone.now()
    v = Vote.objects.create(
        compound=cast["compound_a"],
        matter=7,
        title="加装电梯",
        law="civil_code",
        opens_at=now - timedelta(days=3),
        closes_at=now + timedelta(days=1),
        status="open",
    )
    for who in (users["resident_a"], resident_a2):
        r = client_for(who).post(reverse("consultation:ballot", args=[v.pk]), {"choice": "agree"})
        assert r.status_code == 302
    Vote.objects.filter(pk=v.pk).update(closes_at=now - timedelta(minutes=1))
    staff.post(reverse("consultation:vote_action", args=[v.pk, "close"]))
    staff.post(reverse("consultation:vote_action", args=[v.pk, "publish"]))
    v.refresh_from_db()
    assert v.status == "published" and v.passed is True
    assert selectors.compound_vote_passed(cast["compound_a"].pk, 7) is True
    return v


def detail(v):
    return reverse("consultation:vote_detail", args=[v.pk])


def raise_objection(client, v, text="101 室的票是别人代签的"):
    return client.post(reverse("consultation:objection", args=[v.pk]), {"text": text}, follow=True)


def test_upheld_objection_then_overturn_closes_the_approval_gate(
    client_for, users, staff, published, cast
):
    v = published
    res = client_for(users["resident_a"])
    assert "异议已提交" in raise_objection(res, v).content.decode()
    o = Objection.objects.get()
    assert o.state == "pending" and o.raised_by == users["resident_a"]

    page = staff.get(detail(v)).content.decode()
    assert "公示期异议(1)" in page and "待答复" in page and "提交答复" in page
    # overturning needs an upheld objection first
    r = staff.post(
        reverse("consultation:vote_overturn", args=[v.pk]), {"reason": "代签"}, follow=True
    )
    assert "没有答复为“成立”的异议" in r.content.decode()
    assert Vote.objects.get(pk=v.pk).overturned is False

    r = staff.post(
        reverse("consultation:objection_reply", args=[v.pk, o.pk]),
        {"reply": "经核实,该票确为他人代签,异议成立。", "state": "upheld"},
        follow=True,
    )
    assert "已答复异议" in r.content.decode()
    o.refresh_from_db()
    assert o.state == "upheld" and o.replied_by == users["community_tianxiang"]
    assert o.replied_at is not None
    assert AuditEntry.objects.filter(model="consultation.objection", object_pk=str(o.pk)).exists()
    # an upheld objection alone does not change the result
    assert selectors.compound_vote_passed(cast["compound_a"].pk, 7) is True
    page = staff.get(detail(v)).content.decode()
    assert "处理成立的异议" in page and "撤销表决结果" in page

    # the resident sees the reply on the vote page and on the portal
    mine = res.get(detail(v)).content.decode()
    assert "我提出的异议(1)" in mine and "异议成立" in mine and "成立" in mine
    portal = res.get(reverse("consultation:portal")).content.decode()
    assert "我对表决结果的异议" in portal and "经核实" in portal

    # a reason is required; nothing changes without one
    r = staff.post(
        reverse("consultation:vote_overturn", args=[v.pk]), {"reason": "  "}, follow=True
    )
    assert "请填写原因" in r.content.decode()
    assert Vote.objects.get(pk=v.pk).overturned is False

    r = staff.post(
        reverse("consultation:vote_overturn", args=[v.pk]),
        {"reason": "公示期异议成立:存在代签表决票"},
        follow=True,
    )
    assert "表决结果已撤销" in r.content.decode()
    v.refresh_from_db()
    assert v.overturned and v.overturned_by == users["community_tianxiang"]
    assert v.overturned_reason == "公示期异议成立:存在代签表决票" and v.overturned_at
    # the plans approval gate no longer counts the vote
    assert selectors.compound_vote_passed(cast["compound_a"].pk, 7) is False
    from gaizao.plans import selectors as plan_selectors

    assert plan_selectors.compound_vote_passed(cast["compound_a"].pk, 7) is False
    entry = AuditEntry.objects.filter(model="consultation.vote", object_pk=str(v.pk)).latest("id")
    assert entry.changes["overturned"] == [False, True]
    assert entry.actor == users["community_tianxiang"]

    # twice: refused; no further objections; the certificate says so
    r = staff.post(
        reverse("consultation:vote_overturn", args=[v.pk]), {"reason": "再次"}, follow=True
    )
    assert "已撤销" in r.content.decode()
    r = raise_objection(res, v, "还有一个问题")
    assert "已撤销,不再受理异议" in r.content.decode() and Objection.objects.count() == 1
    cert = res.get(reverse("consultation:certificate", args=[v.pk])).content.decode()
    assert "本次表决结果已撤销" in cert and "本次表决通过" not in cert
    assert "结果已撤销" in res.get(reverse("consultation:portal")).content.decode()


def test_reply_validation_and_answered_once(staff, client_for, users, published):
    v = published
    raise_objection(client_for(users["resident_a"]), v)
    o = Objection.objects.get()
    url = reverse("consultation:objection_reply", args=[v.pk, o.pk])
    r = staff.post(url, {"reply": "", "state": "rejected"}, follow=True)
    assert "请填写答复内容" in r.content.decode()
    r = staff.post(url, {"reply": "已核实", "state": "maybe"}, follow=True)
    assert "请选择答复结论" in r.content.decode()
    r = staff.post(url, {"reply": "x" * 2001, "state": "rejected"}, follow=True)
    assert "最多 2000 字" in r.content.decode()
    o.refresh_from_db()
    assert o.state == "pending" and o.reply == "" and o.replied_at is None
    r = staff.post(url, {"reply": "计票时间符合规定,异议不成立。", "state": "rejected"})
    assert r.status_code == 302
    r = staff.post(url, {"reply": "改一下", "state": "upheld"}, follow=True)
    assert "不能重复答复" in r.content.decode()
    o.refresh_from_db()
    assert o.state == "rejected" and o.reply == "计票时间符合规定,异议不成立。"
    # a rejected objection does not open the way to overturning
    r = staff.post(
        f"/api/v1/votes/{v.pk}/overturn", {"reason": "试试"}, content_type="application/json"
    )
    assert r.status_code == 400 and "成立" in r.json()["error"]
    # an objection of another vote is not reachable through this one
    other = Vote.objects.create(
        compound=v.compound,
        matter=1,
        title="另一个表决",
        law="civil_code",
        opens_at=v.opens_at,
        closes_at=v.closes_at,
        status="draft",
    )
    r = staff.post(
        reverse("consultation:objection_reply", args=[other.pk, o.pk]),
        {"reply": "x", "state": "replied"},
    )
    assert r.status_code == 404


def test_objection_after_notice_period_is_refused(staff, client_for, users, published):
    v = published
    res = client_for(users["resident_a"])
    raise_objection(res, v, "公示期内提出的")
    Vote.objects.filter(pk=v.pk).update(notice_ends_at=timezone.now() - timedelta(minutes=1))
    r = raise_objection(res, v, "期满后提出的")
    body = r.content.decode()
    assert "公示期已于" in body and "不再受理异议" in body
    r = res.post(
        f"/api/v1/votes/{v.pk}/objections", {"text": "期满后"}, content_type="application/json"
    )
    assert r.status_code == 400 and "公示期已于" in r.json()["error"]
    # staff cannot register one on a resident's behalf either
    r = raise_objection(staff, v, "代为登记")
    assert "不再受理异议" in r.content.decode()
    assert list(Objection.objects.values_list("text", flat=True)) == ["公示期内提出的"]
    # the pages say the period is over; the earlier objection can still be answered
    assert "公示期已结束,不再受理异议" in res.get(detail(v)).content.decode()
    page = staff.get(detail(v)).content.decode()
    assert "已期满" in page and "代为登记异议" not in page
    o = Objection.objects.get()
    r = staff.post(
        f"/api/v1/votes/{v.pk}/objections/{o.pk}/reply",
        {"reply": "已核实,不成立", "state": "rejected"},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["state_label"] == "不成立"


def test_permissions_on_replies_overturn_and_lists(client_for, users, published, resident_a2):
    v = published
    raise_objection(client_for(users["resident_a"]), v)
    o = Objection.objects.get()
    reply_url = reverse("consultation:objection_reply", args=[v.pk, o.pk])
    overturn_url = reverse("consultation:vote_overturn", args=[v.pk])
    retally_url = reverse("consultation:vote_retally", args=[v.pk])
    api_reply = f"/api/v1/votes/{v.pk}/objections/{o.pk}/reply"
    api_overturn = f"/api/v1/votes/{v.pk}/overturn"
    body = {"reply": "答复", "state": "upheld"}

    def attempts(c):
        return [
            c.post(reply_url, body).status_code,
            c.post(overturn_url, {"reason": "x"}).status_code,
            c.post(retally_url, {"q": "101", "choice": "void", "reason": "x"}).status_code,
            c.post(api_reply, body, content_type="application/json").status_code,
            c.post(api_overturn, {"reason": "x"}, content_type="application/json").status_code,
        ]

    # another street's staff and another compound's resident: not visible → 404
    for who in ("street_qingyun", "community_yunshan", "resident_b"):
        c = client_for(users[who])
        assert attempts(c) == [404] * 5, who
        assert c.get(f"/api/v1/votes/{v.pk}/objections").status_code == 404
    # residents of the compound and the owners' committee see it but may not act → 403
    for who in (users["resident_a"], resident_a2, users["owners_committee"]):
        assert attempts(client_for(who)) == [403] * 5, who
    # anonymous: to the login page / 401
    anon = client_for(None)
    assert anon.post(reply_url, body).status_code == 302
    assert anon.post(api_reply, body, content_type="application/json").status_code == 401
    o.refresh_from_db()
    v.refresh_from_db()
    assert o.state == "pending" and not v.overturned
    # the street office and the district of the compound may answer
    r = client_for(users["street_jinchen"]).post(
        api_reply, {"reply": "街道已核实", "state": "replied"}, content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["replied_by"] == "street_jinchen"
    assert client_for(users["district"]).get(detail(v)).status_code == 200


def test_residents_see_only_their_own_objections(client_for, users, staff, published, resident_a2):
    v = published
    a, a2 = client_for(users["resident_a"]), client_for(resident_a2)
    r = a.post(
        f"/api/v1/votes/{v.pk}/objections", {"text": "甲的异议"}, content_type="application/json"
    )
    assert r.status_code == 201 and r.json()["state"] == "pending"
    a2.post(
        f"/api/v1/votes/{v.pk}/objections", {"text": "乙的异议"}, content_type="application/json"
    )
    mine = a.get(f"/api/v1/votes/{v.pk}/objections").json()
    assert [o["text"] for o in mine] == ["甲的异议"] and mine[0]["raised_by"] is None
    page = a.get(detail(v)).content.decode()
    assert "甲的异议" in page and "乙的异议" not in page
    everyone = staff.get(f"/api/v1/votes/{v.pk}/objections").json()
    assert [o["text"] for o in everyone] == ["甲的异议", "乙的异议"]
    assert everyone[1]["raised_by"] == "resident_a2"
    # the reply reaches the resident through the API too
    oid = everyone[0]["id"]
    staff.post(
        f"/api/v1/votes/{v.pk}/objections/{oid}/reply",
        {"reply": "已答复说明", "state": "replied"},
        content_type="application/json",
    )
    mine = a.get(f"/api/v1/votes/{v.pk}/objections").json()
    assert mine[0]["reply"] == "已答复说明" and mine[0]["state_label"] == "已答复"


def test_api_reply_and_overturn(staff, client_for, users, published, cast):
    v = published
    raise_objection(client_for(users["resident_a"]), v)
    o = Objection.objects.get()
    r = staff.post(
        f"/api/v1/votes/{v.pk}/objections/{o.pk}/reply",
        {"reply": "", "state": "upheld"},
        content_type="application/json",
    )
    assert r.status_code == 400 and r.json()["error"] == "请填写答复内容"
    r = staff.post(
        f"/api/v1/votes/{v.pk}/objections/{o.pk + 999}/reply",
        {"reply": "x", "state": "upheld"},
        content_type="application/json",
    )
    assert r.status_code == 404
    r = staff.post(
        f"/api/v1/votes/{v.pk}/objections/{o.pk}/reply",
        {"reply": "属实", "state": "upheld"},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["state"] == "upheld"
    r = staff.post(f"/api/v1/votes/{v.pk}/overturn", {}, content_type="application/json")
    assert r.status_code == 422
    r = staff.post(
        f"/api/v1/votes/{v.pk}/overturn", {"reason": "异议成立"}, content_type="application/json"
    )
    assert r.status_code == 200, r.content
    assert r.json()["overturned"] is True and r.json()["overturned_reason"] == "异议成立"
    assert selectors.compound_vote_passed(cast["compound_a"].pk, 7) is False
    assert client_for(users["resident_a"]).get(f"/api/v1/votes/{v.pk}").json()["overturned"]


def test_correct_ballots_and_retally(staff, client_for, users, published, cast):
    v = published
    u1, u2 = cast["units_a"]
    retally = reverse("consultation:vote_retally", args=[v.pk])
    # no upheld objection yet: refused
    r = staff.post(retally, {"q": "101", "choice": "oppose", "reason": "x"}, follow=True)
    assert "没有答复为“成立”的异议" in r.content.decode()
    raise_objection(client_for(users["resident_a"]), v, "101 的票应为反对")
    o = Objection.objects.get()
    staff.post(
        reverse("consultation:objection_reply", args=[v.pk, o.pk]),
        {"reply": "核对原始表决票,101 为反对,异议成立。", "state": "upheld"},
    )
    old_end = Vote.objects.get(pk=v.pk).notice_ends_at
    # bad input: no reason, unknown choice, unknown unit, same choice — nothing changes
    for data, msg in (
        ({"q": "101", "choice": "oppose", "reason": ""}, "请填写原因"),
        ({"q": "101", "choice": "maybe", "reason": "x"}, "请选择更正后的意见"),
        ({"q": "909", "choice": "oppose", "reason": "x"}, "没有房号为“909”的房屋"),
        ({"q": "101", "choice": "agree", "reason": "x"}, "无需更正"),
    ):
        r = staff.post(retally, data, follow=True)
        assert msg in r.content.decode(), msg
    assert Ballot.objects.get(unit=u1).choice == "agree"
    assert Vote.objects.get(pk=v.pk).passed is True

    r = staff.post(
        retally,
        {"building": cast["building_a"].pk, "q": "1-101", "choice": "oppose", "reason": "核对原票"},
        follow=True,
    )
    assert "已更正并重新计票:未通过" in r.content.decode()
    v.refresh_from_db()
    assert Ballot.objects.get(unit=u1).choice == "oppose"
    assert v.passed is False and v.status == "published" and not v.overturned
    assert v.notice_ends_at > old_end  # published afresh
    c = v.result["corrections"][0]
    assert c["from"] == "agree" and c["to"] == "oppose" and c["previous"]["passed"] is True
    assert selectors.compound_vote_passed(cast["compound_a"].pk, 7) is False
    entry = AuditEntry.objects.filter(model="consultation.vote", object_pk=str(v.pk)).latest("id")
    assert entry.changes["passed"] == [True, False]
    assert "表决票更正记录(1)" in staff.get(detail(v)).content.decode()

    # strike 101, then count it again from its paper sheet (photo required)
    staff.post(retally, {"q": "101", "choice": "void", "reason": "代签无效"})
    assert not Ballot.objects.filter(unit=u1).exists()
    r = staff.post(retally, {"q": "101", "choice": "agree", "reason": "补计"}, follow=True)
    assert "须上传表决票照片" in r.content.decode()
    sheet = SimpleUploadedFile("s.jpg", b"\xff\xd8\xff\xe0jpeg", content_type="image/jpeg")
    staff.post(retally, {"q": "101", "choice": "agree", "reason": "补计原票", "sheet_photo": sheet})
    b = Ballot.objects.get(unit=u1)
    assert b.choice == "agree" and b.channel == "paper" and b.sheet_photo
    v.refresh_from_db()
    assert v.passed is True and len(v.result["corrections"]) == 3
    assert selectors.compound_vote_passed(cast["compound_a"].pk, 7) is True
    cert = staff.get(reverse("consultation:certificate", args=[v.pk])).content.decode()
    assert "重新计票" in cert
    # once overturned, no more corrections
    staff.post(reverse("consultation:vote_overturn", args=[v.pk]), {"reason": "另行表决"})
    r = staff.post(retally, {"q": "102", "choice": "oppose", "reason": "x"}, follow=True)
    assert "已撤销" in r.content.decode()
    assert Ballot.objects.get(unit=u2).choice == "agree"
