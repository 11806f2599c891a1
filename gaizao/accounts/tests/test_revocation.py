"""Issue 9 #1: re-issuing a unit's access code, or a change of owner, ends
every session, API token and PIN bound to the unit; staff see and end a
household's devices; the household is told."""

import io
import re

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from gaizao.accounts.models import ApiToken, LoginSession, User
from gaizao.consultation import services as consultation
from gaizao.core.errors import DomainError
from gaizao.core.models import AuditEntry, Notice
from gaizao.core.notify import ConsoleSMSBackend
from gaizao.inventory.importing import services as import_services

CODE_RE = re.compile(r'class="code">([A-Z0-9]{4}-[A-Z0-9]{4})<')


@pytest.fixture
def staff(client_for, users):
    return client_for(users["community_tianxiang"])


def _former_holder(cast, client):
    """A household signed in with a code, a PIN bound, an API token made."""
    unit = cast["units_a"][0]
    [(_u, raw)] = consultation.access_codes_issue(
        actor=cast["users"]["community_tianxiang"], building=cast["building_a"], units=[unit]
    )
    r = client.post(reverse("consultation:enter_code"), {"code": raw})
    assert r.status_code == 302
    user = User.objects.get(pk=client.session["_auth_user_id"])
    consultation.resident_set_login(user=user, phone="13800000001", pin="246810")
    client.force_login(user)  # the bind page does this after a PIN change
    _tok, token = ApiToken.issue(user)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert client.get(reverse("consultation:portal")).status_code == 200
    assert api.get("/api/v1/participation/me").status_code == 200
    return unit, user, api


def test_reissuing_a_code_cuts_off_the_former_holder(staff, cast, client):
    unit, user, api = _former_holder(cast, client)
    ConsoleSMSBackend.outbox.clear()
    r = staff.post(reverse("consultation:letters", args=[cast["building_a"].pk]), {"unit": unit.pk})
    assert r.status_code == 200
    # the old browser is signed out, the API token refused, the PIN dead
    page = client.get(reverse("consultation:portal"))
    assert page.status_code == 302
    assert api.get("/api/v1/participation/me").status_code == 401
    user.refresh_from_db()
    assert user.phone == "" and not user.has_usable_password()
    assert ApiToken.objects.filter(user=user, revoked=False).count() == 0
    with pytest.raises(DomainError, match="手机号或密码不正确"):
        consultation.resident_phone_login(phone="13800000001", pin="246810", ip="10.0.0.9")
    assert not LoginSession.objects.filter(user=user, ended_at__isnull=True).exists()
    # told: an inbox notice for the household
    notice = Notice.objects.filter(recipient=user, kind="accounts.access_ended").first()
    assert "重新发放了入户码" in notice.body
    # audited with who did it
    entry = AuditEntry.objects.filter(model="accounts.user", object_pk=str(user.pk)).first()
    assert entry.actor == cast["users"]["community_tianxiang"]
    assert entry.changes["phone"] == ["13800000001", ""]
    # the new code still logs the household in
    new_code = CODE_RE.findall(r.content.decode())[0]
    fresh = Client()
    assert fresh.post(reverse("consultation:enter_code"), {"code": new_code}).status_code == 302
    assert fresh.get(reverse("consultation:portal")).status_code == 200


def test_owner_change_by_import_cuts_off_the_household(staff, cast, client, users):
    unit, user, api = _former_holder(cast, client)
    before = Session.objects.count()
    rows = [
        [
            "楼栋",
            "单元",
            "房号",
            "专有部分面积(㎡)",
            "业主姓名",
            "联系电话",
            "证件号码",
            "开发商未售",
        ],
        [
            cast["building_a"].number,
            unit.entrance,
            unit.number,
            80.5,
            "王新业主",
            "13911112222",
            "",
            "否",
        ],
    ]
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    result = import_services.commit_units(
        buf, user=users["bureau"], compound=cast["compound_a"], filename="过户.xlsx"
    )
    assert result.updated == 1
    assert Session.objects.count() < before
    assert client.get(reverse("consultation:portal")).status_code == 302
    assert api.get("/api/v1/participation/me").status_code == 401
    assert "业主登记已变更" in Notice.objects.filter(recipient=user).first().body
    entry = AuditEntry.objects.filter(model="accounts.user", object_pk=str(user.pk)).first()
    assert entry.source == "import" and entry.changes["reason"] == "owner"


def test_staff_see_and_end_a_households_devices(staff, cast, client, client_for, users):
    unit, user, _api = _former_holder(cast, client)
    url = reverse("consultation:household_devices", args=[cast["building_a"].pk])
    page = staff.get(url, {"unit": unit.pk})
    assert page.status_code == 200
    html = page.content.decode()
    assert "登录中" in html and "已绑定手机号" in html
    device = LoginSession.objects.get(session_key=client.session.session_key)
    r = staff.post(url, {"unit": unit.pk, "end": device.pk})
    assert r.status_code == 302
    assert client.get(reverse("consultation:portal")).status_code == 302
    device.refresh_from_db()
    assert device.end_reason == "staff"
    # another street's staff cannot see the building; a property company may not manage logins
    assert client_for(users["community_yunshan"]).get(url, {"unit": unit.pk}).status_code == 404
    assert client_for(users["property_company"]).get(url, {"unit": unit.pk}).status_code == 403
    # a unit of another building: 404, not someone else's devices
    assert (
        staff.get(url, {"unit": cast["unit_b"].pk if "unit_b" in cast else 999999}).status_code
        == 404
    )


def test_staff_end_everything_for_a_household(staff, cast, client):
    unit, user, api = _former_holder(cast, client)
    url = reverse("consultation:household_devices", args=[cast["building_a"].pk])
    assert staff.post(url, {"unit": unit.pk, "end_all": "1"}).status_code == 302
    assert client.get(reverse("consultation:portal")).status_code == 302
    assert api.get("/api/v1/participation/me").status_code == 401
    user.refresh_from_db()
    assert user.phone == ""


def test_the_device_list_never_shows_an_invalidated_session_as_live(staff, cast, client):
    """A session cut off without its row being ended (the PIN bind changed the
    password under the code login; the admin set a new password; the
    session expired) is shown as 已失效 with no button, and tokens made under
    the old password are not counted as valid."""
    unit, user, _api = _former_holder(cast, client)
    url = reverse("consultation:household_devices", args=[cast["building_a"].pk])
    rows = staff.get(url, {"unit": unit.pk}).context["devices"]
    # the code login before the PIN bind is dead (auth hash changed); the bound one lives
    assert [d.live for d in rows] == [True, False]
    assert LoginSession.objects.filter(user=user, ended_at__isnull=True).count() == 2
    html = staff.get(url, {"unit": unit.pk}).content.decode()
    assert html.count("登录中") == 1 and html.count("退出该设备") == 1
    assert "另有 1 个有效的 API 令牌" in html

    user.set_password("set-elsewhere-1")  # e.g. the Django admin
    user.save()
    html = staff.get(url, {"unit": unit.pk}).content.decode()
    assert "登录中" not in html and "退出该设备" not in html
    assert "已失效" in html and "有效的 API 令牌" not in html

    # an expired session is not live either
    user.set_password("246810")
    user.save()
    live = Client()
    live.force_login(user)
    Session.objects.filter(session_key=live.session.session_key).update(
        expire_date="2000-01-01T00:00:00Z"
    )
    assert not any(d.live for d in staff.get(url, {"unit": unit.pk}).context["devices"])


def test_my_tokens_page_lists_only_tokens_that_still_log_in(users, client_for):
    user = users["street_jinchen"]
    ApiToken.issue(user, "旧密码下的令牌")
    user.set_password("changed-in-admin-1")
    user.save()
    ApiToken.issue(user, "新令牌")
    html = client_for(user).get(reverse("accounts:tokens")).content.decode()
    assert "新令牌" in html and "旧密码下的令牌" not in html
