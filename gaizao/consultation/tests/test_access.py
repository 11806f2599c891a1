"""Household access codes: hashing, one-time use, revocation, re-issue, rate
limit, phone + PIN, the printable letters, the portal."""

import re

import pytest
from django.urls import reverse

from gaizao.accounts.models import Role, User
from gaizao.consultation import services
from gaizao.consultation.models import AccessAttempt, AccessCode

CODE_RE = re.compile(r'class="code">([A-Z0-9]{4}-[A-Z0-9]{4})<')


def print_letters(client, building, **data):
    r = client.post(reverse("consultation:letters", args=[building.pk]), data)
    assert r.status_code == 200, r.content[:500]
    return r, CODE_RE.findall(r.content.decode())


@pytest.fixture
def staff(client_for, users):
    return client_for(users["community_tianxiang"])


def test_letters_print_codes_once_and_store_only_hashes(staff, cast):
    r, codes = print_letters(staff, cast["building_a"])
    html = r.content.decode()
    assert len(codes) == 2 and len(set(codes)) == 2
    assert "<svg" in html and "天祥小区" in html and "居民参与通知书" in html
    assert "no-store" in r["Cache-Control"]
    stored = list(AccessCode.objects.values_list("code_hash", flat=True))
    assert len(stored) == 2
    for raw in codes:
        assert raw not in str(stored) and raw.replace("-", "") not in str(stored)
        assert services.hash_code(raw) in stored
    # the raw code appears nowhere else: the staff page shows counts only
    page = staff.get(reverse("consultation:staff_compound", args=[cast["compound_a"].pk]))
    assert all(c not in page.content.decode() for c in codes)


def test_only_staff_of_the_jurisdiction_print_letters(client_for, users, cast):
    url = reverse("consultation:letters", args=[cast["building_a"].pk])
    assert client_for(users["community_yunshan"]).post(url).status_code == 404
    assert client_for(users["property_company"]).post(url).status_code == 403
    assert not AccessCode.objects.exists()


def test_code_is_one_time_and_logs_in_a_resident(staff, cast, client):
    _, codes = print_letters(staff, cast["building_a"])
    r = client.post(
        reverse("consultation:enter_code"), {"code": codes[0].lower().replace("-", " ")}
    )
    assert r.status_code == 302 and r["Location"] == reverse("consultation:bind_phone")
    user = User.objects.get(pk=client.session["_auth_user_id"])
    assert user.role == Role.RESIDENT and user.unit_id in {u.pk for u in cast["units_a"]}
    portal = client.get(reverse("consultation:portal"))
    assert portal.status_code == 200 and "天祥小区" in portal.content.decode()
    # used: refused, with a clear message
    other = type(client)()
    r = other.post(reverse("consultation:enter_code"), {"code": codes[0]})
    assert r.status_code == 400 and "已经使用过" in r.content.decode()


def test_existing_resident_account_is_reused(staff, cast, users, client):
    # resident_a already exists for unit 101: the code logs into that account.
    _, codes = print_letters(staff, cast["building_a"], unit=cast["units_a"][0].pk)
    client.post(reverse("consultation:enter_code"), {"code": codes[0]})
    assert int(client.session["_auth_user_id"]) == users["resident_a"].pk


def test_reissue_revokes_the_old_code(staff, cast, client):
    _, first = print_letters(staff, cast["building_a"])
    _, second = print_letters(staff, cast["building_a"])
    assert set(first).isdisjoint(second)
    assert AccessCode.objects.filter(revoked_at__isnull=True).count() == 2
    r = client.post(reverse("consultation:enter_code"), {"code": first[0]})
    assert r.status_code == 400 and "已作废" in r.content.decode()
    r = client.post(reverse("consultation:enter_code"), {"code": second[0]})
    assert r.status_code == 302


def test_revoke_single_unit(staff, cast, client):
    _, codes = print_letters(staff, cast["building_a"])
    unit = AccessCode.objects.get(code_hash=services.hash_code(codes[1])).unit
    r = staff.post(
        reverse("consultation:revoke_code", args=[cast["building_a"].pk]), {"unit": unit.pk}
    )
    assert r.status_code == 302
    assert client.post(reverse("consultation:enter_code"), {"code": codes[1]}).status_code == 400


def test_wrong_codes_are_rate_limited(staff, cast, client):
    _, codes = print_letters(staff, cast["building_a"])
    for _ in range(10):
        r = client.post(reverse("consultation:enter_code"), {"code": "AAAA-AAAA"})
        assert r.status_code == 400 and "不正确" in r.content.decode()
    r = client.post(reverse("consultation:enter_code"), {"code": codes[0]})
    # the lockout ends with the limiter's window: "请 N 分钟后再试"
    assert r.status_code == 400 and re.search(r"请 \d+ 分钟后再试", r.content.decode())
    assert AccessAttempt.objects.count() == 10


def test_phone_and_pin_login(staff, cast, client):
    _, codes = print_letters(staff, cast["building_a"])
    client.post(reverse("consultation:enter_code"), {"code": codes[0]})
    bad = client.post(
        reverse("consultation:bind_phone"), {"phone": "123", "pin": "1234", "pin2": "1234"}
    )
    assert bad.status_code == 400 and "11 位" in bad.content.decode()
    r = client.post(
        reverse("consultation:bind_phone"),
        {"phone": "13900001111", "pin": "246810", "pin2": "246810"},
    )
    assert r.status_code == 302
    fresh = type(client)()
    r = fresh.post(reverse("consultation:phone_login"), {"phone": "13900001111", "pin": "000000"})
    assert r.status_code == 400 and "不正确" in r.content.decode()
    r = fresh.post(reverse("consultation:phone_login"), {"phone": "13900001111", "pin": "246810"})
    assert r.status_code == 302 and r["Location"] == reverse("consultation:portal")


def test_api_redeem_returns_token(staff, cast, client):
    _, codes = print_letters(staff, cast["building_a"])
    r = client.post(
        "/api/v1/participation/redeem", {"code": codes[0]}, content_type="application/json"
    )
    assert r.status_code == 200, r.content
    token = r.json()["token"]
    me = type(client)().get("/api/v1/participation/me", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert me.status_code == 200 and me.json()["compound"] == "天祥小区"
    r = client.post(
        "/api/v1/participation/redeem", {"code": codes[0]}, content_type="application/json"
    )
    assert r.status_code == 400 and "已经使用过" in r.json()["error"]


def test_portal_and_staff_home(client_for, users, cast):
    r = client_for(users["resident_a"]).get("/")
    assert r.status_code == 302 and r["Location"] == reverse("consultation:portal")
    r = client_for(users["resident_a"]).get(reverse("consultation:portal"))
    assert r.status_code == 200
    html = r.content.decode()
    assert "天祥小区" in html and "金辰街道" in html and "改造方案尚未编制" in html
    assert (
        client_for(users["resident_a"]).get(reverse("consultation:staff_home")).status_code == 302
    )
    r = client_for(users["street_jinchen"]).get(reverse("consultation:staff_home"))
    assert r.status_code == 200 and "天祥小区" in r.content.decode()
    assert "云山小区" not in r.content.decode()
    assert (
        client_for(users["street_jinchen"])
        .get(reverse("consultation:staff_compound", args=[cast["compound_b"].pk]))
        .status_code
        == 404
    )


def test_staff_home_query_count(client_for, users, cast, django_assert_max_num_queries):
    c = client_for(users["district"])
    with django_assert_max_num_queries(12):
        assert c.get(reverse("consultation:staff_home")).status_code == 200


def test_portal_shows_the_eligibility_verdict(client_for, users, cast):
    from gaizao.eligibility import services as eligibility

    portal = reverse("consultation:portal")
    eligibility.ensure_builtin_policies()
    v = eligibility.evaluate_compound(cast["compound_a"])
    html = client_for(users["resident_a"]).get(reverse("consultation:portal")).content.decode()
    assert "改造范围认定:<b" in html and f">{v.get_verdict_display()}</b>" in html
    assert v.get_verdict_display() in ("符合改造范围", "待核实", "不符合")
    decisive = {"eligible": True, "review": None, "ineligible": False}[v.verdict]
    first = next(r["detail"] for r in v.reasons if r["passed"] is decisive)
    assert first in html
    assert reverse("eligibility:compound", args=[cast["compound_a"].pk]) in html
    # another compound without a stored verdict: evaluated on the fly
    html = client_for(users["resident_b"]).get(portal).content.decode()
    assert any(f">{label}</b>" in html for label in ("符合改造范围", "待核实", "不符合"))


def test_buildings_in_natural_order(staff, cast):
    from gaizao.testing import make_building, make_unit

    for n in ("10栋", "2栋", "11栋"):
        make_unit(make_building(cast["compound_a"], n), "101")
    html = staff.get(
        reverse("consultation:staff_compound", args=[cast["compound_a"].pk])
    ).content.decode()
    pos = [html.index(f">{n}</td>") for n in ("1栋", "2栋", "10栋", "11栋")]
    assert pos == sorted(pos)
