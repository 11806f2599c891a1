"""Paper ballot entry that scales: search a unit by building and house number
(htmx fragment and API), enter sheet after sheet, duplicates become
conflicts, scoping."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from gaizao.consultation.models import Ballot, BallotConflict, Vote
from gaizao.testing import make_building, make_unit


@pytest.fixture
def staff(client_for, users):
    return client_for(users["community_tianxiang"])


@pytest.fixture
def b2(cast):
    """2栋: entrances 1 and 2, each with 301 and 302."""
    b = make_building(cast["compound_a"], "2栋")
    for e in ("1", "2"):
        for n in ("301", "302"):
            make_unit(b, n, "70", entrance=e)
    return b


@pytest.fixture
def vote(cast, b2):
    now = timezone.now()
    return Vote.objects.create(
        compound=cast["compound_a"],
        matter=7,
        title="加装电梯",
        law="civil_code",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=7),
        status="open",
    )


def photo():
    return SimpleUploadedFile("sheet.jpg", b"\xff\xd8\xff\xe0fakejpeg", content_type="image/jpeg")


def search(c, v, q, building=""):
    return c.get(
        reverse("consultation:unit_search", args=[v.pk]),
        {"q": q, "building": building},
        HTTP_HX_REQUEST="true",
    )


def enter(c, v, **data):
    data.setdefault("channel", "paper")
    if data["channel"] == "paper":
        data.setdefault("sheet_photo", photo())
    return c.post(reverse("consultation:ballot_enter", args=[v.pk]), data, HTTP_HX_REQUEST="true")


def test_search_fragment_lists_and_flags(staff, vote, b2, django_assert_max_num_queries):
    page = staff.get(reverse("consultation:vote_detail", args=[vote.pk])).content.decode()
    assert (
        'name="q"' in page
        and "data-refocus " not in page
        and "autofocus" not in page
        and "已录入 <b>0</b> 张" in page
    )
    assert '<select name="unit"' not in page  # no dropdown of every unit
    with django_assert_max_num_queries(8):
        r = search(staff, vote, "302", b2.pk)
    html = r.content.decode()
    assert r.status_code == 200
    assert "2栋 1单元302" in html and "2栋 2单元302" in html and "301" not in html
    assert "checked" not in html and "找到多户" in html
    # entrance-number: one unit, picked already
    html = search(staff, vote, "1-302", b2.pk).content.decode()
    assert "2栋 1单元302" in html and "2单元" not in html and "checked" in html
    # full-width digits and words; a building-entrance-number without a building
    assert "2栋 1单元301" in search(staff, vote, "１单元３０１室").content.decode()
    assert "2栋 2单元301" in search(staff, vote, "2-2-301").content.decode()
    # a prefix lists candidates; nothing found says so
    html = search(staff, vote, "30", b2.pk).content.decode()
    assert html.count('type="radio"') == 4
    assert "没有房号为“909”" in search(staff, vote, "909", b2.pk).content.decode()
    assert search(staff, vote, "").content.decode().strip() == ""
    # a unit with a ballot is flagged, and not picked for the next sheet
    enter(staff, vote, building=b2.pk, q="1-302", choice="agree")
    html = search(staff, vote, "1-302", b2.pk).content.decode()
    assert "已有表决票" in html and "checked" not in html


def test_stack_of_sheets_by_typed_house_number(staff, users, vote, b2):
    r = enter(staff, vote, building=b2.pk, q="1-302", choice="agree")
    html = r.content.decode()
    assert r.status_code == 200 and "已录入 2栋1单元302:同意" in html
    assert "已录入 <b>1</b> 张" in html
    # the form comes back empty and focused, building and channel kept
    # the cursor returns to 房号 without autofocus's scroll (app.js, data-refocus)
    assert 'name="q" value=""' in html and "data-refocus" in html and "autofocus" not in html
    assert f'<option value="{b2.pk}" selected>' in html
    assert 'value="paper" selected' in html and "checked" not in html
    b = Ballot.objects.get()
    assert (b.unit.entrance, b.unit.number, b.channel) == ("1", "302", "paper")
    assert b.entered_by == users["community_tianxiang"] and b.sheet_photo

    r = enter(staff, vote, building=b2.pk, q="２－３０１", choice="oppose")
    assert "已录入 <b>2</b> 张" in r.content.decode()
    # picked from the results (ambiguous number typed): the picked unit counts
    unit = b2.units.get(entrance="2", number="302")
    r = enter(staff, vote, building=b2.pk, q="302", unit=unit.pk, choice="abstain")
    assert "2栋2单元302:弃权" in r.content.decode()
    # assisted entries count too, online ballots do not
    r = enter(
        staff,
        vote,
        building=b2.pk,
        q="1-301",
        choice="agree",
        channel="assisted",
        sheet_photo=photo(),
    )
    assert "已录入 <b>4</b> 张" in r.content.decode()
    assert Ballot.objects.count() == 4


def test_bad_input_is_refused_with_a_message(staff, vote, b2, cast):
    for data, msg in (
        ({"building": b2.pk, "q": "302", "choice": "agree"}, "对应 2 户"),
        ({"building": b2.pk, "q": "909", "choice": "agree"}, "没有房号为“909”"),
        ({"building": b2.pk, "q": "", "choice": "agree"}, "请输入房号"),
        ({"building": b2.pk, "q": "1-302"}, "请选择表决意见"),
        ({"building": b2.pk, "q": "1-302", "choice": "agree", "sheet_photo": ""}, "照片"),
        ({"unit": cast["unit_b"].pk, "choice": "agree"}, "不属于本小区"),
    ):
        r = enter(staff, vote, **data)
        html = r.content.decode()
        assert r.status_code == 200 and msg in html, (data, html[:600])
        assert 'role="alert"' in html
    assert not Ballot.objects.exists()
    # an ambiguous number keeps what was typed, so the entry can be corrected
    html = enter(staff, vote, building=b2.pk, q="302", choice="agree").content.decode()
    assert 'name="q" value="302"' in html
    # without htmx the same goes through the page
    r = staff.post(
        reverse("consultation:ballot_enter", args=[vote.pk]),
        {"q": "909", "choice": "agree", "channel": "assisted"},
        follow=True,
    )
    assert "没有房号为“909”" in r.content.decode()


def test_duplicate_sheet_becomes_a_conflict(staff, vote, b2):
    enter(staff, vote, building=b2.pk, q="1-302", choice="agree")
    r = enter(staff, vote, building=b2.pk, q="1-302", choice="oppose")
    assert "该户已有表决票(同意,纸质表决票," in r.content.decode()
    assert Ballot.objects.get().choice == "agree"
    c = BallotConflict.objects.get()
    assert c.attempted_choice == "oppose" and c.channel == "paper" and c.sheet_photo


def test_unit_search_api(staff, vote, b2, cast):
    enter(staff, vote, building=b2.pk, q="1-302", choice="agree")
    r = staff.get(f"/api/v1/votes/{vote.pk}/units", {"q": "302", "building_id": b2.pk})
    assert r.status_code == 200
    rows = r.json()
    assert [(u["label"], u["has_ballot"]) for u in rows] == [
        ("2栋1单元302", True),
        ("2栋2单元302", False),
    ]
    assert rows[0]["building"] == "2栋" and rows[0]["entrance"] == "1"
    assert staff.get(f"/api/v1/votes/{vote.pk}/units", {"q": "2-2-302"}).json()[0]["label"] == (
        "2栋2单元302"
    )
    assert staff.get(f"/api/v1/votes/{vote.pk}/units", {"q": ""}).json() == []
    # the compound's 1栋 101 is found without a building; compound_b's 101 is not
    labels = [u["label"] for u in staff.get(f"/api/v1/votes/{vote.pk}/units?q=101").json()]
    assert labels == ["1栋1单元101"]


def test_unit_search_scoping(client_for, users, vote):
    url = reverse("consultation:unit_search", args=[vote.pk])
    api = f"/api/v1/votes/{vote.pk}/units?q=302"
    for who in ("street_qingyun", "community_yunshan", "resident_b"):
        c = client_for(users[who])
        assert c.get(url, {"q": "302"}).status_code == 404, who
        assert c.get(api).status_code == 404, who
    for who in ("resident_a", "owners_committee"):
        c = client_for(users[who])
        assert c.get(url, {"q": "302"}).status_code == 403, who
        assert c.get(api).status_code == 403, who
    assert client_for(None).get(url).status_code == 302
    assert client_for(users["street_jinchen"]).get(api).status_code == 200


def test_unit_search_sorts_buildings_by_number(staff, vote, cast, b2):
    for n in ("10栋", "3栋"):
        make_unit(make_building(cast["compound_a"], n), "301", "70")
    r = staff.get(f"/api/v1/votes/{vote.pk}/units", {"q": "301"})
    assert [u["building"] for u in r.json()] == ["2栋", "2栋", "3栋", "10栋"]
    html = search(staff, vote, "301").content.decode()
    assert html.index("2栋 1单元301") < html.index("3栋") < html.index("10栋")


def test_disabled_close_button_says_why_in_visible_text(staff, vote):
    """A tooltip is invisible on a phone: the reason is printed next to the button."""
    page = staff.get(reverse("consultation:vote_detail", args=[vote.pk])).content.decode()
    assert 'disabled aria-describedby="close-why"' in page
    assert 'id="close-why"' in page and "截止后才能计票</span>" in page
