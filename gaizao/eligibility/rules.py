"""The scope rules (改造范围) as pure functions: plain data in, a verdict with
its reasons out. No database access here (STYLE.md habit 9) so the web, the
API and the command line (even for a spreadsheet that is not imported) give
the same answer, and every edge is tested directly.

Verdict logic, for every policy:
- an exclusion that holds (已纳入棚改计划, 城中村 …) or a requirement that
  fails (建成时间, 主城区 …) → "ineligible", whatever else is unknown;
- otherwise any criterion that cannot be decided for lack of data → "review"
  (needs review), with the missing facts named;
- otherwise → "eligible": the compound enters the reserve (项目储备库).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from gaizao.inventory.facilities import BY_CODE

from .vocabulary import (  # noqa: F401 (re-exported: rules.X is how callers name them)
    CONDITION_LABELS,
    DEMOLITION,
    ELIGIBLE,
    ENVIRONMENT,
    EXCLUSION_LABELS,
    FACILITIES,
    INELIGIBLE,
    MANAGEMENT,
    MANAGEMENT_LABELS,
    NEGLECT,
    POOR_RATINGS,
    RATING_LABELS,
    REVIEW,
    SELF_BUILT,
    SHANTYTOWN,
    URBAN_VILLAGE,
    VERDICT_LABELS,
    WILLINGNESS_IF_SURVEYED,
    WILLINGNESS_OFF,
    WILLINGNESS_REQUIRED,
)


@dataclass
class CompoundFacts:
    """What the rules know about one compound. None means "not known"."""

    name: str = ""
    built_date: date | None = None
    built_year: int | None = None
    in_main_urban_area: bool | None = None
    management_status: str = ""  # "" = unknown
    latest_score: Decimal | None = None  # 0–100, latest condition survey
    surveyed: bool = False  # a condition survey exists
    facility_ratings: dict[str, str] = field(default_factory=dict)  # facility code → rating
    in_shantytown_plan: bool | None = None
    demolition_within_years: int | None = None  # None: no plan
    self_built_area: Decimal | None = None
    floor_area: Decimal | None = None
    is_urban_village: bool | None = None
    is_single_building: bool = False
    households: int | None = None
    willingness: Decimal | None = None  # share of households in favour, 0–1; None: no survey
    willingness_open: bool = False  # the survey is still open: answers may still come


@dataclass
class PolicyRules:
    """A policy's parameters (models.Policy.rules() builds one)."""

    name: str = ""
    built_cutoff: date = date(2000, 1, 1)
    cutoff_inclusive: bool = False  # False: built before the date; True: on or before
    extension_cutoff: date | None = None  # inclusive like the cut-off
    extension_cap_pct: Decimal | None = None  # share of the year's households
    require_main_urban: bool = False
    single_buildings_count: bool = True
    criteria: tuple[str, ...] = (NEGLECT, FACILITIES, ENVIRONMENT, MANAGEMENT)
    conditions_min: int = 1  # at least this many of `criteria` must hold
    neglect_score_below: Decimal = Decimal("60")
    neglect_statuses: tuple[str, ...] = ("none", "self_governance")
    facilities_broken_pct: Decimal = Decimal("30")
    environment_facilities: tuple[str, ...] = (
        "waste_sorting",
        "illegal_structures",
        "cooking_fumes",
    )
    environment_min: int = 1
    poor_management_statuses: tuple[str, ...] = ("none", "self_governance")
    willingness_mode: str = WILLINGNESS_REQUIRED
    willingness_min_pct: Decimal = Decimal("66.67")
    exclusions: tuple[str, ...] = (SHANTYTOWN, DEMOLITION, SELF_BUILT, URBAN_VILLAGE)
    demolition_years: int | None = 3  # None: any planned demolition excludes
    self_built_pct: Decimal = Decimal("50")


@dataclass
class Reason:
    criterion: str  # stable code, e.g. "built", "exclusion.urban_village", "need.neglect"
    passed: bool | None  # None: unknown for lack of data
    detail: str
    label: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Verdict:
    verdict: str
    reasons: list[Reason] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    extension: bool = False  # eligible only through the extension window

    @property
    def label(self) -> str:
        return VERDICT_LABELS[self.verdict]

    def as_dict(self) -> dict:
        return {
            "verdict": self.verdict,
            "reasons": [r.as_dict() for r in self.reasons],
            "missing": list(self.missing),
            "extension": self.extension,
        }

    @classmethod
    def from_dict(cls, d: dict) -> Verdict:
        return cls(
            verdict=d["verdict"],
            reasons=[Reason(**r) for r in d.get("reasons", [])],
            missing=list(d.get("missing", [])),
            extension=bool(d.get("extension")),
        )


def pct(value, places: str = "0.1") -> str:
    """42.54 → "42.5%" (measured shares); thresholds keep two places."""
    v = Decimal(value).quantize(Decimal(places), rounding=ROUND_HALF_UP)
    return f"{v.normalize():f}%"


def limit(value) -> str:
    """A policy's threshold as written: 66.67 → "66.67%", 30.00 → "30%"."""
    return pct(value, "0.01")


def _num(value) -> str:
    return f"{Decimal(value).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}"


# --- built date ------------------------------------------------------------------


def _cutoff_words(cutoff: date, inclusive: bool) -> str:
    return f"{'不晚于' if inclusive else '早于'}{cutoff.isoformat()}"


def built_within(
    built_date: date | None, built_year: int | None, cutoff: date, inclusive: bool
) -> bool | None:
    """Was the compound built before the cut-off? None when only the year is
    known and the cut-off falls inside that year (can't tell)."""

    def ok(d: date) -> bool:
        return d <= cutoff if inclusive else d < cutoff

    if built_date is not None:
        return ok(built_date)
    if built_year is None:
        return None
    first, last = date(built_year, 1, 1), date(built_year, 12, 31)
    if ok(last):
        return True  # the whole year is early enough
    if not ok(first):
        return False  # even 1 January of that year is too late
    return None


def _built_text(f: CompoundFacts) -> str:
    if f.built_date is not None:
        return f"建成于{f.built_date.isoformat()}"
    return f"建成于{f.built_year}年(仅知年份)"


def check_built(f: CompoundFacts, p: PolicyRules) -> tuple[Reason, bool]:
    """(reason, in the extension window)."""
    label = "建成时间"
    if f.built_date is None and f.built_year is None:
        return Reason("built", None, "缺少建成年份", label), False
    main = built_within(f.built_date, f.built_year, p.built_cutoff, p.cutoff_inclusive)
    words = _cutoff_words(p.built_cutoff, p.cutoff_inclusive)
    if main:
        return Reason("built", True, f"{_built_text(f)},{words}", label), False
    if p.extension_cutoff is not None:
        ext = built_within(f.built_date, f.built_year, p.extension_cutoff, True)
        if ext:
            cap = (
                f",纳入户数不超过当年改造总户数的{limit(p.extension_cap_pct)}"
                if p.extension_cap_pct is not None
                else ""
            )
            return Reason(
                "built",
                True,
                f"{_built_text(f)},晚于基本范围但在扩展范围内(不晚于"
                f"{p.extension_cutoff.isoformat()}){cap}",
                label,
            ), True
    if main is None:
        return Reason(
            "built", None, f"{_built_text(f)},无法判断是否{words},需核实建成日期", label
        ), False
    late = (
        f"晚于{p.built_cutoff.isoformat()}"
        if p.cutoff_inclusive
        else f"不早于{p.built_cutoff.isoformat()}"
    )
    return Reason("built", False, f"{_built_text(f)},{late}", label), False


# --- requirements ----------------------------------------------------------------


def check_main_urban(f: CompoundFacts) -> Reason:
    label = "位于主城区"
    if f.in_main_urban_area is None:
        return Reason("main_urban", None, "缺少“是否位于主城区”", label)
    if f.in_main_urban_area:
        return Reason("main_urban", True, "位于主城区范围内", label)
    return Reason("main_urban", False, "不在主城区范围内", label)


def check_single_building(f: CompoundFacts, p: PolicyRules) -> Reason | None:
    if not f.is_single_building:
        return None
    label = "单栋住宅楼"
    if p.single_buildings_count:
        return Reason("single_building", True, "单栋住宅楼,本政策纳入改造范围", label)
    return Reason("single_building", False, "单栋住宅楼,本政策未纳入改造范围", label)


# --- the need for renovation -----------------------------------------------------


def _status(s: str) -> str:
    return MANAGEMENT_LABELS.get(s, s)


def check_neglect(f: CompoundFacts, p: PolicyRules) -> Reason:
    label = CONDITION_LABELS[NEGLECT]
    parts, passed = [], False
    if f.latest_score is not None:
        if Decimal(f.latest_score) < p.neglect_score_below:
            passed = True
            parts.append(
                f"最近一次摸底评分 {_num(f.latest_score)} 低于 {_num(p.neglect_score_below)}"
            )
        else:
            parts.append(
                f"最近一次摸底评分 {_num(f.latest_score)},不低于 {_num(p.neglect_score_below)}"
            )
    if f.management_status:
        if f.management_status in p.neglect_statuses:
            passed = True
            parts.append(f"管理状况为“{_status(f.management_status)}”")
        else:
            parts.append(f"管理状况为“{_status(f.management_status)}”")
    if passed:
        return Reason(f"need.{NEGLECT}", True, ";".join(parts), label)
    if f.latest_score is None or not f.management_status:
        lacking = [
            x
            for x, known in (
                ("摸底评分", f.latest_score is not None),
                ("管理状况", bool(f.management_status)),
            )
            if not known
        ]
        return Reason(
            f"need.{NEGLECT}", None, ";".join(parts + [f"缺少{'、'.join(lacking)}"]), label
        )
    return Reason(f"need.{NEGLECT}", False, ";".join(parts), label)


def check_facilities(f: CompoundFacts, p: PolicyRules) -> Reason:
    label = CONDITION_LABELS[FACILITIES]
    rated = {
        c: r
        for c, r in f.facility_ratings.items()
        if c in BY_CODE and BY_CODE[c].group == "basic" and r in RATING_LABELS and r != "na"
    }
    if not rated:
        return Reason(f"need.{FACILITIES}", None, "缺少摸底调查(基础设施状况)", label)
    poor = [c for c, r in rated.items() if r in POOR_RATINGS]
    share = Decimal(len(poor)) * 100 / len(rated)
    names = "、".join(BY_CODE[c].name for c in poor[:4]) + ("等" if len(poor) > 4 else "")
    text = f"基础设施 {len(rated)} 项中 {len(poor)} 项损坏或缺失({pct(share)})"
    if names:
        text += f":{names}"
    if share >= p.facilities_broken_pct:
        return Reason(
            f"need.{FACILITIES}", True, f"{text},达到 {limit(p.facilities_broken_pct)}", label
        )
    return Reason(
        f"need.{FACILITIES}", False, f"{text},低于 {limit(p.facilities_broken_pct)}", label
    )


def check_environment(f: CompoundFacts, p: PolicyRules) -> Reason:
    label = CONDITION_LABELS[ENVIRONMENT]
    rated = {
        c: f.facility_ratings[c]
        for c in p.environment_facilities
        if f.facility_ratings.get(c) in RATING_LABELS and f.facility_ratings[c] != "na"
    }
    if not rated:
        return Reason(f"need.{ENVIRONMENT}", None, "缺少摸底调查(环境状况)", label)
    poor = [c for c, r in rated.items() if r in POOR_RATINGS]
    listing = "、".join(
        f"{BY_CODE[c].name if c in BY_CODE else c}{RATING_LABELS[r]}" for c, r in rated.items()
    )
    if len(poor) >= p.environment_min:
        return Reason(f"need.{ENVIRONMENT}", True, f"{listing}({len(poor)} 项差)", label)
    return Reason(
        f"need.{ENVIRONMENT}",
        False,
        f"{listing}(差 {len(poor)} 项,要求至少 {p.environment_min} 项)",
        label,
    )


def check_management(f: CompoundFacts, p: PolicyRules) -> Reason:
    label = CONDITION_LABELS[MANAGEMENT]
    if not f.management_status:
        return Reason(f"need.{MANAGEMENT}", None, "缺少管理状况", label)
    s = _status(f.management_status)
    if f.management_status in p.poor_management_statuses:
        return Reason(f"need.{MANAGEMENT}", True, f"管理状况为“{s}”", label)
    return Reason(f"need.{MANAGEMENT}", False, f"管理状况为“{s}”", label)


CONDITION_CHECKS = {
    NEGLECT: check_neglect,
    FACILITIES: check_facilities,
    ENVIRONMENT: check_environment,
    MANAGEMENT: check_management,
}


def check_conditions(f: CompoundFacts, p: PolicyRules) -> list[Reason]:
    """The summary "at least N of them" (the reason that counts), then one
    reason per enabled condition criterion."""
    enabled = [c for c in CONDITION_CHECKS if c in p.criteria]
    if not enabled:
        return []
    parts = [CONDITION_CHECKS[c](f, p) for c in enabled]
    need = max(1, min(p.conditions_min, len(enabled)))
    met = [r for r in parts if r.passed is True]
    unknown = [r for r in parts if r.passed is None]
    head = f"满足 {len(met)}/{len(enabled)} 项,要求至少 {need} 项"
    if met:
        head += ":" + "、".join(r.label for r in met)
    if len(met) >= need:
        summary = Reason("need", True, head, "改造需求")
    elif len(met) + len(unknown) < need:
        summary = Reason("need", False, head, "改造需求")
    else:
        summary = Reason("need", None, head + f";{len(unknown)} 项缺少数据无法判断", "改造需求")
    return [summary, *parts]


def check_willingness(f: CompoundFacts, p: PolicyRules) -> Reason | None:
    if p.willingness_mode == WILLINGNESS_OFF:
        return None
    label = "居民改造意愿"
    if f.willingness is None:
        if p.willingness_mode == WILLINGNESS_REQUIRED:
            return Reason("willingness", None, "尚未开展意愿征询(本政策要求征询后纳入)", label)
        return Reason("willingness", None, "尚未开展意愿征询(实施前须征询,暂不影响纳入储备)", label)
    share = Decimal(f.willingness) * 100
    if share >= p.willingness_min_pct:
        return Reason(
            "willingness",
            True,
            f"同意改造的户数占 {pct(share)},达到 {limit(p.willingness_min_pct)}",
            label,
        )
    if f.willingness_open:
        return Reason(
            "willingness",
            None,
            f"意愿征询进行中,目前同意改造的户数占 {pct(share)},尚未达到 {limit(p.willingness_min_pct)}",
            label,
        )
    return Reason(
        "willingness",
        False,
        f"同意改造的户数占 {pct(share)},低于 {limit(p.willingness_min_pct)}",
        label,
    )


# --- exclusions ------------------------------------------------------------------


def check_exclusions(f: CompoundFacts, p: PolicyRules) -> list[Reason]:
    """passed=True means "not excluded"; False means the exclusion applies."""
    out = []
    for code in p.exclusions:
        label = "排除:" + EXCLUSION_LABELS.get(code, code)
        crit = f"exclusion.{code}"
        if code == SHANTYTOWN:
            if f.in_shantytown_plan is None:
                out.append(Reason(crit, None, "缺少“是否纳入棚改计划”", label))
            elif f.in_shantytown_plan:
                out.append(Reason(crit, False, "已纳入棚改计划", label))
            else:
                out.append(Reason(crit, True, "未纳入棚改计划", label))
        elif code == DEMOLITION:
            years = f.demolition_within_years
            if years is None:
                out.append(Reason(crit, True, "无拆除新建或改扩翻建计划", label))
            elif p.demolition_years is None or years <= p.demolition_years:
                within = f"(政策排除{p.demolition_years}年内的计划)" if p.demolition_years else ""
                out.append(Reason(crit, False, f"计划{years}年内拆除新建或改扩翻建{within}", label))
            else:
                out.append(
                    Reason(
                        crit,
                        True,
                        f"拆除新建或改扩翻建计划在{years}年后,不在{p.demolition_years}年内",
                        label,
                    )
                )
        elif code == SELF_BUILT:
            if f.self_built_area is None:
                out.append(Reason(crit, None, "缺少居民自建住房面积", label))
            elif not f.self_built_area:
                out.append(Reason(crit, True, "无居民自建住房", label))
            elif not f.floor_area:
                out.append(Reason(crit, None, "有居民自建住房但缺少建筑面积,无法计算占比", label))
            else:
                share = Decimal(f.self_built_area) * 100 / Decimal(f.floor_area)
                if share >= p.self_built_pct:
                    out.append(
                        Reason(
                            crit,
                            False,
                            f"居民自建住房占建筑面积 {pct(share)},以自建住房为主",
                            label,
                        )
                    )
                else:
                    out.append(
                        Reason(
                            crit,
                            True,
                            f"居民自建住房占建筑面积 {pct(share)},低于 {limit(p.self_built_pct)}",
                            label,
                        )
                    )
        elif code == URBAN_VILLAGE:
            if f.is_urban_village is None:
                out.append(Reason(crit, None, "缺少“是否城中村”", label))
            elif f.is_urban_village:
                out.append(Reason(crit, False, "属于城中村", label))
            else:
                out.append(Reason(crit, True, "不属于城中村", label))
    return out


# Fact names for `missing`, by the criterion that lacked them.
MISSING_NAMES = {
    "built": "建成年份",
    "main_urban": "是否位于主城区",
    "need": "摸底调查或管理状况",
    "willingness": "意愿征询",
    f"exclusion.{SHANTYTOWN}": "是否纳入棚改计划",
    f"exclusion.{SELF_BUILT}": "居民自建住房面积",
    f"exclusion.{URBAN_VILLAGE}": "是否城中村",
}


def evaluate(f: CompoundFacts, p: PolicyRules) -> Verdict:
    reasons: list[Reason] = []
    decisive: list[Reason] = []  # the reasons that make the verdict

    built, extension = check_built(f, p)
    reasons.append(built)
    decisive.append(built)
    if p.require_main_urban:
        r = check_main_urban(f)
        reasons.append(r)
        decisive.append(r)
    single = check_single_building(f, p)
    if single is not None:
        reasons.append(single)
        decisive.append(single)
    conds = check_conditions(f, p)
    reasons.extend(conds)
    if conds:
        decisive.append(conds[0])
    will = check_willingness(f, p)
    if will is not None:
        reasons.append(will)
        if not (will.passed is None and p.willingness_mode == WILLINGNESS_IF_SURVEYED):
            decisive.append(will)
    excl = check_exclusions(f, p)
    reasons.extend(excl)
    decisive.extend(excl)

    missing = []
    for r in decisive:
        if r.passed is None:
            name = MISSING_NAMES.get(r.criterion, r.label)
            if r.criterion == "need":
                lacking = []
                if f.latest_score is None or not f.facility_ratings:
                    lacking.append("摸底调查")
                if not f.management_status:
                    lacking.append("管理状况")
                name = "、".join(lacking) or name
            elif r.criterion == "willingness" and f.willingness is not None:
                name = "意愿征询结果(征询进行中)"
            elif r.criterion == "built" and (f.built_year or f.built_date):
                name = "建成日期"
            elif r.criterion == f"exclusion.{SELF_BUILT}" and f.self_built_area:
                name = "建筑面积"
            if name not in missing:
                missing.append(name)
    if any(r.passed is False for r in decisive):
        verdict = INELIGIBLE
    elif missing:
        verdict = REVIEW
    else:
        verdict = ELIGIBLE
    return Verdict(verdict, reasons, missing, extension=extension and verdict != INELIGIBLE)
