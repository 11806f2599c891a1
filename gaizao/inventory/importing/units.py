"""The unit and owner sheet (房屋及业主清册) of one compound: pure, no ORM.

Row keys: row, building, entrance, number, floor, exclusive_area (Decimal),
owner_name, phone, id_number, is_developer. Building and entrance cells are
often merged down a block of rows; the blank cells below are filled down.
"""

import re
from decimal import Decimal
from functools import lru_cache

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from .cells import AREA_UNITS, CellError, integer, nfkc, number, text, yes_no
from .sheet import Field, ParsedSheet, Schema, parse_sheet

F = Field
UNIT_FIELDS = [
    F(
        "building",
        gettext_noop("楼栋"),
        ("楼号", "楼栋号", "栋号", "幢号", "楼幢", "楼栋编号", "幢", "栋", "楼"),
    ),
    F("entrance", gettext_noop("单元"), ("单元号", "单元编号")),
    F("number", gettext_noop("房号"), ("房间号", "户号", "门牌号", "室号", "房屋编号", "房号(室)")),
    F("floor", gettext_noop("楼层"), ("所在楼层", "层")),
    F(
        "exclusive_area",
        gettext_noop("专有部分面积(㎡)"),
        (
            "专有部分面积",
            "建筑面积(㎡)",
            "建筑面积",
            "房屋建筑面积",
            "产权面积",
            "登记面积",
            "面积",
            "房屋面积",
            "专有面积",
        ),
    ),
    F(
        "owner_name",
        gettext_noop("业主姓名"),
        ("产权人", "业主", "权利人", "房屋所有权人", "所有权人", "产权人姓名", "姓名", "业主名称"),
    ),
    F(
        "phone",
        gettext_noop("联系电话"),
        ("电话", "手机", "手机号", "手机号码", "联系方式", "电话号码"),
    ),
    F(
        "id_number",
        gettext_noop("证件号码"),
        ("身份证号", "身份证号码", "身份证", "证件号", "统一社会信用代码", "证件号码(身份证)"),
    ),
    F(
        "is_developer",
        gettext_noop("开发商未售"),
        ("开发商持有", "未售", "开发建设单位未售", "开发商未售出", "是否开发商未售", "开发商"),
    ),
]
SCHEMA = Schema(
    "units",
    UNIT_FIELDS,
    required=("number", "exclusive_area"),
    ignored=("序号", "小区名称", "小区"),
    hints={"owner_name": ("业主", "产权人", "权利人", "所有人"), "exclusive_area": ("面积",)},
    unit_fields={"m2": "exclusive_area"},
)

ROW_KEYS = (
    "row",
    "building",
    "entrance",
    "number",
    "floor",
    "exclusive_area",
    "owner_name",
    "phone",
    "id_number",
    "is_developer",
)
DEFAULT_BUILDING = "1栋"
MAX_UNIT_AREA = Decimal("9999999.99")  # DecimalField(max_digits=9, decimal_places=2)
Q2 = Decimal("0.01")

_BUILDING = re.compile(r"^(第)?(\d+)(号楼|号|栋楼|栋|幢|座|楼)?$")
_ENTRANCE = re.compile(r"^(第)?(\d+)(单元|号)?$")
_UNIT_NO = re.compile(r"^(\d+)(室|号|房)?$")


@lru_cache(maxsize=4096)
def building_number(value) -> str:
    """'1', '1号楼', '1幢', 1.0 → '1栋'; anything else as written."""
    s = nfkc(text(value)).replace(" ", "")
    m = _BUILDING.match(s)
    return f"{int(m.group(2))}栋" if m else s[:32]


@lru_cache(maxsize=1024)
def entrance_number(value) -> str:
    s = nfkc(text(value)).replace(" ", "")
    m = _ENTRANCE.match(s)
    return str(int(m.group(2))) if m else s[:16]


@lru_cache(maxsize=8192)
def unit_number(value) -> str:
    s = nfkc(text(value)).replace(" ", "")
    m = _UNIT_NO.match(s)
    return m.group(1) if m else s[:32]


_FLOOR_UNITS = (("层", 1), ("楼", 1))


@lru_cache(maxsize=65536, typed=True)
def unit_area(value, multiplier=1) -> Decimal:
    """An exclusive-area cell in m², to the cent; CellError when it is not a
    positive number the register can hold. Cached: a register repeats a few
    hundred areas over its 100,000 units."""
    area, _a = number(value, units=AREA_UNITS, header_multiplier=multiplier)
    if area is None or area <= 0:
        raise CellError(_("面积必须大于0(填的是“%(value)s”)") % {"value": text(value)})
    # Checked before quantize too, which fails past 28 digits (1e30 ㎡).
    if area >= 10_000_000 or (area := area.quantize(Q2)) > MAX_UNIT_AREA:
        raise CellError(_("“%(value)s”面积过大") % {"value": text(value)})
    if not area:  # 0.001 ㎡ is 0.00 once stored
        raise CellError(_("面积必须大于0(填的是“%(value)s”)") % {"value": text(value)})
    return area


def floor_number(value) -> int | None:
    if value.__class__ is int:  # the usual cell: skip the text parsing
        floor = value
    else:
        floor, _a = integer(value, units=_FLOOR_UNITS)
    if floor is not None and not -10 <= floor <= 200:
        raise CellError(_("“%(value)s”不是合理的楼层") % {"value": text(value)})
    return floor


def compact(value) -> str:
    """A code (phone, ID number) half-width, without spaces."""
    if value is None:
        return ""
    if value.__class__ is str and value.isascii():
        return "".join(value.split())  # what the general path gives ASCII, faster
    return nfkc(text(value)).replace(" ", "")


_YES_NO = {"是": True, "否": False}
_SLOW = object()


def _block(out: ParsedSheet, rownums: list[int], fields: dict) -> None:
    """Every data row at once, column by column (100,000 rows in a district's
    register): each column's common cells take one comprehension over the
    whole column (cached conversions, no call per cell for the usual ints,
    codes and 是/否), the rest the long paths with the same messages as
    always. Errors are reported in row order, then field order."""
    n = len(rownums)
    none = [None] * n
    failures: list[tuple[int, int, str, str]] = []  # (position, order, field, message)

    def values(key):
        return fields[key][0] if key in fields else none

    ok = [True] * n
    vals = values("building")
    if "building" in fields:
        for i in [i for i, v in enumerate(vals) if v is None]:
            failures.append((i, 0, "building", _("楼栋不能为空")))
            ok[i] = False
    buildings = [DEFAULT_BUILDING if v is None else building_number(v) for v in vals]
    entrances = list(map(entrance_number, values("entrance")))
    numbers = list(map(unit_number, values("number")))
    for i in [i for i, v in enumerate(numbers) if not v]:
        failures.append((i, 1, "number", _("房号不能为空")))
        ok[i] = False
    floors = list(values("floor"))
    for i, v in [
        (i, v)
        for i, v in enumerate(floors)
        if v is not None and (v.__class__ is not int or not -10 <= v <= 200)
    ]:
        try:
            floors[i] = floor_number(v)
        except CellError as e:
            floors[i] = None
            failures.append((i, 2, "floor", str(e)))
    vals = values("exclusive_area")
    col = fields.get("exclusive_area", (None, None))[1]
    mults = (
        [c.multiplier for c in col]
        if col.__class__ is list
        else [getattr(col, "multiplier", 1)] * n
    )
    areas: list = [None] * n
    try:
        if col.__class__ is list:
            raise CellError("")  # several columns: one by one below
        m = mults[0]
        areas = [None if v is None else unit_area(v, m) for v in vals]
    except CellError:
        for i, v in enumerate(vals):
            if v is not None:
                try:
                    areas[i] = unit_area(v, mults[i])
                except CellError as e:
                    failures.append((i, 3, "exclusive_area", str(e)))
                    ok[i] = False
    for i in [i for i, v in enumerate(vals) if v is None]:
        failures.append((i, 3, "exclusive_area", _("面积不能为空")))
        ok[i] = False
    ids = values("id_number")
    for i in [
        i
        for i, v in enumerate(ids)
        if (v.__class__ is int or v.__class__ is float) and abs(v) >= 1e15
    ]:
        # Excel kept an 18-digit ID as a float: the last digits are gone.
        failures.append(
            (
                i,
                4,
                "id_number",
                _("证件号码被 Excel 存成了数字,末几位已丢失;请把该列设为文本后重新填写"),
            )
        )
    vals = values("is_developer")
    developer = [False if v is None else _YES_NO.get(v, _SLOW) for v in vals]
    for i in [i for i, d in enumerate(developer) if d is _SLOW]:
        try:
            developer[i] = bool(yes_no(vals[i]))
        except CellError as e:
            developer[i] = False
            failures.append((i, 5, "is_developer", str(e)))
    # Names and codes: letters and digits only (the usual cell) are stored as they are.
    names = [
        v[:128] if v.__class__ is str and v.isalnum() else text(v)[:128]
        for v in values("owner_name")
    ]
    phones = [
        v[:32] if v.__class__ is str and v.isascii() and v.isalnum() else compact(v)[:32]
        for v in values("phone")
    ]
    ids = [
        v.upper()[:32]
        if v.__class__ is str and v.isascii() and v.isalnum()
        else compact(v).upper()[:32]
        for v in ids
    ]
    out.rows.extend(
        [
            {
                "row": r,
                "building": b,
                "entrance": e,
                "number": no,
                "floor": f,
                "exclusive_area": a,
                "owner_name": nm,
                "phone": p,
                "id_number": idn,
                "is_developer": d,
                "ok": k,
            }
            for r, b, e, no, f, a, nm, p, idn, d, k in zip(
                rownums,
                buildings,
                entrances,
                numbers,
                floors,
                areas,
                names,
                phones,
                ids,
                developer,
                ok,
                strict=True,
            )
        ]
    )
    failures.sort(key=lambda f: (f[0], f[1]))
    for i, _order, key, message in failures:
        col = fields[key][1] if key in fields else None
        if col.__class__ is list:
            col = col[i]
        out.error(
            message,
            row=rownums[i],
            column=col.header if col else out.columns.get(key),
            field=key,
        )


def parse_unit_sheet(file_or_path, *, filename=None) -> ParsedSheet:
    """Read a unit/owner spreadsheet into plain rows, without the database."""
    out = parse_sheet(
        SCHEMA,
        file_or_path,
        filename,
        None,
        fill_down=("building", "entrance"),
        name_field="number",
        block_parser=_block,
    )
    seen: dict[tuple[str, str, str], int] = {}
    col = out.columns.get("number")
    keys = [(r["building"], r["entrance"], r["number"]) for r in out.rows]
    if len(set(keys)) == len(keys):
        return out  # no two rows name the same unit (the usual file: one look)
    for row in out.rows:
        if not row["number"]:
            continue
        key = (row["building"], row["entrance"], row["number"])
        first = seen.setdefault(key, row["row"])
        if first != row["row"]:
            where = f"{row['building']}{row['entrance'] + '单元' if row['entrance'] else ''}{row['number']}"
            out.error(
                _("房屋“%(unit)s”重复:与第%(row)s行是同一楼栋、单元和房号")
                % {"unit": where, "row": first},
                row=row["row"],
                column=col,
                field="number",
            )
    return out
