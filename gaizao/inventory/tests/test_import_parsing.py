"""The pure parsing layer: published sheets as governments write them."""

import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from openpyxl import Workbook

from gaizao.inventory.importing import parse_compound_sheet, parse_unit_sheet


def xlsx(rows, *, merge=None) -> bytes:
    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(list(r))
    for rng in merge or []:
        ws.merge_cells(rng)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def parse(rows, **kw):
    return parse_compound_sheet(io.BytesIO(xlsx(rows, **kw)), filename="t.xlsx")


def test_synonyms_and_unit_conversion():
    p = parse(
        [
            [
                "序号",
                "所属街道",
                "社区",
                "小区（院）名称",
                "建设规模(万㎡)",
                "涉及居民(户)",
                "楼宇（栋）",
                "建成年代",
                "总投资(万元)",
                "地址",
            ],
            [
                1,
                "金辰街道",
                "天祥社区",
                "天祥小区",
                2.29,
                "220余",
                "１２",
                "1990年代",
                "1,200",
                "白塔路1号",
            ],
            [2, "金辰", "天祥", "白塔小区", "约2.29万平方米", "1,200", 3, "1995年6月", 35.5, ""],
            [3, "金辰", "天祥", "北辰小区", "8000平方米", "３００户", "4栋", "1988", "50万元", ""],
        ]
    )
    assert p.errors == []
    assert p.header_row == 1
    a, b, c = p.rows
    assert a["name"] == "天祥小区" and a["street"] == "金辰街道" and a["community"] == "天祥社区"
    assert a["floor_area_m2"] == Decimal("22900.00")
    assert a["households"] == 220 and "households" in a["approx"]
    assert a["buildings"] == 12
    assert a["build_year"] == 1990 and a["build_date"] is None and "build_year" in a["approx"]
    assert a["investment_yuan"] == Decimal("12000000.00")
    assert a["address"] == "白塔路1号"
    # The cell's own unit (万平方米) wins; "约" marks it approximate.
    assert b["floor_area_m2"] == Decimal("22900.00") and "floor_area_m2" in b["approx"]
    assert b["households"] == 1200
    assert (b["build_year"], b["build_date"]) == (1995, date(1995, 6, 1))
    assert b["investment_yuan"] == Decimal("355000.00")
    # A cell in m² under a 万㎡ header is not multiplied again.
    assert c["floor_area_m2"] == Decimal("8000.00")
    assert c["households"] == 300 and c["buildings"] == 4
    assert c["investment_yuan"] == Decimal("500000.00")
    assert set(p.columns) >= {"name", "street", "floor_area_m2", "households", "build"}


@pytest.mark.parametrize(
    "header,cell,expected",
    [
        ("建筑面积(平方米)", 22900, Decimal("22900")),
        ("建筑面积(万平方米)", 2.29, Decimal("22900")),
        ("改造面积", "3.5万㎡", Decimal("35000")),
        ("建筑面积（㎡）", "１２，５００", Decimal("12500")),
        ("建筑面积m2", "12500.5", Decimal("12500.5")),
    ],
)
def test_area_headers(header, cell, expected):
    p = parse([["小区名称", header, "户数"], ["甲小区", cell, 10]])
    assert p.errors == []
    assert p.rows[0]["floor_area_m2"] == expected


@pytest.mark.parametrize(
    "cell,year,day,approx",
    [
        ("1995-06", 1995, date(1995, 6, 1), False),
        ("1995年6月", 1995, date(1995, 6, 1), False),
        ("1995.6.15", 1995, date(1995, 6, 15), False),
        (datetime(1998, 3, 2), 1998, date(1998, 3, 2), False),
        (1987, 1987, None, False),
        ("1987年", 1987, None, False),
        ("80年代", 1980, None, True),
        ("20世纪90年代末", 1998, None, True),
        ("2000年以前", 1999, None, True),
    ],
)
def test_build_time(cell, year, day, approx):
    p = parse([["小区名称", "建成时间", "户数"], ["甲小区", cell, 1]])
    assert p.errors == []
    r = p.rows[0]
    assert (r["build_year"], r["build_date"], "build_year" in r["approx"]) == (year, day, approx)


def test_exclusion_columns():
    p = parse(
        [
            [
                "小区名称",
                "主城区",
                "已纳入棚户区改造计划",
                "三年内拆除/改扩建计划",
                "自建房片区",
                "城中村",
                "管理状况",
                "物业公司",
                "产权单位",
                "经度",
                "纬度",
                "备注",
                "建筑面积",
            ],
            [
                "甲",
                "是",
                "否",
                "是",
                "否",
                "否",
                "物业",
                "甲物业",
                "",
                102.72,
                25.04,
                "备注一",
                1000,
            ],
            ["乙", "否", "是", 2, "是", "是", "弃管", "", "机床厂", None, None, "", 2000],
            ["丙", "", "", "否", 350, "", "居民自治", "", "", None, None, "", 3000],
        ]
    )
    assert p.errors == []
    a, b, c = p.rows
    assert a["in_main_urban_area"] is True and a["in_shantytown_plan"] is False
    assert a["demolition_within_years"] == 3  # "三年内…": 是 means within 3 years
    assert a["self_built_area_m2"] == Decimal("0") and a["is_urban_village"] is False
    assert a["management_status"] == "property_company" and a["property_company"] == "甲物业"
    assert a["longitude"] == Decimal("102.720000") and a["latitude"] == Decimal("25.040000")
    assert a["note"] == "备注一"
    assert b["demolition_within_years"] == 2 and b["in_shantytown_plan"] is True
    assert b["self_built_area_m2"] == Decimal("2000.00")  # 是: the whole compound
    assert b["management_status"] == "none" and b["property_rights_unit"] == "机床厂"
    assert c["demolition_within_years"] is None and c["in_main_urban_area"] is None
    assert c["self_built_area_m2"] == Decimal("350.00")
    assert c["management_status"] == "self_governance"


def test_merged_title_rows_totals_and_blank_rows():
    p = parse(
        [
            ["盘龙区2020年老旧小区改造项目汇总表"],
            ["填报单位:盘龙区住房和城乡建设局", None, None, "2020年4月"],
            ["序号", "街道", "小区名称", "建筑面积(万平方米)", "户数"],
            [1, "金辰街道", "甲小区", 1.2, 100],
            [None, None, None, None, None],
            [2, None, "乙小区", 0.8, 80],  # street merged down
            ["合计", None, None, 2.0, 180],
            ["注:面积以不动产登记为准"],
        ],
        merge=["A1:E1"],
    )
    assert p.errors == []
    assert p.header_row == 3
    assert [r["name"] for r in p.rows] == ["甲小区", "乙小区"]
    assert [r["row"] for r in p.rows] == [4, 6]
    assert p.rows[1]["street"] == "金辰街道"  # filled down from the merged cell
    assert [s["row"] for s in p.skipped] == [7, 8]
    assert p.skipped[0]["reason"] == "合计行"


def test_bad_cells_name_row_and_column():
    p = parse(
        [
            ["小区名称", "建筑面积(㎡)", "户数", "建成年份", "主城区", "管理状况"],
            ["甲", "很大", "一百", "去年", "也许", "外包"],
            ["乙", 0, -2, 1800, "是", "物业"],
        ]
    )
    got = {(e.row, e.column) for e in p.errors}
    assert got == {
        (2, "建筑面积(㎡)"),
        (2, "户数"),
        (2, "建成年份"),
        (2, "主城区"),
        (2, "管理状况"),
        (3, "建筑面积(㎡)"),
        (3, "户数"),
        (3, "建成年份"),
    }
    msgs = {(e.row, e.column): e.message for e in p.errors}
    assert "很大" in msgs[(2, "建筑面积(㎡)")] and "不是数字" in msgs[(2, "建筑面积(㎡)")]
    assert "1800" in msgs[(3, "建成年份")]
    assert len(p.rows) == 2  # every row is still shown in the preview


def test_no_recognisable_header():
    p = parse([["姓名", "年龄"], ["张三", 30]])
    assert p.header_row is None and p.rows == []
    assert len(p.errors) == 1 and "未找到表头" in p.errors[0].message


def test_duplicate_compound_in_file():
    p = parse([["街道", "小区名称", "户数"], ["金辰街道", "甲", 1], ["金辰", "甲", 2]])
    assert [(e.row, e.column) for e in p.errors] == [(3, "小区名称")]
    assert "第2行" in p.errors[0].message


@pytest.mark.parametrize(
    "encoding,bom", [("utf-8", False), ("utf-8", True), ("gb18030", False), ("gbk", False)]
)
def test_csv_encodings(encoding, bom):
    content = "小区名称,所属街道,建筑面积(万平方米),居民户数\n天祥小区,金辰街道,2.29,220\n合计,,2.29,220\n"
    data = content.encode(encoding)
    if bom:
        data = b"\xef\xbb\xbf" + data
    p = parse_compound_sheet(io.BytesIO(data), filename="t.csv")
    assert p.errors == []
    assert p.rows[0]["name"] == "天祥小区"
    assert p.rows[0]["floor_area_m2"] == Decimal("22900.00")
    assert len(p.skipped) == 1


def test_xls_and_garbage_are_clear_errors():
    p = parse_compound_sheet(
        io.BytesIO(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"0" * 100), filename="old.xls"
    )
    assert "xls" in p.errors[0].message
    p = parse_compound_sheet(io.BytesIO(b"PK\x03\x04garbage"), filename="x.xlsx")
    assert p.errors and p.rows == []


def test_unit_sheet_fill_down_and_errors():
    data = xlsx(
        [
            ["XX小区房屋清册"],
            [
                "楼号",
                "单元",
                "房号",
                "建筑面积(㎡)",
                "产权人",
                "联系电话",
                "身份证号",
                "开发商未售",
            ],
            ["1号楼", "1单元", "101室", 80.5, "张三", 13800000001, "530103199001011234", "否"],
            [None, None, "102", "60", "张三", 13800000001, "530103199001011234", ""],
            [None, "2", "201", 0, "李四", "", "", "否"],
            [None, "2", "202", "abc", "", "", "", "是"],
            ["2", "1", "101", 70, "", "", "", "是"],
            ["1幢", "1", "101", 75, "王五", "", "", ""],
        ],
        merge=["A3:A6"],
    )
    p = parse_unit_sheet(io.BytesIO(data), filename="u.xlsx")
    rows = {r["row"]: r for r in p.rows}
    assert (
        rows[3]["building"] == "1栋" and rows[3]["entrance"] == "1" and rows[3]["number"] == "101"
    )
    assert rows[4]["building"] == "1栋" and rows[4]["entrance"] == "1"  # merged cells filled down
    assert rows[3]["phone"] == "13800000001" and rows[3]["exclusive_area"] == Decimal("80.50")
    assert rows[7]["building"] == "2栋" and rows[7]["is_developer"] is True
    errors = {(e.row, e.column) for e in p.errors}
    assert (5, "建筑面积(㎡)") in errors  # 0 m²
    assert (6, "建筑面积(㎡)") in errors  # not a number
    dup = [e for e in p.errors if e.row == 8]
    assert dup and "第3行" in dup[0].message and dup[0].column == "房号"


def test_zip_that_is_not_a_workbook():
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/document.xml", "<w/>")
    p = parse_compound_sheet(io.BytesIO(buf.getvalue()), filename="x.xlsx")
    assert p.rows == [] and "无法读取" in p.errors[0].message
