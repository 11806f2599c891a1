"""Spreadsheet export of the inventory.

`COMPOUND_COLUMNS` are the headers of our own import template, so an export
re-imports cleanly (same street + name → update). `export_units_xlsx` masks
owner names, phones and ID numbers unless the caller may see them
(个人信息保护法); a masked export is for reading, not for re-import.
"""

from collections.abc import Callable
from dataclasses import dataclass
from io import BytesIO
from itertools import groupby

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from gaizao.core.masking import mask_id_number, mask_name, mask_phone
from gaizao.core.sorting import unit_key
from gaizao.core.xlsx import safe_cell, safe_row

from .models import ManagementStatus

YES_NO = {True: "是", False: "否", None: ""}
# Rows fetched at a time by the compound export. The database driver holds
# up to two such batches at once (the one being written and the next), so
# this, not the jurisdiction, bounds the export's memory (bench/jobs.py).
EXPORT_CHUNK = 500
MANAGEMENT_LABELS = {
    ManagementStatus.PROPERTY_COMPANY: "物业",
    ManagementStatus.PROPERTY_RIGHTS_UNIT: "产权单位",
    ManagementStatus.SELF_GOVERNANCE: "自治",
    ManagementStatus.NONE: "无",
}


@dataclass(frozen=True)
class ExportColumn:
    header: str
    value: Callable
    width: int = 12


def _built(c):
    d = c.built_date
    if c.built_year_approximate and c.built_year is not None:
        return f"约{c.built_year}"  # re-imports as an approximate year
    if d is None:
        return c.built_year
    return d.strftime("%Y-%m") if d.day == 1 else d.isoformat()


def _demolition(c):
    """Years if known, else 是/否 as recorded; blank = not checked."""
    if c.demolition_within_years is not None:
        return c.demolition_within_years
    return YES_NO[c.demolition_planned]


def _num(v):
    if v is None:
        return None
    return int(v) if v == v.to_integral_value() else float(v)


C = ExportColumn
COMPOUND_COLUMNS: list[ExportColumn] = [
    C("小区名称", lambda c: c.name, 24),
    C("所属街道", lambda c: c.street.name, 14),
    C("所属社区", lambda c: c.community.name if c.community_id else "", 16),
    C("地址", lambda c: c.address, 24),
    C("建成年份", lambda c: _built(c), 10),
    C("建筑面积(㎡)", lambda c: _num(c.floor_area), 12),
    C("户数", lambda c: c.households, 8),
    C("楼栋数", lambda c: c.building_count, 8),
    C("估算投资(元)", lambda c: _num(c.investment_yuan), 14),
    C("主城区", lambda c: YES_NO[c.in_main_urban_area], 8),
    C("已纳入棚户区改造计划", lambda c: YES_NO[c.in_shantytown_plan], 10),
    C("拟拆除新建或改扩翻建(年内)", lambda c: _demolition(c), 10),
    C("居民自建住房面积(㎡)", lambda c: _num(c.self_built_area), 10),
    C("城中村", lambda c: YES_NO[c.is_urban_village], 8),
    C("管理状况", lambda c: MANAGEMENT_LABELS.get(c.management_status, ""), 10),
    C("物业公司", lambda c: c.property_company.name if c.property_company_id else "", 18),
    C("产权单位", lambda c: c.property_rights_unit.name if c.property_rights_unit_id else "", 18),
    C("经度", lambda c: _num(c.longitude), 11),
    C("纬度", lambda c: _num(c.latitude), 11),
    C("备注", lambda c: c.note, 24),
    # Not imported back (the import ignores it): a survey is its own record.
    C("最新调查评分", lambda c: _num(getattr(c, "latest_score", None)), 10),
]

UNIT_COLUMNS = [
    "楼栋",
    "单元",
    "房号",
    "楼层",
    "专有部分面积(㎡)",
    "业主姓名",
    "联系电话",
    "证件号码",
    "开发商未售",
]
UNIT_COLUMNS_WITH_COMPOUND = ["小区名称", *UNIT_COLUMNS]


def _header_cells(ws, headers):
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    out = []
    for h in headers:
        cell = WriteOnlyCell(ws, value=safe_cell(h))
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        out.append(cell)
    return out


def _write(
    title: str, headers: list[str], widths: list[int], rows, sheet_title: str, out=None
) -> bytes:
    """The workbook as bytes, or written to the file object `out` (then b"").
    write_only: a 100,000-unit export streams rows instead of building a DOM
    (openpyxl keeps the rows in a temporary file until the save)."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet_title[:31])
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.freeze_panes = "A2"
    ws.append(_header_cells(ws, headers))
    for row in rows:
        ws.append(safe_row(row))
    wb.properties.title = title
    if out is not None:
        wb.save(out)
        return b""
    buf = BytesIO()
    wb.save(buf)
    return buf.getvalue()


def with_latest_score(queryset):
    """The latest score is kept on the compound (inventory.latest)."""
    return queryset


def export_compounds_xlsx(queryset, *, progress=None, out=None) -> bytes:
    """The compounds of `queryset` (already scoped to the user) as .xlsx bytes,
    or written to the file object `out` (a background job: nothing of the
    size of the jurisdiction stays in memory), in the import template's
    columns plus the latest survey score. `progress(n)` is called after each
    row (a background job's counter)."""
    qs = with_latest_score(queryset).select_related(
        "street", "community", "property_company", "property_rights_unit"
    )

    def rows():
        for n, c in enumerate(qs.iterator(chunk_size=EXPORT_CHUNK), start=1):
            yield [col.value(c) for col in COMPOUND_COLUMNS]
            if progress is not None:
                progress(n)

    return _write(
        "老旧小区台账",
        [c.header for c in COMPOUND_COLUMNS],
        [c.width for c in COMPOUND_COLUMNS],
        rows(),
        "小区台账",
        out,
    )


def export_units_xlsx(queryset, *, mask_personal: bool, with_compound: bool = False) -> bytes:
    """Units of `queryset` with their owners. `mask_personal` masks names,
    phones and ID numbers (callers pass `not sees_personal_data(user)`)."""
    qs = queryset.select_related("building__compound", "owner").order_by(
        "building__compound_id", "building_id", "entrance", "number"
    )
    mn, mp, mi = (mask_name, mask_phone, mask_id_number) if mask_personal else (str, str, str)

    def units():
        # Natural order (1栋 < 2栋 < 10栋) within each compound; one compound
        # at a time in memory, whatever the size of the export.
        for _cid, group in groupby(
            qs.iterator(chunk_size=5000), key=lambda u: u.building.compound_id
        ):
            yield from sorted(
                group, key=lambda u: unit_key(u.building.number, u.entrance, u.number)
            )

    def rows():
        for u in units():
            o = u.owner
            row = [
                u.building.number,
                u.entrance,
                u.number,
                u.floor,
                _num(u.exclusive_area),
                mn(o.name) if o else "",
                mp(o.phone) if o and o.phone else "",
                mi(o.id_number) if o and o.id_number else "",
                "是" if o and o.is_developer else "否",
            ]
            if with_compound:
                row.insert(0, u.building.compound.name)
            yield row

    headers = UNIT_COLUMNS_WITH_COMPOUND if with_compound else UNIT_COLUMNS
    widths = [8, 6, 8, 6, 12, 12, 14, 22, 8]
    if with_compound:
        widths.insert(0, 20)
    return _write("房屋及业主清册", headers, widths, rows(), "房屋及业主")


def compound_template_xlsx() -> bytes:
    """Our import template: the headers only (an example row would be
    imported by whoever forgets to delete it)."""
    cols = [c for c in COMPOUND_COLUMNS if c.header != "最新调查评分"]
    return _write(
        "老旧小区台账导入模板", [c.header for c in cols], [c.width for c in cols], [], "小区台账"
    )


def unit_template_xlsx() -> bytes:
    return _write(
        "房屋及业主清册导入模板", UNIT_COLUMNS, [8, 6, 8, 6, 12, 12, 14, 22, 8], [], "房屋及业主"
    )
