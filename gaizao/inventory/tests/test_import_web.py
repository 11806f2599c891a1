"""Compound import through HTTP: upload → preview → confirm; permissions;
nothing half-written; re-import updates."""

import io
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from gaizao.core.models import AuditEntry
from gaizao.inventory.models import Compound

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx(rows) -> bytes:
    wb = Workbook()
    for r in rows:
        wb.active.append(list(r))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


HEADER = [
    "序号",
    "所属街道",
    "所属社区",
    "小区名称",
    "建筑面积(万平方米)",
    "居民户数",
    "楼栋数",
    "建成年代",
    "总投资(万元)",
    "主城区",
    "管理状况",
    "物业公司",
]
GOOD = [
    ["2020年第一批老旧小区改造计划"],
    HEADER,
    [
        1,
        "金辰街道",
        "天祥社区居委会",
        "天祥小区",
        2.5,
        260,
        6,
        "1992",
        300,
        "是",
        "物业",
        "甲物业公司",
    ],
    [
        2,
        "金辰",
        "青龙山社区",
        "桃源小区",
        "约1.2万平方米",
        "120余",
        3,
        "1990年代",
        150,
        "是",
        "无",
        "",
    ],
    [3, "青云街道", "云山", "云山新村", 0.8, 90, 2, "1988年5月", 80, "是", "自治", ""],
    ["合计", None, None, None, 4.5, 470, 11],
]


def upload(client, data, *, kind="compounds", name="计划.xlsx", **extra):
    payload = {"kind": kind, "file": SimpleUploadedFile(name, data, content_type=XLSX)}
    payload.update(extra)
    return client.post(reverse("inventory:import"), payload)


def preview_url(resp):
    assert resp.status_code == 302, resp.content.decode()[:2000]
    assert re.search(r"/compounds/import/[0-9a-f]{32}/$", resp["Location"])
    return resp["Location"]


def test_preview_then_commit(cast, users, client_for):
    c = client_for(users["bureau"])
    before = Compound.objects.count()
    url = preview_url(upload(c, xlsx(GOOD)))
    page = c.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    # Every row's parsed values are shown, nothing is written yet.
    assert "天祥小区" in html and "桃源小区" in html and "云山新村" in html
    assert "25,000" in html and "12,000" in html and "3,000,000" in html and "25000.00" not in html
    assert "合计行" in html and "确认导入" in html
    assert Compound.objects.count() == before
    # 天祥小区 exists already (cast): one update, two creates.
    assert re.search(r"新增</div><div class=\"v\">2<", html)
    assert re.search(r"更新</div><div class=\"v\">1<", html)

    resp = c.post(url, {"confirm": "1"})
    assert resp.status_code == 302
    assert Compound.objects.count() == before + 2
    a = Compound.objects.get(pk=cast["compound_a"].pk)
    assert a.floor_area == Decimal("25000.00") and a.households == 260 and a.building_count == 6
    assert a.built_year == 1992 and a.investment_yuan == Decimal("3000000.00")
    t = Compound.objects.get(name="桃源小区")
    assert t.street.name == "金辰街道" and t.community.name == "青龙山社区居委会"
    assert t.floor_area == Decimal("12000.00") and t.households == 120 and t.built_year == 1990
    assert t.management_status == "none" and t.in_main_urban_area is True
    y = Compound.objects.get(name="云山新村")
    assert y.street.name == "青云街道" and str(y.built_date) == "1988-05-01"
    assert y.management_status == "self_governance"
    entries = AuditEntry.objects.filter(source="import", model="inventory.compound")
    assert entries.filter(action="create").count() == 2
    assert entries.filter(action="update", object_pk=str(a.pk)).count() == 1
    # The upload is gone once committed.
    assert c.get(url).status_code == 404

    # Re-importing the same file updates (nothing changes), never duplicates;
    # the preview says so row by row.
    url2 = preview_url(upload(c, xlsx(GOOD)))
    again = c.get(url2).content.decode()
    assert re.search(r"无变化</div><div class=\"v\">3<", again)
    assert re.search(r"更新</div><div class=\"v\">0<", again)
    assert c.post(url2, {"confirm": "1"}).status_code == 302
    assert Compound.objects.count() == before + 2
    assert entries.count() == 3  # unchanged compounds get no new entry


def test_reimport_changed_value_updates(cast, users, client_for):
    c = client_for(users["bureau"])
    rows = [HEADER, [1, "金辰街道", "", "新小区", 1, 100, 2, 1995, 10, "是", "无", ""]]
    c.post(preview_url(upload(c, xlsx(rows))), {"confirm": "1"})
    rows[1][5] = 111
    rows[1][7] = None  # a blank cell keeps the recorded year
    c.post(preview_url(upload(c, xlsx(rows))), {"confirm": "1"})
    n = Compound.objects.get(name="新小区")
    assert Compound.objects.filter(name="新小区").count() == 1
    assert n.households == 111 and n.built_year == 1995
    upd = AuditEntry.objects.get(action="update", object_pk=str(n.pk))
    assert upd.changes["households"] == [100, 111]


def test_errors_write_nothing_and_name_row_and_column(cast, users, client_for):
    c = client_for(users["bureau"])
    rows = [
        HEADER,
        [1, "金辰街道", "", "好小区", 1, 100, 2, 1995, 10, "是", "无", ""],
        [2, "金辰街道", "", "坏小区", "很多", 100, 2, 1995, 10, "是", "无", ""],
        [3, "北京街道", "", "外地小区", 1, 100, 2, 1995, 10, "是", "无", ""],
        [4, "金辰街道", "不存在社区", "某小区", 1, 100, 2, 1995, 10, "是", "无", ""],
    ]
    before = Compound.objects.count()
    url = preview_url(upload(c, xlsx(rows)))
    html = c.get(url).content.decode()
    assert "发现 3 处错误" in html
    assert "第3行" in html and "建筑面积(万平方米)" in html and "“很多”不是数字" in html
    assert "第4行" in html and "未找到街道“北京街道”" in html
    assert "第5行" in html and "不存在社区" in html
    assert "确认导入" not in html
    # Posting anyway re-validates and writes nothing, not even the good row.
    resp = c.post(url, {"confirm": "1"})
    assert resp.status_code == 400
    assert "导入未执行" in resp.content.decode()
    assert Compound.objects.count() == before
    assert not AuditEntry.objects.filter(source="import").exists()


def test_wrong_header_is_clear_error(cast, users, client_for):
    c = client_for(users["bureau"])
    url = preview_url(upload(c, xlsx([["姓名", "电话"], ["张三", "1380000"]])))
    html = c.get(url).content.decode()
    assert "未找到表头" in html and "小区名称" in html


def test_street_office_cannot_import_into_another_street(cast, users, client_for):
    c = client_for(users["street_jinchen"])
    before = Compound.objects.count()
    url = preview_url(upload(c, xlsx(GOOD)))
    html = c.get(url).content.decode()
    assert "第5行" in html and "街道“青云街道”不在您的辖区内" in html
    assert c.post(url, {"confirm": "1"}).status_code == 400
    assert Compound.objects.count() == before
    # Its own street, with the street column left out: its street is the default.
    rows = [["小区名称", "户数"], ["金辰新苑", 50]]
    c.post(preview_url(upload(c, xlsx(rows))), {"confirm": "1"})
    assert Compound.objects.get(name="金辰新苑").street == cast["compound_a"].street
    # Choosing another street in the form is refused too.
    resp = upload(c, xlsx(rows), street=cast["compound_b"].street.pk)
    assert resp.status_code == 200 and "errorlist" in resp.content.decode()


@pytest.mark.parametrize(
    "role", ["community_tianxiang", "resident_a", "surveyor", "property_company", "norole"]
)
def test_roles_without_import_get_403(cast, users, client_for, role):
    c = client_for(users[role])
    assert c.get(reverse("inventory:import")).status_code == 403
    assert upload(c, xlsx(GOOD)).status_code == 403
    assert c.get(reverse("inventory:import_template", args=["compounds"])).status_code == 403


def test_anonymous_redirected_to_login(client_for, db):
    resp = client_for(None).get(reverse("inventory:import"))
    assert resp.status_code == 302 and "login" in resp["Location"]


def test_other_users_upload_is_invisible(cast, users, client_for):
    url = preview_url(upload(client_for(users["bureau"]), xlsx(GOOD)))
    other = client_for(users["district"])
    assert other.get(url).status_code == 404
    assert other.post(url, {"confirm": "1"}).status_code == 404


def test_cancel_discards(cast, users, client_for):
    c = client_for(users["bureau"])
    url = preview_url(upload(c, xlsx(GOOD)))
    assert c.post(url, {"cancel": "1"}).status_code == 302
    assert c.get(url).status_code == 404


def test_upload_form_rejects_other_types_and_a_broken_xls_is_explained(cast, users, client_for):
    c = client_for(users["bureau"])
    resp = upload(c, b"%PDF-1.4", name="scan.pdf")
    assert resp.status_code == 200 and ".xls" in resp.content.decode()
    url = preview_url(upload(c, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"0" * 100, name="old.xls"))
    page = c.get(url).content.decode()
    assert "不是有效的.xls表格" in page


def test_templates_download_and_reimport(cast, users, client_for):
    c = client_for(users["bureau"])
    for kind, first in (("compounds", "小区名称"), ("units", "楼栋")):
        resp = c.get(reverse("inventory:import_template", args=[kind]))
        assert resp.status_code == 200 and resp["Content-Type"] == XLSX
        ws = load_workbook(io.BytesIO(resp.content)).active
        assert ws.cell(1, 1).value == first
    page = c.get(reverse("inventory:import")).content.decode()
    assert reverse("inventory:import_template", args=["compounds"]) in page
