import pytest

from gaizao.accounts.models import ApiToken
from gaizao.core import audit
from gaizao.core.masking import mask_name, mask_phone
from gaizao.inventory.permissions import compounds_for_user


def test_mask_personal_data():
    assert mask_name("张三丰") == "张*丰"
    assert mask_name("李四") == "李*"
    assert mask_phone("13812345678") == "138****5678"


@pytest.mark.parametrize(
    "who,sees_a,sees_b",
    [
        ("admin", True, True),
        ("district", True, True),
        ("street_jinchen", True, False),
        ("street_qingyun", False, True),
        ("community_tianxiang", True, False),
        ("community_yunshan", False, True),
        ("property_company", True, False),
        ("owners_committee", True, False),
        ("resident_a", True, False),
        ("resident_b", False, True),
        ("contractor", False, False),
        ("norole", False, False),
    ],
)
def test_compound_scope_matrix(cast, who, sees_a, sees_b):
    ids = set(compounds_for_user(cast["users"][who]).values_list("id", flat=True))
    assert (cast["compound_a"].id in ids) is sees_a
    assert (cast["compound_b"].id in ids) is sees_b


def test_login_page_is_chinese_and_login_works(client, cast):
    r = client.get("/accounts/login/")
    assert r.status_code == 200
    assert "登录" in r.content.decode()
    r = client.post("/accounts/login/", {"username": "district", "password": "wrong"})
    assert "用户名或密码不正确" in r.content.decode()
    r = client.post("/accounts/login/", {"username": "district", "password": "pw-for-tests-1"})
    assert r.status_code == 302


def test_home_shows_only_jurisdiction_totals(client_for, cast):
    r = client_for(cast["users"]["street_qingyun"]).get("/")
    body = r.content.decode()
    assert "青云街道" in body and "金辰街道" not in body.split("<h2>分街道</h2>")[-1]


def test_api_token_auth_and_error_shape(client, cast):
    _, raw = ApiToken.issue(cast["users"]["district"])
    r = client.get("/api/v1/areas", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert r.status_code == 200
    assert any(a["code"] == "530103000000" for a in r.json()["items"])
    r = client.get("/api/v1/areas", HTTP_AUTHORIZATION="Bearer nonsense")
    assert r.status_code == 401
    assert "error" in r.json()


def test_openapi_document(client, cast):
    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 200
    assert r.json()["info"]["title"] == "gaizao API"


def test_audit_diff_records_changes(cast):
    c = cast["compound_a"]
    before = audit.snapshot(c)
    c.households = 321
    c.save()
    entry = audit.record(
        actor=cast["users"]["district"],
        instance=c,
        action="update",
        changes=audit.diff(before, audit.snapshot(c)),
    )
    assert entry.changes == {"households": [200, 321]}
    assert list(audit.history(c)) == [entry]


def test_audit_log_page_and_export(client_for, cast):
    c = cast["compound_a"]
    audit.record(
        actor=cast["users"]["district"],
        instance=c,
        action="update",
        changes={"households": [200, 201]},
    )
    r = client_for(cast["users"]["district"]).get("/audit/")
    body = r.content.decode()
    assert r.status_code == 200 and "天祥小区" in body
    # Field labels and old → new, not a raw dict.
    assert "户数: 200 → 201" in body and "{&#x27;households" not in body
    assert (
        "天祥小区"
        not in client_for(cast["users"]["district"]).get("/audit/?q=云山").content.decode()
    )
    r = client_for(cast["users"]["district"]).get("/audit/?format=xlsx")
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    from io import BytesIO

    from openpyxl import load_workbook

    ws = load_workbook(BytesIO(r.content)).active
    assert ws["A1"].value == "时间" and ws["G2"].value == "天祥小区"
    assert ws["H2"].value == "户数: 200 → 201" and ws["E2"].value == "老旧小区"
    # Organisations and residents do not read the trail; a street office
    # reads its own streets' part of it (issue 9 #5: test_audit_log_scope).
    assert client_for(cast["users"]["property_company"]).get("/audit/").status_code == 403
    assert client_for(cast["users"]["resident_a"]).get("/audit/").status_code in (302, 403)
    assert (
        "天祥小区"
        not in client_for(cast["users"]["street_qingyun"]).get("/audit/").content.decode()
    )


def test_admin_changes_are_audited(client_for, cast):
    c = cast["compound_a"]
    admin = client_for(cast["users"]["admin"])
    r = admin.get(f"/admin/inventory/compound/{c.pk}/change/")
    assert r.status_code == 200
    from gaizao.core.models import AuditEntry

    form = r.context["adminform"].form
    data = {
        name: ("" if form.initial.get(name) is None else form.initial.get(name))
        for name in form.fields
    }
    data["households"] = 333
    data["in_main_urban_area"] = "true"
    for k in ("in_shantytown_plan", "is_urban_village"):
        data[k] = "unknown"
    r = admin.post(f"/admin/inventory/compound/{c.pk}/change/", data)
    assert r.status_code == 302, r.context["adminform"].form.errors if r.context else r
    e = AuditEntry.objects.get(model="inventory.compound", object_pk=str(c.pk), source="admin")
    assert e.changes["households"] == [200, 333]


def test_contractor_nav_and_home_lead_to_its_queue(client_for, cast):
    c = client_for(cast["users"]["contractor"])
    r = c.get("/")
    assert r.status_code == 302 and r["Location"].endswith("/participate/feedback/queue/")
    page = c.get(r["Location"]).content.decode()
    nav = page.split('class="mainnav"')[1].split("</nav>")[0]
    assert "居民反馈" in nav and "小区台账" not in nav and "改造范围" not in nav


def test_page_title_has_separator(client_for, cast):
    body = client_for(cast["users"]["district"]).get("/").content.decode()
    assert "<title>首页 · 改造 gaizao</title>" in body
