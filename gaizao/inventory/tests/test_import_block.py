"""The column-wise walk of large sheets (importing/block.py) sees the same
data rows, values, columns and skipped rows as the row-by-row walk."""

import io

import pytest
from openpyxl import Workbook

from gaizao.inventory.importing import parse_unit_sheet
from gaizao.inventory.importing.block import _suspect, paused_gc
from gaizao.inventory.importing.sheet import parse_sheet
from gaizao.inventory.importing.units import SCHEMA

HEADER = [
    "序号",
    "楼栋",
    "单元",
    "房号",
    "面积",
    "专有部分面积(㎡)",
    "业主姓名",
    "联系电话",
    "备考",
]
ROWS = [
    ["某小区房屋清册"],
    ["填报单位:某街道"],
    HEADER,
    [1, "1栋", "1", "101", 80.5, None, "张三", "13800000001", None],
    [2, None, None, "102", None, 81, "全红", "13800000002", None],  # merged building, 全…
    [3, "  ", " ", "103", 82, None, "(暂无)", None, None],  # spaces only, a bracket
    [None, None, None, None, None, None, None, None, None],
    [None, "小计", None, None, 243.5, None, None, None, None],  # totals
    [4, "2栋", "1", "101", 60, None, "小明", "13800000004", "x"],  # 小… but a data row
    ["注:面积以不动产登记为准"],  # a note
    HEADER,  # repeated header
    [5, None, None, None, None, None, None, None, "说明"],  # nothing but a serial
    [None, None, None, "201", 70],  # two cells, not a note: data
    ["  合计", None, None, None, 1000],  # totals after spaces
    [6, "3栋", "2", "301", "90平方米", None, "李四", " 139 0000 0006 ", None],
    [7, None, None, "302", None, None, "王五", None, None],  # area blank: error
]


def _xlsx(rows) -> bytes:
    wb = Workbook()
    for r in rows:
        wb.active.append(list(r))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _csv(rows) -> bytes:
    lines = [",".join("" if v is None else str(v) for v in r) for r in rows]
    return "\n".join(lines).encode()


def _by_row(out, rownum, raw):
    out.rows.append({"row": rownum, **{k: (v, c.header) for k, (v, c) in sorted(raw.items())}})


def _by_block(out, rownums, fields):
    for i, r in enumerate(rownums):
        row = {"row": r}
        for k, (values, col) in sorted(fields.items()):
            c = col[i] if col.__class__ is list else col
            row[k] = (values[i], c.header)
        out.rows.append(row)


@pytest.mark.parametrize(
    ("data", "name"), [(_xlsx(ROWS), "a.xlsx"), (_csv(ROWS), "a.csv")], ids=["xlsx", "csv"]
)
def test_block_walk_sees_what_the_row_walk_sees(data, name):
    kw = {"fill_down": ("building", "entrance"), "name_field": "number"}
    by_row = parse_sheet(SCHEMA, data, name, _by_row, **kw)
    by_block = parse_sheet(SCHEMA, data, name, None, block_parser=_by_block, **kw)
    assert not by_row.errors
    assert by_block.rows == by_row.rows
    assert by_block.skipped == by_row.skipped
    assert [r["row"] for r in by_row.rows] == [4, 5, 6, 9, 13, 15, 16]
    assert [(s["row"], s["reason"]) for s in by_row.skipped] == [
        (8, "合计行"),
        (10, "说明行"),
        (11, "重复的表头行"),
        (12, "无内容的行(仅序号)"),
        (14, "合计行"),
    ]
    # Filled down under the merged (blank or spaces-only) cells.
    assert [r["building"][0] for r in by_block.rows] == ["1栋"] * 3 + ["2栋"] * 2 + ["3栋"] * 2
    # Two area columns: the first filled one, named in messages.
    value, column = by_block.rows[1]["exclusive_area"]
    assert (str(value), column) == ("81", "专有部分面积(㎡)")


def test_unit_rows_errors_in_row_then_field_order():
    rows = [
        ["楼栋", "单元", "房号", "楼层", "专有部分面积(㎡)", "业主姓名", "证件号码", "开发商未售"],
        ["1栋", "1", "101", 1, 80, "张三", "53010319900101123x", "否"],
        ["1栋", "1", "", "九", -1, "李四", 530103199001011234, "也许"],
        ["1栋", "1", "103", "3层", "约85.5", " 王 五 ", None, "√"],
        ["1栋", "1", "101", 300, 80, "赵六", None, None],
    ]
    out = parse_unit_sheet(_xlsx(rows), filename="a.xlsx")
    assert [(e.row, e.field) for e in out.errors] == [
        (3, "number"),
        (3, "floor"),
        (3, "exclusive_area"),
        (3, "id_number"),
        (3, "is_developer"),
        (5, "floor"),
        (5, "number"),  # the duplicate unit, found after the rows
    ]
    assert out.errors[1].column == "楼层"
    first, _bad, third, _dup = out.rows
    assert first["id_number"] == "53010319900101123X"
    assert (third["floor"], third["is_developer"], third["owner_name"]) == (3, True, "王 五")
    assert str(third["exclusive_area"]) == "85.50"
    assert [r["ok"] for r in out.rows] == [True, False, True, True]


def test_suspect_strings_found_by_column():
    col = ["合计", 1, None, "a", " x", "全", "(注)", "业主", "\u3000", "_a", "x合", 2.5]
    assert _suspect(col) == [0, 4, 5, 6, 8, 9]


def test_paused_gc_restores_the_collector():
    import gc

    assert gc.isenabled()
    with paused_gc():
        assert not gc.isenabled()
    assert gc.isenabled()
