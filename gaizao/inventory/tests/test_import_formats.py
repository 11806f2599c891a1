"""Spreadsheets as governments send them (issue 12): .xls, .ods, WPS files,
two-row headers, units in any bracket style, columns not recognised."""

import io
from decimal import Decimal

import pytest
from openpyxl import Workbook

from gaizao.inventory.importing import parse_compound_sheet

from .sheets import ods, raw_xlsx, sheet_xml, xls

TABLE = [
    ["盘龙区2020年老旧小区改造项目表"],
    ["序号", "所属街道", "小区名称", "建设规模(约,万平方米)", "涉及居民(户)", "建成年代"],
    [1, "金辰街道", "操兵巷1、18号", 1.25, 120, 1992],
    [2, "金辰街道", "阜阳路144、146-5号", 0.5, 48, "1990年代"],
    [3, "金辰街道", "天祥小区", 2.29, 260, 1988],
]


def xlsx(rows, merges=()) -> bytes:
    wb = Workbook()
    for r in rows:
        wb.active.append(list(r))
    for m in merges:
        wb.active.merge_cells(m)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def csv(rows) -> bytes:
    import csv as csv_module

    buf = io.StringIO()
    csv_module.writer(buf).writerows(rows)
    return buf.getvalue().encode()


def parse(data, name):
    return parse_compound_sheet(io.BytesIO(data), filename=name)


def essentials(p):
    keys = ("row", "name", "street", "floor_area_m2", "households", "build_year", "approx")
    return [{k: r[k] for k in keys} for r in p.rows]


def test_xls_ods_xlsx_and_csv_of_one_table_give_identical_rows():
    results = {
        name: parse(data, name)
        for name, data in (
            ("t.xlsx", xlsx(TABLE)),
            ("t.xls", xls(TABLE)),
            ("t.ods", ods(TABLE)),
            ("t.csv", csv(TABLE)),
        )
    }
    for name, p in results.items():
        assert p.errors == [], (name, p.errors)
    first = essentials(results["t.xlsx"])
    assert [r["floor_area_m2"] for r in first] == [
        Decimal("12500.00"),
        Decimal("5000.00"),
        Decimal("22900.00"),
    ]
    for name, p in results.items():
        assert essentials(p) == first, name


def test_wps_et_is_sniffed_by_its_bytes():
    # WPS .et files are either BIFF8 (.xls) or OOXML inside; the name says neither.
    for data in (xls(TABLE), xlsx(TABLE)):
        p = parse(data, "街道报表.et")
        assert p.errors == [] and [r["name"] for r in p.rows][0] == "操兵巷1、18号"
    p = parse(b"\x00\x01garbage", "报表.et")
    assert "WPS" in p.errors[0].message


def test_wps_style_xlsx_with_a_wrong_dimension_reads_every_row():
    # WPS writes <dimension ref="A1:A1">; openpyxl's read-only mode then saw one cell.
    data = raw_xlsx(sheet_xml(TABLE), dimension="A1:A1")
    p = parse(data, "wps.xlsx")
    assert p.errors == [] and len(p.rows) == 3
    assert p.rows[2]["households"] == 260


def test_html_saved_as_xls_gets_a_message():
    p = parse(b"<html><table><tr><td>1</td></tr></table></html>", "export.xls")
    assert "网页" in p.errors[0].message


def test_tab_separated_text_saved_as_xls_reads():
    data = "\n".join("\t".join(str(v) for v in r) for r in TABLE[1:]).encode("gb18030")
    p = parse(data, "old.xls")
    assert p.errors == [] and p.rows[0]["households"] == 120


TWO_ROW = [
    ["小区名称", "所属街道", "改造规模", None, None, "投资(万元)"],
    [None, None, "楼栋", "户数", "建筑面积(万㎡)", None],
    ["天祥小区", "金辰街道", 6, 260, 2.5, 300],
    ["桃源小区", "金辰街道", 3, 120, 1.2, 150],
]


@pytest.mark.parametrize("fmt", ["xlsx", "xls", "csv"])
def test_two_row_merged_header_is_combined(fmt):
    merges = ["A1:A2", "B1:B2", "C1:E1", "F1:F2"]
    data = {
        "xlsx": lambda: xlsx(TWO_ROW, merges),
        "xls": lambda: xls(
            TWO_ROW, merges=[(0, 1, 0, 0), (0, 1, 1, 1), (0, 0, 2, 4), (0, 1, 5, 5)]
        ),
        "csv": lambda: csv(TWO_ROW),
    }[fmt]()
    p = parse(data, f"t.{fmt}")
    assert p.errors == [] and p.header_row == 2
    assert p.columns["floor_area_m2"] == "改造规模 / 建筑面积(万㎡)"
    r = p.rows[0]
    assert (r["buildings"], r["households"], r["floor_area_m2"]) == (6, 260, Decimal("25000.00"))
    assert r["investment_yuan"] == Decimal("3000000.00")


@pytest.mark.parametrize(
    "header,expected",
    [
        ("建设规模(约,万平方米)", Decimal("12500.00")),
        ("建筑面积（万㎡）", Decimal("12500.00")),
        ("建筑面积【万平方米】", Decimal("12500.00")),
        ("改造规模〔单位:万㎡〕", Decimal("12500.00")),
        ("建筑面积/万㎡", Decimal("12500.00")),
        ("小区总面积(平方米)", Decimal("1.25")),
    ],
)
def test_header_units_in_any_bracket_style(header, expected):
    p = parse(xlsx([["小区名称", "户数", header], ["天祥小区", 10, 1.25]]), "t.xlsx")
    assert p.errors == [] and p.rows[0]["floor_area_m2"] == expected


def test_investment_and_households_by_unit():
    p = parse(
        xlsx([["小区名称", "项目资金(万元)", "受益居民(户)"], ["天祥小区", 50, 30]]), "t.xlsx"
    )
    assert p.errors == []
    assert p.rows[0]["investment_yuan"] == Decimal("500000.00") and p.rows[0]["households"] == 30


def test_renovation_items_in_m2_are_not_the_floor_area():
    p = parse(xlsx([["小区名称", "户数", "道路面积(㎡)"], ["天祥小区", 10, 900]]), "t.xlsx")
    assert p.rows[0]["floor_area_m2"] is None and "道路面积(㎡)" in p.ignored_columns


def test_unrecognised_lookalike_column_blank_everywhere_is_an_error():
    p = parse(xlsx([["小区名称", "户数", "房屋面积情况"], ["天祥小区", 10, "2.5万"]]), "t.xlsx")
    assert len(p.errors) == 1
    e = p.errors[0]
    assert e.column == "房屋面积情况" and "建筑面积" in e.message and "所有行都为空" in e.message
    # Recognised through another column: the look-alike stays a grey hint.
    p = parse(xlsx([["小区名称", "建筑面积", "房屋面积情况"], ["天祥小区", 2000, "x"]]), "t.xlsx")
    assert p.errors == [] and p.ignored_columns == ["房屋面积情况"]


def test_names_with_list_marks_and_ranges_are_kept_whole():
    p = parse(xlsx(TABLE), "t.xlsx")
    assert [r["name"] for r in p.rows[:2]] == ["操兵巷1、18号", "阜阳路144、146-5号"]
    assert p.errors == []
