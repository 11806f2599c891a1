"""The compound sheet (小区台账): fields, synonyms and the row reader.

`parse_compound_sheet(file_or_path, *, filename=None) -> ParsedSheet` is
pure (no ORM); the eligibility command and the import services both call it.
Each row dict has the keys of ROW_KEYS; `approx` lists the fields whose cell
said 约 / 余 / 年代.
"""

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from .cells import (
    ABOUT,
    AREA_UNITS,
    MONEY_UNITS,
    CellError,
    build_time,
    integer,
    is_blank,
    nfkc,
    number,
    text,
    yes_no,
)
from .coords import to_wgs84
from .management import MANAGEMENT, management_status  # noqa: F401 (re-exported)
from .names import loose_name
from .plausibility import check_compound
from .sheet import Field, ParsedSheet, Schema, parse_sheet

F = Field
COMPOUND_FIELDS = [
    F(
        "name",
        gettext_noop("小区名称"),
        (
            "小区(院)名称",
            "小区(院落)名称",
            "项目名称",
            "小区名",
            "小区",
            "院落名称",
            "小区名字",
            "名称",
            "老旧小区名称",
            "小区(单栋楼)名称",
        ),
    ),
    F(
        "street",
        gettext_noop("所属街道"),
        ("街道", "街道办事处", "所属街道办事处", "街道名称", "街道办"),
    ),
    F("community", gettext_noop("所属社区"), ("社区", "社区居委会", "所属社区居委会", "社区名称")),
    F(
        "address",
        gettext_noop("地址"),
        ("小区地址", "详细地址", "坐落", "坐落地址", "位置", "地理位置", "门牌地址"),
    ),
    F(
        "build",
        gettext_noop("建成年份"),
        (
            "建成年代",
            "建成时间",
            "建成日期",
            "竣工时间",
            "竣工年份",
            "建设年代",
            "建成年限",
            "竣工日期",
            "建造年代",
            "修建年代",
        ),
    ),
    F(
        "floor_area_m2",
        gettext_noop("建筑面积(㎡)"),
        (
            "建筑面积(平方米)",
            "建筑面积(万平方米)",
            "建筑面积",
            "改造面积",
            "建设规模",
            "总建筑面积",
            "小区建筑面积",
            "改造建筑面积",
            "住宅建筑面积",
            "建设规模(万㎡)",
        ),
    ),
    F(
        "households",
        gettext_noop("户数"),
        (
            "涉及居民(户)",
            "涉及居民",
            "居民户数",
            "住户数",
            "总户数",
            "涉及户数",
            "户数(户)",
            "居民户",
            "受益户数",
            "涉及住户",
        ),
    ),
    F(
        "buildings",
        gettext_noop("楼栋数"),
        ("楼宇(栋)", "楼宇", "栋数", "楼栋数量", "楼栋", "幢数", "楼幢数", "涉及楼栋", "楼栋(栋)"),
    ),
    F(
        "investment_yuan",
        gettext_noop("估算投资(元)"),
        (
            "投资(万元)",
            "总投资(万元)",
            "投资",
            "总投资",
            "估算投资",
            "投资估算",
            "概算投资",
            "计划投资",
            "估算总投资",
        ),
    ),
    F(
        "in_main_urban_area",
        gettext_noop("主城区"),
        ("是否主城区", "位于主城区", "是否位于主城区", "主城区内"),
    ),
    F(
        "in_shantytown_plan",
        gettext_noop("已纳入棚户区改造计划"),
        (
            "纳入棚改计划",
            "是否纳入棚改计划",
            "已纳入棚改计划",
            "纳入棚户区改造计划",
            "是否纳入棚户区改造计划",
            "棚改",
        ),
    ),
    F(
        "demolition_within_years",
        gettext_noop("拟拆除新建或改扩翻建(年内)"),
        (
            "三年内拆除/改扩建计划",
            "三年内拆除改扩建计划",
            "近三年内拆除或改扩建",
            "拆除新建或改扩翻建计划",
            "拟拆除新建或改扩翻建",
            "拆除/改扩建计划",
            "拆除改扩建计划",
            "近3年拟拆除新建或改扩翻建",
            "3年内拆除/改扩建计划",
        ),
    ),
    F(
        "self_built_area_m2",
        gettext_noop("居民自建住房面积(㎡)"),
        (
            "自建房片区",
            "居民自建住房面积",
            "自建住房面积",
            "是否自建房片区",
            "以居民自建住房为主",
            "自建房",
        ),
    ),
    F("is_urban_village", gettext_noop("城中村"), ("是否城中村", "属于城中村")),
    F(
        "management_status",
        gettext_noop("管理状况"),
        ("管理模式", "管理方式", "物业管理情况", "物业管理状况", "管理情况", "物业管理模式"),
    ),
    F(
        "property_company",
        gettext_noop("物业公司"),
        ("物业服务企业", "物业名称", "物业企业", "物业服务单位", "物业管理公司"),
    ),
    F("property_rights_unit", gettext_noop("产权单位"), ("原产权单位", "产权单位名称")),
    F("longitude", gettext_noop("经度"), ("lng", "lon", "longitude")),
    F("latitude", gettext_noop("纬度"), ("lat", "latitude")),
    F("coordinate_system", gettext_noop("坐标系"), ("坐标系统", "crs")),
    F("note", gettext_noop("备注"), ("说明", "情况说明", "其他")),
]
# Columns our own export adds that import deliberately ignores.
COMPOUND_IGNORED = ("最新调查评分", "状况评分", "调查日期", "最新调查日期", "编号", "序号")

SCHEMA = Schema(
    "compounds",
    COMPOUND_FIELDS,
    required=("name",),
    ignored=COMPOUND_IGNORED,
    hints={
        "floor_area_m2": ("面积", "规模"),
        "households": ("户",),
        "buildings": ("栋", "幢", "楼宇"),
        "investment_yuan": ("投资", "资金", "造价", "概算", "估算"),
        "build": ("建成", "竣工", "年代", "建造"),
    },
    unit_fields={
        "万m2": "floor_area_m2",
        "m2": "floor_area_m2",
        "万元": "investment_yuan",
        "亿元": "investment_yuan",
        "元": "investment_yuan",
        "户": "households",
        "栋": "buildings",
        "幢": "buildings",
    },
)

ROW_KEYS = (
    "row",
    "name",
    "street",
    "community",
    "build_year",
    "build_date",
    "build_year_approximate",
    "floor_area_m2",
    "households",
    "buildings",
    "investment_yuan",
    "address",
    "in_main_urban_area",
    "in_shantytown_plan",
    "demolition_planned",
    "demolition_within_years",
    "self_built_area_m2",
    "is_urban_village",
    "management_status",
    "property_company",
    "property_rights_unit",
    "latitude",
    "longitude",
    "note",
)

Q2 = Decimal("0.01")
Q6 = Decimal("0.000001")
MAX_AREA = Decimal("9999999999")  # DecimalField(max_digits=12, decimal_places=2)
MAX_MONEY = Decimal("999999999999")


def _row(out: ParsedSheet, rownum: int, raw: dict) -> None:
    row: dict = {k: None for k in ROW_KEYS}
    row["row"] = rownum
    row["approx"] = []
    for k in (
        "address",
        "note",
        "property_company",
        "property_rights_unit",
        "street",
        "community",
        "management_status",
    ):
        row[k] = ""

    def cell(key):
        return raw.get(key, (None, None))

    def fail(key, exc):
        col = raw[key][1]
        out.error(str(exc), row=rownum, column=col.header if col else None, field=key)

    name, _c = cell("name")
    row["name"] = text(name)[:128]
    if not row["name"]:
        out.error(_("小区名称不能为空"), row=rownum, column=out.columns.get("name"), field="name")
    for k in ("street", "community", "address", "note", "property_company", "property_rights_unit"):
        row[k] = text(cell(k)[0])
    row["address"] = row["address"][:200]

    v, col = cell("build")
    try:
        y, d, approx = build_time(v)
        row["build_year"], row["build_date"] = y, d
        if approx:
            row["approx"].append("build_year")
        # Only a round figure is uncertain both ways ("2000年以前" is a bound).
        row["build_year_approximate"] = None if y is None else approx == ABOUT
    except CellError as e:
        fail("build", e)

    for key, units, limit in (
        ("floor_area_m2", AREA_UNITS, MAX_AREA),
        ("investment_yuan", MONEY_UNITS, MAX_MONEY),
    ):
        v, col = cell(key)
        try:
            d, approx = number(v, units=units, header_multiplier=col.multiplier if col else 1)
            if d is not None:
                if key == "floor_area_m2" and d <= 0:
                    raise CellError(_("建筑面积必须大于0(填的是“%(value)s”)") % {"value": text(v)})
                if d < 0:
                    raise CellError(_("“%(value)s”不能为负数") % {"value": text(v)})
                d = d.quantize(Q2)
                if d > limit:
                    raise CellError(_("“%(value)s”数值过大") % {"value": text(v)})
            row[key] = d
            if approx:
                row["approx"].append(key)
        except CellError as e:
            fail(key, e)

    for key in ("households", "buildings"):
        v, col = cell(key)
        try:
            n, approx = integer(v)
            if n is not None and n < 0:
                raise CellError(_("“%(value)s”不能为负数") % {"value": text(v)})
            row[key] = n
            if approx:
                row["approx"].append(key)
        except CellError as e:
            fail(key, e)

    for key in ("in_main_urban_area", "in_shantytown_plan", "is_urban_village"):
        try:
            row[key] = yes_no(cell(key)[0])
        except CellError as e:
            fail(key, e)

    v, col = cell("demolition_within_years")
    if not is_blank(v):
        try:
            if isinstance(v, int | float) or nfkc(v)[:1].isdigit():
                n, _a = integer(v)
                if n is None or not 0 <= n <= 100:
                    raise CellError(_("“%(value)s”不是合理的年数") % {"value": text(v)})
                row["demolition_within_years"] = n or None
                row["demolition_planned"] = bool(n)
            else:
                yes = yes_no(v)
                # 是 under "三年内…" is within 3 years; without years in the
                # header the years stay unknown (待核实), never made up.
                row["demolition_within_years"] = (col.years if col else None) if yes else None
                row["demolition_planned"] = yes
        except CellError:
            fail(
                "demolition_within_years",
                CellError(_("“%(value)s”应填“是”“否”或计划拆除的年数") % {"value": text(v)}),
            )

    v, col = cell("self_built_area_m2")
    if not is_blank(v):
        try:
            try:
                yes = yes_no(v)
            except CellError:
                yes = None
            if yes is True:
                # "以居民自建住房为主": the whole compound counts as self-built.
                if row["floor_area_m2"] is None:
                    raise CellError(_("填“是”时需要同时填写建筑面积,或直接填写自建住房面积(㎡)"))
                row["self_built_area_m2"] = row["floor_area_m2"]
            elif yes is False:
                row["self_built_area_m2"] = Decimal("0.00")
            else:
                d, approx = number(
                    v, units=AREA_UNITS, header_multiplier=col.multiplier if col else 1
                )
                if d is not None and d < 0:
                    raise CellError(_("“%(value)s”不能为负数") % {"value": text(v)})
                row["self_built_area_m2"] = d.quantize(Q2) if d is not None else None
                if approx:
                    row["approx"].append("self_built_area_m2")
        except CellError as e:
            fail("self_built_area_m2", e)

    sb, fa = row.get("self_built_area_m2"), row.get("floor_area_m2")
    if sb is not None and fa is not None and sb > fa:
        fail(
            "self_built_area_m2",
            CellError(_("居民自建住房面积(%(sb)s㎡)大于建筑面积(%(fa)s㎡)") % {"sb": sb, "fa": fa}),
        )

    try:
        row["management_status"] = management_status(cell("management_status")[0])
    except CellError as e:
        fail("management_status", e)

    for key, lo, hi in (("latitude", -90, 90), ("longitude", -180, 180)):
        v, col = cell(key)
        try:
            d, _a = number(v)
            if d is not None:
                if not lo <= d <= hi:
                    if key == "latitude":
                        raise CellError(_("“%(value)s”超出纬度范围") % {"value": text(v)})
                    raise CellError(_("“%(value)s”超出经度范围") % {"value": text(v)})
                d = d.quantize(Q6)
            row[key] = d
        except CellError as e:
            fail(key, e)
    try:
        to_wgs84(row, text(cell("coordinate_system")[0]))
    except CellError as e:
        fail("coordinate_system", e)
    for finding in check_compound(row):
        col = raw.get(finding.field, (None, None))[1]
        where = {"row": rownum, "column": col.header if col else None, "field": finding.field}
        if finding.level == "error":
            out.error(finding.message, **where)
        else:
            out.warn(finding.message, **where)
    out.rows.append(row)


def _street_key(s: str) -> str:
    s = nfkc(s).replace(" ", "")
    for suffix in ("街道办事处", "街道办", "街道", "办事处"):
        if s.endswith(suffix) and len(s) > len(suffix):
            return s[: -len(suffix)]
    return s


def parse_compound_sheet(file_or_path, *, filename=None) -> ParsedSheet:
    """Read a compound spreadsheet (.xlsx or .csv) into plain rows, without
    touching the database. Errors name the spreadsheet row and header."""
    out = parse_sheet(
        SCHEMA, file_or_path, filename, _row, fill_down=("street", "community"), name_field="name"
    )
    seen: dict[tuple[str, str], int] = {}
    near: dict[tuple[str, str], dict] = {}
    name_col = out.columns.get("name")
    for row in out.rows:
        if not row["name"]:
            continue
        key = (_street_key(row["street"]), nfkc(row["name"]).replace(" ", ""))
        if key in seen:
            out.error(
                _("小区“%(name)s”与第%(row)s行重复") % {"name": row["name"], "row": seen[key]},
                row=row["row"],
                column=name_col,
                field="name",
            )
        else:
            seen[key] = row["row"]
            loose = (key[0], loose_name(row["name"]))
            first = near.setdefault(loose, row)
            if first is not row:
                out.warn(
                    _("小区“%(name)s”与第%(row)s行“%(other)s”名称相近,是否同一小区填了两次?")
                    % {"name": row["name"], "row": first["row"], "other": first["name"]},
                    row=row["row"],
                    column=name_col,
                    field="name",
                )
    return out
