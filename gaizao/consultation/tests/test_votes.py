"""Votes through HTTP and the API: the life cycle, duplicates and conflicts,
scoping, paper and assisted ballots, the certificate, the contract selector."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from gaizao.consultation import selectors
from gaizao.consultation.models import Ballot, BallotConflict, Objection, Vote
from gaizao.inventory.models import Unit
from gaizao.testing import make_user

SH = ZoneInfo("Asia/Shanghai")


def local(dt):
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def staff(client_for, users):
    return client_for(users["community_tianxiang"])


@pytest.fixture
def vote(staff, cast):
    now = timezone.now()
    r = staff.post(
        reverse("consultation:vote_new", args=[cast["compound_a"].pk]),
        {
            "matter": 7,
            "title": "加装电梯及外立面改造",
            "description": "",
            "opens_at": local(now - timedelta(hours=1)),
            "closes_at": local(now + timedelta(days=7)),
            "notice_days": 7,
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    v = Vote.objects.get()
    assert v.status == "draft" and v.law == "civil_code"
    r = staff.post(reverse("consultation:vote_action", args=[v.pk, "open"]))
    v.refresh_from_db()
    assert v.status == "open"
    return v


@pytest.fixture
def resident_a2(cast):
    return make_user("resident_a2", "resident", unit=cast["units_a"][1])


def photo():
    return SimpleUploadedFile("sheet.jpg", b"\xff\xd8\xff\xe0fakejpeg", content_type="image/jpeg")


def test_vote_law_by_opening_date(staff, cast):
    r = staff.post(
        reverse("consultation:vote_new", args=[cast["compound_a"].pk]),
        {
            "matter": 6,
            "title": "",
            "opens_at": "2020-12-01T09:00",
            "closes_at": "2020-12-20T18:00",
            "notice_days": 7,
            "record_past": "on",
            "past_reason": "2020年12月纸质表决,现补录",
        },
    )
    assert r.status_code == 302
    v = Vote.objects.get()
    assert v.law == "property_law" and v.title == "筹集建筑物及其附属设施的维修资金"
    assert v.past_reason == "2020年12月纸质表决,现补录"
    bad = staff.post(
        reverse("consultation:vote_new", args=[cast["compound_a"].pk]),
        {
            "matter": 12,
            "opens_at": "2024-01-01T09:00",
            "closes_at": "2023-12-01T09:00",
            "notice_days": 7,
        },
    )
    assert bad.status_code == 400 and Vote.objects.count() == 1
    html = bad.content.decode()
    assert "第 1–9 项" in html and "截止时间应晚于开始时间" in html


def test_resident_cannot_vote_for_another_unit_or_see_another_compound(
    client_for, users, vote, cast, resident_a2
):
    c = client_for(users["resident_a"])
    r = c.post(
        f"/api/v1/votes/{vote.pk}/ballots",
        {"choice": "agree", "unit_id": cast["units_a"][1].pk},
        content_type="application/json",
    )
    assert r.status_code == 400 and "本户" in r.json()["error"]
    assert not Ballot.objects.exists()
    # a resident of the other compound sees nothing of it
    b = client_for(users["resident_b"])
    assert b.get(reverse("consultation:vote_detail", args=[vote.pk])).status_code == 404
    assert b.get(f"/api/v1/votes/{vote.pk}").status_code == 404
    assert (
        b.post(
            f"/api/v1/votes/{vote.pk}/ballots", {"choice": "agree"}, content_type="application/json"
        ).status_code
        == 404
    )
    assert b.get("/api/v1/votes").json()["items"] == []
    # staff of another street: 404 too
    assert (
        client_for(users["street_qingyun"])
        .get(reverse("consultation:vote_detail", args=[vote.pk]))
        .status_code
        == 404
    )
    # residents cannot enter paper ballots
    r = c.post(
        reverse("consultation:ballot_enter", args=[vote.pk]),
        {"unit": cast["units_a"][1].pk, "choice": "agree", "channel": "assisted"},
    )
    assert r.status_code == 302 and not Ballot.objects.exists()


def test_draft_vote_invisible_to_residents(client_for, users, staff, cast):
    now = timezone.now()
    staff.post(
        reverse("consultation:vote_new", args=[cast["compound_a"].pk]),
        {
            "matter": 1,
            "opens_at": local(now),
            "closes_at": local(now + timedelta(days=3)),
            "notice_days": 7,
        },
    )
    v = Vote.objects.get()
    assert (
        client_for(users["resident_a"])
        .get(reverse("consultation:vote_detail", args=[v.pk]))
        .status_code
        == 404
    )


def test_paper_needs_photo_and_assisted_is_recorded(client_for, users, staff, vote, cast):
    u1, u2 = cast["units_a"]
    r = staff.post(
        reverse("consultation:ballot_enter", args=[vote.pk]),
        {"unit": u1.pk, "choice": "agree", "channel": "paper"},
        follow=True,
    )
    assert "照片" in r.content.decode() and not Ballot.objects.exists()
    # assisted (代为录入) needs evidence: a photo or a second staff member
    url = reverse("consultation:ballot_enter", args=[vote.pk])
    assisted = {"unit": u2.pk, "choice": "agree", "channel": "assisted"}
    r = staff.post(url, assisted, HTTP_HX_REQUEST="true")
    assert "代为录入须有依据" in r.content.decode() and not Ballot.objects.exists()
    r = staff.post(url, {**assisted, "witness": "community_tianxiang"}, HTTP_HX_REQUEST="true")
    assert "见证人须是录入人以外" in r.content.decode() and not Ballot.objects.exists()
    r = staff.post(url, {**assisted, "witness": "resident_a"}, HTTP_HX_REQUEST="true")
    assert "见证人须是本辖区" in r.content.decode() and not Ballot.objects.exists()
    make_user("community_w", "community", area=cast["compound_a"].community)
    r = staff.post(url, {**assisted, "witness": "community_w"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and "已录入" in r.content.decode()
    b = Ballot.objects.get(unit=u2)
    assert b.channel == "assisted" and b.assisted_by == users["community_tianxiang"]
    assert b.witness.username == "community_w"
    assert b.entered_by == users["community_tianxiang"]
    # API paper entry with a photo
    r = staff.post(
        f"/api/v1/votes/{vote.pk}/paper-ballots",
        {"unit_id": u1.pk, "choice": "oppose", "channel": "paper", "sheet_photo": photo()},
    )
    assert r.status_code == 201, r.content
    r = staff.post(
        f"/api/v1/votes/{vote.pk}/paper-ballots",
        {"unit_id": u1.pk, "choice": "agree", "channel": "assisted", "sheet_photo": photo()},
    )
    assert r.status_code == 409
    # the unit of another compound is not in this vote
    r = staff.post(
        f"/api/v1/votes/{vote.pk}/paper-ballots",
        {"unit_id": cast["unit_b"].pk, "choice": "agree", "channel": "assisted"},
    )
    assert r.status_code == 404


def test_full_cycle_pass_publish_object_certificate(
    client_for, users, staff, vote, cast, resident_a2
):
    # owner_a holds both units: one owner, 140.5 m².  Both agree → passes.
    client_for(users["resident_a"]).post(
        reverse("consultation:ballot", args=[vote.pk]), {"choice": "agree"}
    )
    r = client_for(resident_a2).post(
        f"/api/v1/votes/{vote.pk}/ballots", {"choice": "agree"}, content_type="application/json"
    )
    assert r.status_code == 201
    assert selectors.compound_vote_passed(cast["compound_a"].pk, 7) is False
    r = staff.post(reverse("consultation:vote_action", args=[vote.pk, "close"]), follow=True)
    assert "截止时间未到" in r.content.decode()
    Vote.objects.filter(pk=vote.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    # online ballots are refused after the closing time
    r = client_for(users["resident_a"]).post(
        f"/api/v1/votes/{vote.pk}/ballots", {"choice": "agree"}, content_type="application/json"
    )
    assert r.status_code in (400, 409)
    staff.post(reverse("consultation:vote_action", args=[vote.pk, "close"]))
    v = Vote.objects.get(pk=vote.pk)
    assert v.status == "closed" and v.passed is True
    assert v.result["owners_total"] == 1 and v.result["owners_agreeing"] == 1
    assert v.result["area_total"] == 140.5
    assert selectors.compound_vote_passed(cast["compound_a"].pk, 7) is False  # not published
    # residents see no result before publication
    r = client_for(users["resident_a"]).get(f"/api/v1/votes/{vote.pk}/result")
    assert r.status_code == 400
    staff.post(reverse("consultation:vote_action", args=[vote.pk, "publish"]))
    v.refresh_from_db()
    assert v.status == "published" and v.notice_ends_at > timezone.now()
    assert selectors.compound_vote_passed(cast["compound_a"].pk, 7) is True
    assert selectors.compound_vote_passed(cast["compound_a"].pk, 6) is False
    assert selectors.compound_vote_passed(cast["compound_b"].pk, 7) is False
    # objection by a resident, through the page and the API
    c = client_for(users["resident_a"])
    r = c.post(
        reverse("consultation:objection", args=[v.pk]), {"text": "计票时间有误"}, follow=True
    )
    assert "异议已提交" in r.content.decode()
    r = c.post(f"/api/v1/votes/{v.pk}/objections", {"text": "  "}, content_type="application/json")
    assert r.status_code == 400
    assert Objection.objects.count() == 1
    assert c.get(f"/api/v1/votes/{v.pk}/result").json()["passed"] is True
    # certificate: the facts, no personal data
    cert = c.get(reverse("consultation:certificate", args=[v.pk])).content.decode()
    assert "业主共同决定表决结果证明" in cert and "本次表决通过" in cert
    assert "四分之三以上" in cert and "140.5" in cert
    for personal in (
        "张三丰",
        "13812345678",
        "530103199001011234",
        "resident_a",
        "community_tianxiang",
        "101",
        "102",
    ):
        assert personal not in cert
    Vote.objects.filter(pk=v.pk).update(overturned=True)
    assert selectors.compound_vote_passed(cast["compound_a"].pk, 7) is False


def test_failed_quorum_and_assisted_and_developer(staff, cast, users, client_for):
    # A compound with a developer holding 3 unsold units and 2 private owners.
    from gaizao.testing import make_building, make_owner, make_unit

    b = make_building(cast["compound_a"], "2栋")
    dev = make_owner(cast["compound_a"], "某房地产开发有限公司", is_developer=True)
    for n in ("201", "202", "203"):
        make_unit(b, n, "50", owner=dev)
    now = timezone.now()
    v = Vote.objects.create(
        compound=cast["compound_a"],
        matter=1,
        title="议事规则",
        law="civil_code",
        opens_at=now - timedelta(days=2),
        closes_at=now + timedelta(days=1),
        status="open",
    )
    staff.post(
        reverse("consultation:ballot_enter", args=[v.pk]),
        {
            "unit": Unit.objects.get(building=b, number="201").pk,
            "choice": "agree",
            "channel": "assisted",
            "sheet_photo": photo(),
        },
    )
    Vote.objects.filter(pk=v.pk).update(closes_at=now - timedelta(minutes=1))
    staff.post(reverse("consultation:vote_action", args=[v.pk, "close"]))
    v.refresh_from_db()
    # owners: 张三丰 (2 units) + developer (3 units) = 2; only the developer took part
    assert v.result["owners_total"] == 2 and v.result["owners_participating"] == 1
    assert v.result["quorum_met"] is False and v.passed is False


def test_vote_list_query_count(client_for, users, vote, django_assert_max_num_queries):
    c = client_for(users["district"])
    with django_assert_max_num_queries(6):
        r = c.get("/api/v1/votes")
    assert r.status_code == 200 and len(r.json()["items"]) == 1


# --------------------------------------------------------------- QA fixes


def _new_vote(staff, cast, opens, closes, **extra):
    return staff.post(
        reverse("consultation:vote_new", args=[cast["compound_a"].pk]),
        {"matter": 7, "opens_at": opens, "closes_at": closes, "notice_days": 7, **extra},
    )


def test_votes_cannot_be_created_or_opened_in_the_past(staff, cast, users):
    from gaizao.consultation import services
    from gaizao.core.errors import DomainError

    now = timezone.now()
    past = (local(now - timedelta(days=30)), local(now - timedelta(days=10)))
    r = _new_vote(staff, cast, *past)
    assert r.status_code == 400 and "截止时间已过,不能发起表决" in r.content.decode()
    # the checkbox needs a reason
    r = _new_vote(staff, cast, *past, record_past="on", past_reason="  ")
    assert r.status_code == 400 and "须填写补录原因" in r.content.decode()
    assert not Vote.objects.exists()
    actor = users["community_tianxiang"]
    kw = dict(actor=actor, compound=cast["compound_a"], matter=7, title="")
    with pytest.raises(DomainError, match="截止时间已过"):
        services.vote_create(
            **kw, opens_at=now - timedelta(days=3), closes_at=now - timedelta(days=1)
        )
    with pytest.raises(DomainError, match="截止时间应晚于开始时间"):
        services.vote_create(
            **kw, opens_at=now + timedelta(days=3), closes_at=now + timedelta(days=1)
        )
    with pytest.raises(DomainError, match="补录原因"):
        services.vote_create(
            **kw,
            opens_at=now - timedelta(days=3),
            closes_at=now - timedelta(days=1),
            record_past=True,
        )
    # a draft whose closing time passed before it was opened cannot be opened
    v = services.vote_create(
        **kw, opens_at=now - timedelta(hours=2), closes_at=now + timedelta(days=1, hours=1)
    )
    Vote.objects.filter(pk=v.pk).update(closes_at=now - timedelta(minutes=1))
    r = staff.post(reverse("consultation:vote_action", args=[v.pk, "open"]), follow=True)
    assert "已过,不能开启" in r.content.decode()
    assert Vote.objects.get(pk=v.pk).status == "draft"
    with pytest.raises(DomainError, match="不是补录的表决"):
        services.vote_open(actor=actor, vote=v, record_past=True)


def test_recording_a_vote_already_held(staff, cast, users, client_for):
    now = timezone.now()
    r = _new_vote(
        staff,
        cast,
        local(now - timedelta(days=40)),
        local(now - timedelta(days=30)),
        record_past="on",
        past_reason="上月召开业主大会纸质表决,现补录",
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    v = Vote.objects.get()
    assert v.past_reason == "上月召开业主大会纸质表决,现补录"
    staff.post(reverse("consultation:vote_action", args=[v.pk, "open"]))
    v.refresh_from_db()
    assert v.status == "open"
    page = staff.get(reverse("consultation:vote_detail", args=[v.pk])).content.decode()
    assert "补录已举行的表决" in page and "上月召开业主大会纸质表决" in page
    for u in cast["units_a"]:
        staff.post(
            reverse("consultation:ballot_enter", args=[v.pk]),
            {"unit": u.pk, "choice": "agree", "channel": "paper", "sheet_photo": photo()},
        )
    staff.post(reverse("consultation:vote_action", args=[v.pk, "close"]))
    staff.post(reverse("consultation:vote_action", args=[v.pk, "publish"]))
    cert = staff.get(reverse("consultation:certificate", args=[v.pk])).content.decode()
    assert "已举行表决的补录" in cert and "上月召开业主大会纸质表决" in cert


def test_certificate_prints_todays_date(staff, vote, cast, client_for, users):
    Vote.objects.filter(pk=vote.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    staff.post(reverse("consultation:vote_action", args=[vote.pk, "close"]))
    cert = staff.get(reverse("consultation:certificate", args=[vote.pk])).content.decode()
    today = timezone.localdate()
    assert f"{today.year}年{today.month}月{today.day}日</p>" in cert
    # English: a sensible date, not the letters of a format string
    staff.cookies["django_language"] = "en"
    cert = staff.get(reverse("consultation:certificate", args=[vote.pk])).content.decode()
    assert f"{today.day} {today:%B} {today.year}</p>" in cert


def test_duplicate_paper_sheet_tells_staff_what_the_first_ballot_was(
    staff, vote, cast, client_for, users
):
    client_for(users["resident_a"]).post(
        reverse("consultation:ballot", args=[vote.pk]), {"choice": "agree"}
    )
    u1 = cast["units_a"][0]
    r = staff.post(
        reverse("consultation:ballot_enter", args=[vote.pk]),
        {"unit": u1.pk, "choice": "oppose", "channel": "paper", "sheet_photo": photo()},
        HTTP_HX_REQUEST="true",
    )
    html = r.content.decode()
    assert "该户已有表决票(同意,线上," in html and "已记为冲突" in html
    assert "请联系社区工作人员" not in html
    r = staff.post(
        f"/api/v1/votes/{vote.pk}/paper-ballots",
        {"unit_id": u1.pk, "choice": "abstain", "channel": "assisted", "sheet_photo": photo()},
    )
    # one open conflict per unit: the second sheet is refused, not recorded
    assert r.status_code == 409 and "已有一张重复表决票等待处理" in r.json()["error"]
    assert BallotConflict.objects.count() == 1
    # the conflict table shows the first ballot next to each attempted one
    first = Ballot.objects.get(unit=u1)
    page = staff.get(reverse("consultation:vote_detail", args=[vote.pk])).content.decode()
    assert "第一张(现计入)" in page and "第二张(待处理)" in page
    assert page.count(timezone.localtime(first.cast_at).strftime("%Y-%m-%d %H:%M")) >= 2
    sheet = BallotConflict.objects.get(channel="paper").sheet_photo
    assert sheet.url in page
    # a sheet replacing the first: its link shows in the first column afterwards
    c = BallotConflict.objects.get(channel="paper")
    second = client_for(make_user("community_2", "community", area=cast["compound_a"].community))
    r = second.post(
        reverse("consultation:conflict_resolve", args=[vote.pk, c.pk]),
        {"resolution": "replace", "reason": "业主书面确认", "evidence": photo()},
        follow=True,
    )
    assert "已处理重复表决票" in r.content.decode(), r.content.decode()[-3000:]
    page = staff.get(reverse("consultation:vote_detail", args=[vote.pk])).content.decode()
    # the resolved list keeps who, why and the evidence
    assert "以第二张替换" in page and "业主书面确认" in page and ">依据</a>" in page
