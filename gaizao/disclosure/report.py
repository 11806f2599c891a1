"""The statistical report to the level above (城镇老旧小区改造统计报表), per
month or quarter, in a fixed layout: one row per indicator with its code,
one column per area below the reporting area (streets of a district,
districts of a city) and the total. Figures add up street → district → city
because every figure is counted per compound and summed by where the compound
is (regions.scope: the street's code prefix).

Indicators follow the national statistical survey of old-compound renovation
(住房和城乡建设部 城镇老旧小区改造统计调查制度): planned and newly started
compounds and households, the start rate (开工率) by compounds and by
households, completed, investment completed and funds received by source,
and the effect indicators. Our row codes are fixed here (ROWS); they are the
system's, to be mapped to the survey form's own numbering by whoever files it.

Counting rules:
- a compound's start date is the earliest actual 开工 date of its works (its
  own or its cluster's); it is "newly started" in exactly one month, so it is
  counted once across the year; "started this year" = start date from
  1 January to the period's end;
- planned = compounds in programme batches that run during the period's year;
- carried over (结转) = started before the period, not completed before it;
  under way at the end = started by the end, not completed by the end — the
  next period's carry-over;
- investment completed = works cost entries of kind 已支出 dated in the
  period; funds received = entries of kind 已拨付, by funding source;
- effect indicators = quantities of the plan items of works completed
  (竣工 dated) in the period, by catalogue code (EFFECT_CODES), in the unit
  the catalogue gives; items in another unit are not counted."""

import calendar
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from io import BytesIO

from django.db.models import Case, Count, Exists, F, OuterRef, Q, Sum, Value, When
from django.db.models.functions import Coalesce, Substr
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from gaizao.inventory.models import Compound
from gaizao.plans.models import ClusterMember, FundingSource, PlanItem
from gaizao.programme.models import Entry
from gaizao.regions.models import Area
from gaizao.regions.scope import compound_area_q
from gaizao.works.models import CostEntry, CostKind, Milestone, Stage, Works

from .models import CompoundFacts

ZERO = Decimal("0")
PERIOD_RE = re.compile(r"^(\d{4})-(?:(0[1-9]|1[0-2])|Q([1-4]))$")


class BadPeriod(ValueError):
    pass


@dataclass(frozen=True)
class Period:
    label: str
    start: date
    end: date  # inclusive

    @property
    def year_start(self) -> date:
        return date(self.start.year, 1, 1)

    @property
    def year_end(self) -> date:
        return date(self.start.year, 12, 31)


def _month_end(y: int, m: int) -> date:
    return date(y, m, calendar.monthrange(y, m)[1])


def parse_period(text: str) -> Period:
    """ "2024-06" (a month) or "2024-Q2" (a quarter)."""
    m = PERIOD_RE.match((text or "").strip().upper())
    if not m:
        raise BadPeriod(text)
    y = int(m.group(1))
    if m.group(2):
        mo = int(m.group(2))
        return Period(f"{y}-{mo:02d}", date(y, mo, 1), _month_end(y, mo))
    q = int(m.group(3))
    return Period(f"{y}-Q{q}", date(y, 3 * q - 2, 1), _month_end(y, 3 * q))


# Effect indicators: row key → (catalogue codes, unit counted, divisor).
EFFECT_CODES = {
    "pipe_water": (("water_supply_pipes", "sewage_pipes_replace", "rain_sewage_separation"), "m"),
    # The catalogue keeps 强弱电 together: reported under power (docs/disclosure.md).
    "pipe_power": (("power_telecom_tidy", "power_telecom_underground", "power_pipes"), "m"),
    "pipe_gas": (("gas_pipe_protection", "gas_pipes"), "m"),
    "pipe_heating": (("heating_pipes",), "m"),
    "pipe_telecom": (("telecom_pipes",), "m"),
    "lifts": (("elevator_retrofit",), "部"),
    "parking": (("parking_marking", "parking_garage"), "个"),
    "chargers": (("charging_points",), "个"),
    "elderly": (("elderly_care",), "处"),
    "childcare": (("childcare",), "处"),
    "community": (
        ("community_canteen", "health_station", "reading_room", "convenience_store"),
        "处",
    ),
    "energy": (("energy_retrofit",), "m²"),
}
KM_ROWS = {"pipe_water", "pipe_power", "pipe_gas", "pipe_heating", "pipe_telecom"}

# The fixed layout: (code, key, label, unit). "=" rows are ratios, computed
# per column from other rows, never summed.
ROWS = [
    ("01", "planned_n", _("计划改造小区数"), _("个")),
    ("02", "planned_hh", _("计划改造户数"), _("户")),
    ("03", "new_started_n", _("本期新开工小区数"), _("个")),
    ("04", "new_started_hh", _("本期新开工户数"), _("户")),
    ("05", "ytd_started_n", _("本年累计开工小区数"), _("个")),
    ("06", "ytd_started_hh", _("本年累计开工户数"), _("户")),
    ("07", "rate_n", _("开工率(按小区数)= 05 ÷ 01"), "%"),
    ("08", "rate_hh", _("开工率(按户数)= 06 ÷ 02"), "%"),
    ("09", "carried_n", _("上期结转在建小区数"), _("个")),
    ("10", "new_completed_n", _("本期竣工小区数"), _("个")),
    ("11", "new_completed_hh", _("本期竣工户数"), _("户")),
    ("12", "ytd_completed_n", _("本年累计竣工小区数"), _("个")),
    ("13", "open_n", _("期末在建小区数(结转下期)"), _("个")),
    ("20", "invest", _("本期完成投资"), _("万元")),
    ("21", "funds", _("本期到位资金合计 = 22 至 29 之和"), _("万元")),
]
FUND_ROWS = [
    (f"{22 + i}", f"funds_{s.value}", s.label, _("万元")) for i, s in enumerate(FundingSource)
]
EFFECT_ROWS = [
    ("31", "pipe_water", _("改造供水、排水管线"), _("公里")),
    ("32", "pipe_power", _("改造电力管线(含强弱电规整入地)"), _("公里")),
    ("33", "pipe_gas", _("改造燃气管线"), _("公里")),
    ("34", "pipe_heating", _("改造供热管线"), _("公里")),
    ("35", "pipe_telecom", _("改造通信管线"), _("公里")),
    ("36", "lifts", _("加装电梯"), _("部")),
    ("37", "parking", _("增设停车位"), _("个")),
    ("38", "chargers", _("增设汽车及电动自行车充电设施"), _("个")),
    ("39", "elderly", _("增设养老服务设施"), _("处")),
    ("40", "childcare", _("增设托育服务设施"), _("处")),
    ("41", "community", _("增设其他社区服务设施(助餐、卫生、阅读、便民)"), _("处")),
    ("42", "energy", _("建筑节能改造面积"), _("平方米")),
]
ALL_ROWS = ROWS + FUND_ROWS + EFFECT_ROWS
RATIO_KEYS = {"rate_n": ("ytd_started_n", "planned_n"), "rate_hh": ("ytd_started_hh", "planned_hh")}
TENTHOUSAND_KEYS = {"invest", "funds"} | {k for _c, k, _l, _u in FUND_ROWS}


def columns_of(area: Area) -> list[Area]:
    """The areas one level down (streets of a district, districts of a city)."""
    return list(area.children.exclude(level=Area.Level.COMMUNITY).order_by("code"))


def _prefix(a: Area) -> str:
    return "" if a.level == Area.Level.COUNTRY else a.prefix


def _key_of(cols: list[Area], path: str):
    """The SQL expression that places a compound (reached by `path`) in a
    column: the first digits of its street's code prefix, as many as the
    columns' own prefixes have (all one level, so one length); the whole
    street prefix when they differ. `_index` maps a key back to its column."""
    lengths = {len(_prefix(c)) for c in cols}
    street = f"{path}street__prefix"
    if lengths == {0}:
        return Value("")
    if len(lengths) == 1:
        return Substr(street, 1, lengths.pop())
    return F(street)


def _index(cols: list[Area], key: str | None) -> int | None:
    for i, c in enumerate(cols):
        if key is not None and key.startswith(_prefix(c)):
            return i
    return None


def _columns_of(cids, area: Area, cols: list[Area]) -> dict[int, int]:
    """compound id → column, for these compounds only (those of a period's
    money and completions), the ones outside `area` left out."""
    qs = Compound.objects.filter(compound_area_q(area), pk__in=list(cids))
    out = {}
    for cid, prefix in qs.values_list("id", "street__prefix"):
        i = _index(cols, prefix)
        if i is not None:
            out[cid] = i
    return out


def _works_compounds(works_ids) -> dict[int, list[int]]:
    """works id → the compounds it covers (its own, or its cluster's members)."""
    out: dict[int, list[int]] = {}
    rows = Works.objects.filter(pk__in=works_ids).values_list("id", "compound_id", "cluster_id")
    clusters: dict[int, list[int]] = {}
    cids = {r[2] for r in rows if r[2]}
    for cl, comp in ClusterMember.objects.filter(cluster_id__in=cids).values_list(
        "cluster_id", "compound_id"
    ):
        clusters.setdefault(cl, []).append(comp)
    for wid, comp, cl in rows:
        out[wid] = [comp] if comp else sorted(clusters.get(cl, []))
    return out


def _started_and_completed(area: Area, cols: list[Area], period: Period):
    """Rows 03–13 grouped by column in SQL over the kept summary
    (`CompoundFacts.started_on` / `completed_on`: each compound's first actual
    开工 / 竣工 date, own works or its cluster's), reading only the compounds
    started or completed by the period's end."""
    ps, pe, ys = period.start, period.end, period.year_start
    hh = "compound__households"
    started = Q(started_on__lte=pe)
    open_at_end = Q(completed_on__isnull=True) | Q(completed_on__gt=pe)
    counts = {
        "new_started_n": Count("pk", filter=Q(started_on__gte=ps, started_on__lte=pe)),
        "new_started_hh": Sum(hh, filter=Q(started_on__gte=ps, started_on__lte=pe)),
        "ytd_started_n": Count("pk", filter=Q(started_on__gte=ys, started_on__lte=pe)),
        "ytd_started_hh": Sum(hh, filter=Q(started_on__gte=ys, started_on__lte=pe)),
        "carried_n": Count(
            "pk",
            filter=Q(started_on__lt=ps) & (Q(completed_on__isnull=True) | Q(completed_on__gte=ps)),
        ),
        "open_n": Count("pk", filter=started & open_at_end),
        "new_completed_n": Count("pk", filter=Q(completed_on__gte=ps, completed_on__lte=pe)),
        "new_completed_hh": Sum(hh, filter=Q(completed_on__gte=ps, completed_on__lte=pe)),
        "ytd_completed_n": Count("pk", filter=Q(completed_on__gte=ys, completed_on__lte=pe)),
    }
    return (
        CompoundFacts.objects.filter(compound_area_q(area, "compound__"))
        .filter(started | Q(completed_on__lte=pe))
        .order_by()
        .values(k=_key_of(cols, "compound__"))
        .annotate(**counts)
    )


def _planned(area: Area, cols: list[Area], period: Period):
    """Rows 01–02: the compounds in a batch that runs during the period's
    year, once each (their earliest such entry), with the entry's households
    (the compound's when the entry has none), grouped by column in SQL."""
    in_year = Q(batch__starts_on__lte=period.year_end, batch__ends_on__gte=period.year_start)
    earlier = Entry.objects.filter(in_year, compound=OuterRef("compound"), pk__lt=OuterRef("pk"))
    households = Case(
        When(households__gt=0, then=F("households")),
        default=Coalesce(F("compound__households"), 0),
    )
    return (
        Entry.objects.filter(in_year, compound_area_q(area, "compound__"))
        .exclude(Exists(earlier))
        .order_by()
        .values(k=_key_of(cols, "compound__"))
        .annotate(planned_n=Count("pk"), planned_hh=Sum(households))
    )


def compute(area: Area, period: Period) -> dict:
    """{"columns": [Area], "values": {key: [per column…, total]}}.

    The per-compound rows are counted in SQL by column (a handful of rows a
    query at any size of `area`, issue 14); money and effects read only the
    period's cost entries and completions."""
    cols = columns_of(area) or [area]
    n = len(cols)
    v = {k: [ZERO] * n for _c, k, _l, _u in ALL_ROWS if k not in RATIO_KEYS}

    def add_row(row: dict) -> None:
        i = _index(cols, row.pop("k"))
        if i is None:
            return
        for key, amount in row.items():
            v[key][i] += Decimal(amount or 0)

    for row in _planned(area, cols, period):
        add_row(row)
    for row in _started_and_completed(area, cols, period):
        add_row(row)

    costs = list(
        CostEntry.objects.filter(
            on__gte=period.start, on__lte=period.end, kind__in=(CostKind.SPENT, CostKind.PAID)
        ).values_list("works_id", "kind", "source", "amount")
    )
    done_works = list(
        Milestone.objects.filter(
            stage=Stage.COMPLETION, actual_on__gte=period.start, actual_on__lte=period.end
        ).values_list("works_id", "works__plan_id")
    )
    wc = _works_compounds({c[0] for c in costs} | {w for w, _p in done_works})
    col_of = _columns_of({c for ids in wc.values() for c in ids}, area, cols)

    def add(key, cid, amount):
        i = col_of.get(cid)
        if i is not None:
            v[key][i] += Decimal(amount or 0)

    for wid, kind, source, amount in costs:
        covered = [c for c in wc.get(wid, []) if c in col_of]
        if not covered:
            continue
        # A cluster's money is booked to its first compound (one street).
        cid = covered[0]
        if kind == CostKind.SPENT:
            add("invest", cid, amount)
        else:
            add("funds", cid, amount)
            if f"funds_{source}" in v:
                add(f"funds_{source}", cid, amount)

    plan_anchor = {}
    for wid, pid in done_works:
        covered = [c for c in wc.get(wid, []) if c in col_of]
        if covered:
            plan_anchor[pid] = covered[0]
    code_row = {c: (key, unit) for key, (codes, unit) in EFFECT_CODES.items() for c in codes}
    for pid, code, unit, qty in PlanItem.objects.filter(
        plan_id__in=list(plan_anchor), code__in=list(code_row)
    ).values_list("plan_id", "code", "unit", "quantity"):
        key, want = code_row[code]
        if unit != want:
            continue
        add(key, plan_anchor[pid], qty / 1000 if key in KM_ROWS else qty)

    out = {}
    for _c, key, _l, _u in ALL_ROWS:
        if key in RATIO_KEYS:
            continue
        vals = v[key]
        if key in TENTHOUSAND_KEYS:
            vals = [x / 10000 for x in vals]
        out[key] = vals + [sum(vals, ZERO)]
    for key, (num, den) in RATIO_KEYS.items():
        out[key] = [
            (a / b * 100).quantize(Decimal("0.1")) if b else None
            for a, b in zip(out[num], out[den], strict=True)
        ]
    return {"area": area, "period": period, "columns": cols, "values": out}


def area_for(code: str | None, default: Area | None) -> Area:
    if code:
        a = Area.objects.filter(code=code).first()
        if a is None:
            raise LookupError(code)
        return a
    if default is None:
        raise LookupError("")
    return default


def visible(user_area: Area | None, area: Area, superuser: bool) -> bool:
    """A user may report on their own area and anything inside it."""
    if superuser:
        return True
    return user_area is not None and area.prefix.startswith(user_area.prefix)


def root_area() -> Area | None:
    """The CLI's default area: the district the system runs (the first one)."""
    return Area.objects.filter(level=Area.Level.DISTRICT).order_by("code").first()


def xlsx_bytes(data: dict) -> bytes:
    """The fixed layout: title (row 1), area and period (row 2), unit note
    (row 3), header (row 4: 指标名称, 代码, 计量单位, one column per area, 合计),
    then one row per indicator in ROWS order."""
    wb = Workbook()
    ws = wb.active
    ws.title = str(data["period"].label)
    area, period = data["area"], data["period"]
    ws.append([str(_("城镇老旧小区改造统计报表"))])
    ws.append(
        [
            str(_("填报单位:%(a)s(%(c)s)") % {"a": area.name, "c": area.code}),
            "",
            "",
            str(
                _("报告期:%(p)s(%(s)s 至 %(e)s)")
                % {"p": period.label, "s": period.start, "e": period.end}
            ),
        ]
    )
    ws.append([str(_("金额单位:万元;开工率按本年累计计算"))])
    header = [str(_("指标名称")), str(_("代码")), str(_("计量单位"))]
    header += [c.name for c in data["columns"]] + [str(_("合计"))]
    ws.append(header)
    bold = Font(bold=True)
    ws["A1"].font = Font(bold=True, size=14)
    for cell in ws[4]:
        cell.font = bold
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
    for code, key, label, unit in ALL_ROWS:
        vals = data["values"][key]
        ws.append([str(label), code, str(unit)] + [_cell(x) for x in vals])
    ws.column_dimensions["A"].width = 44
    for i in range(4, len(header) + 1):
        ws.column_dimensions[get_column_letter(i)].width = 12
    ws.freeze_panes = "D5"
    buf = BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _cell(x):
    if x is None:
        return None
    x = Decimal(x)
    return int(x) if x == x.to_integral_value() else float(x.quantize(Decimal("0.0001")))
