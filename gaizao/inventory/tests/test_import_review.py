"""Changes shown before they are written (issue 12.3–12.5): old → new per
field, moves between communities, plausibility warnings to confirm or
errors, near-duplicate names, and the same report from `gaizao import --json`."""

import io
import json
import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook

from gaizao.inventory.importing import parse_compound_sheet, plausibility
from gaizao.inventory.models import Compound

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER = ["所属街道", "所属社区", "小区名称", "建筑面积(㎡)", "户数", "楼栋数", "建成年份"]


def xlsx(rows) -> bytes:
    wb = Workbook()
    for r in rows:
        wb.active.append(list(r))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def findings(**row):
    base = {"build_year": None, "households": None, "buildings": None, "floor_area_m2": None}
    base.update(row)
    for k in ("floor_area_m2",):
        if base[k] is not None:
            base[k] = Decimal(base[k])
    return [(f.level, f.field) for f in plausibility.check_compound(base, today=date(2026, 6, 1))]


def test_build_year_boundary():
    assert findings(build_year=2026) == []
    assert findings(build_year=2027) == [("error", "build")]


def test_zero_households_warns():
    assert findings(households=0) == [("warning", "households")]
    assert findings(households=1) == []


@pytest.mark.parametrize(
    "area,households,expected",
    [
        ("1500", 100, []),  # 15 m² per household: the lower bound itself
        ("1499.99", 100, [("warning", "floor_area_m2")]),
        ("30000", 100, []),  # 300 m²: the upper warning bound itself
        ("30000.01", 100, [("warning", "floor_area_m2")]),
        ("1000000", 100, [("warning", "floor_area_m2")]),  # 10,000 m²: still only a warning
        ("1000000.01", 100, [("error", "floor_area_m2")]),
    ],
)
def test_area_per_household_bounds(area, households, expected):
    assert findings(floor_area_m2=area, households=households) == expected


@pytest.mark.parametrize(
    "area,buildings,expected",
    [
        ("200", 2, []),  # 100 m² per building
        ("199.99", 2, [("warning", "floor_area_m2")]),
        ("200000", 2, []),  # 100,000 m²
        ("200000.01", 2, [("warning", "floor_area_m2")]),
        ("4000000", 2, [("warning", "floor_area_m2")]),  # 2,000,000 m²
        ("4000000.01", 2, [("error", "floor_area_m2")]),
        ("50000000", 2, [("error", "floor_area_m2")]),  # the finding: 50,000,000 m² in 2 buildings
    ],
)
def test_area_per_building_bounds(area, buildings, expected):
    assert findings(floor_area_m2=area, buildings=buildings) == expected


def test_zero_buildings_is_an_error():
    assert findings(buildings=0) == [("error", "buildings")]


def test_findings_carry_row_and_column_in_the_parse():
    p = parse_compound_sheet(
        io.BytesIO(xlsx([HEADER, ["金辰街道", "", "甲小区", 50_000_000, 200, 2, 2035]])),
        filename="t.xlsx",
    )
    cols = {(e.row, e.column) for e in p.errors}
    assert (2, "建成年份") in cols and (2, "建筑面积(㎡)") in cols


def test_near_duplicate_names_in_one_street_warn_but_list_marks_do_not():
    p = parse_compound_sheet(
        io.BytesIO(
            xlsx(
                [
                    HEADER,
                    ["金辰街道", "", "桃源小区", 10000, 100, 4, 1990],
                    ["金辰街道", "", "桃源", 10000, 100, 4, 1990],
                    ["青云街道", "", "桃源", 10000, 100, 4, 1990],  # another street
                    ["金辰街道", "", "操兵巷1、18号", 10000, 100, 4, 1990],
                    ["金辰街道", "", "操兵巷118号", 10000, 100, 4, 1990],
                ]
            )
        ),
        filename="t.xlsx",
    )
    assert p.errors == []
    assert [(w.row, w.column) for w in p.warnings] == [(3, "小区名称")]
    assert "第2行" in p.warnings[0].message


# ---------------------------------------------------------------- web


def upload(client, data, name="台账.xlsx"):
    resp = client.post(
        reverse("inventory:import"),
        {"kind": "compounds", "file": SimpleUploadedFile(name, data, content_type=XLSX)},
    )
    assert resp.status_code == 302, resp.content.decode()[:500]
    return resp["Location"]


def test_update_moving_a_compound_shows_old_new_and_needs_confirmation(cast, users, client_for):
    a = cast["compound_a"]  # 金辰街道 / 天祥社区, 20000 m², 200 households, 4 buildings
    c = client_for(users["bureau"])
    rows = [
        HEADER,
        ["金辰街道", "青龙山社区", a.name, 20000, 0, 4, 1995],  # moves; 0 households: warning
    ]
    url = upload(c, xlsx(rows))
    html = c.get(url).content.decode()
    assert 'class="move"' in html and "移至其他社区" in html
    assert re.search(r"所属社区:<del>天祥社区居委会</del> → <ins>青龙山社区居委会</ins>", html)
    assert re.search(r"户数:<del>200</del> → <ins>0</ins>", html)
    assert 'name="accept_warnings"' in html and "户数为0" in html
    # Confirming without the checkbox writes nothing and says why.
    resp = c.post(url, {"confirm": "1"})
    assert resp.status_code == 400 and "提醒需要核对" in resp.content.decode()
    a.refresh_from_db()
    assert a.community.name == "天祥社区居委会" and a.households == 200
    resp = c.post(url, {"confirm": "1", "accept_warnings": "1"})
    assert resp.status_code == 302
    a.refresh_from_db()
    assert a.community.name == "青龙山社区居委会" and a.households == 0


def test_new_compound_named_like_one_in_another_street_warns(cast, users, client_for):
    c = client_for(users["bureau"])
    b = cast["compound_b"]  # 青云街道 云山小区
    rows = [
        HEADER,
        ["金辰街道", "", b.name, 10000, 100, 4, 1990],
        ["金辰街道", "", "天祥", 10000, 100, 4, 1990],
    ]
    html = c.get(upload(c, xlsx(rows))).content.decode()
    assert "不会把原小区移过来" in html
    assert "名称相近" in html and cast["compound_a"].name in html


def test_unit_update_shows_old_new_masked_by_role(cast, users, client_for):
    a = cast["compound_a"]
    data = xlsx(
        [["楼栋", "单元", "房号", "专有部分面积(㎡)", "业主姓名"], ["1栋", "1", "101", 82, "李四"]]
    )
    resp = client_for(users["bureau"]).post(
        reverse("inventory:import"),
        {
            "kind": "units",
            "compound": a.pk,
            "file": SimpleUploadedFile("u.xlsx", data, content_type=XLSX),
        },
    )
    html = client_for(users["bureau"]).get(resp["Location"]).content.decode()
    assert re.search(r"专有部分面积\(㎡\):<del>80.5</del> → <ins>82</ins>", html)
    # The housing bureau does not see owners' names: masked in old → new too.
    assert "业主姓名:<del>张*丰</del> → <ins>李*</ins>" in html and "张三丰" not in html


# ---------------------------------------------------------------- command line


def test_cli_json_reports_changes_and_warnings_like_the_preview(cast, tmp_path):
    a = cast["compound_a"]
    path = tmp_path / "t.xlsx"
    path.write_bytes(
        xlsx(
            [
                HEADER,
                ["金辰街道", "青龙山社区", a.name, 20000, 0, 4, 1995],
                ["金辰街道", "", "新小区", 5000, 50, 2, 1998],
            ]
        )
    )
    out = io.StringIO()
    call_command("import", str(path), "--dry-run", "--json", stdout=out)
    doc = json.loads(out.getvalue())
    first, second = doc["rows"]
    assert first["action"] == "update" and first["moves"] is True
    assert {"field": "households", "label": "户数", "old": "200", "new": "0"} in first["changes"]
    assert first["warnings"] == [{"column": "户数", "message": first["warnings"][0]["message"]}]
    assert second["action"] == "create" and second["changes"] == [] and second["warnings"] == []
    assert doc["warnings"][0]["row"] == 2
    # Without --accept-warnings nothing is written and the exit status is 1.
    with pytest.raises(CommandError, match="accept-warnings"):
        call_command("import", str(path), stdout=io.StringIO())
    assert not Compound.objects.filter(name="新小区").exists()
    call_command("import", str(path), "--accept-warnings", stdout=io.StringIO())
    a.refresh_from_db()
    assert a.households == 0 and Compound.objects.filter(name="新小区").exists()
