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

from datetime import date
from decimal import Decimal
from fractions import Fraction

from .conditions import (  # noqa: F401 (re-exported)
    CONDITION_CHECKS,
    check_conditions,
    check_environment,
    check_facilities,
    check_management,
    check_neglect,
)
from .facts import (  # noqa: F401 (re-exported: rules.X is how callers name them)
    CompoundFacts,
    PolicyRules,
    Reason,
    Verdict,
    fraction_text,
    limit,
    num,
    parse_fraction,
    pct,
)
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

# --- built date ------------------------------------------------------------------


def _cutoff_words(cutoff: date, inclusive: bool) -> str:
    return f"{'不晚于' if inclusive else '早于'}{cutoff.isoformat()}"


# An approximate year ("2000年左右", "约1999", "90年代") is read as this many
# years either side. No document fixes the margin: this is the system's
# reading, so that a round figure near a cut-off is checked (待核实), not
# taken as exact (docs/eligibility.md).
APPROX_MARGIN_YEARS = 2


def built_within(
    built_date: date | None,
    built_year: int | None,
    cutoff: date,
    inclusive: bool,
    approximate: bool = False,
) -> bool | None:
    """Was the compound built before the cut-off? None when it can't be told:
    only the year is known and the cut-off falls inside that year, or the
    year is approximate and its window straddles the cut-off."""

    def ok(d: date) -> bool:
        return d <= cutoff if inclusive else d < cutoff

    if approximate and built_year is not None:
        margin = APPROX_MARGIN_YEARS
        first, last = date(built_year - margin, 1, 1), date(built_year + margin, 12, 31)
    elif built_date is not None:
        return ok(built_date)
    elif built_year is None:
        return None
    else:
        first, last = date(built_year, 1, 1), date(built_year, 12, 31)
    if ok(last):
        return True  # the whole year is early enough
    if not ok(first):
        return False  # even 1 January of that year is too late
    return None


def _built_text(f: CompoundFacts) -> str:
    if f.built_year_approximate and f.built_year is not None:
        m = APPROX_MARGIN_YEARS
        return f"约{f.built_year}年建成(约数,按{f.built_year - m}–{f.built_year + m}年判断)"
    if f.built_date is not None:
        return f"建成于{f.built_date.isoformat()}"
    return f"建成于{f.built_year}年(仅知年份)"


def check_built(f: CompoundFacts, p: PolicyRules) -> tuple[Reason, bool]:
    """(reason, in the extension window)."""
    label = "建成时间"
    if f.built_date is None and f.built_year is None:
        return Reason("built", None, "缺少建成年份", label), False
    approx = f.built_year_approximate
    main = built_within(f.built_date, f.built_year, p.built_cutoff, p.cutoff_inclusive, approx)
    words = _cutoff_words(p.built_cutoff, p.cutoff_inclusive)
    if main:
        return Reason("built", True, f"{_built_text(f)},{words}", label), False
    if p.extension_cutoff is not None:
        ext = built_within(f.built_date, f.built_year, p.extension_cutoff, True, approx)
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
        if ext is None and main is False:
            return Reason(
                "built",
                None,
                f"{_built_text(f)},无法判断是否在扩展范围内(不晚于"
                f"{p.extension_cutoff.isoformat()}),需核实建成日期",
                label,
            ), False
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


def check_willingness(f: CompoundFacts, p: PolicyRules) -> Reason | None:
    if p.willingness_mode == WILLINGNESS_OFF:
        return None
    label = "居民改造意愿"
    if f.willingness is None:
        if p.willingness_mode == WILLINGNESS_REQUIRED:
            return Reason("willingness", None, "尚未开展意愿征询(本政策要求征询后纳入)", label)
        return Reason("willingness", None, "尚未开展意愿征询(实施前须征询,暂不影响纳入储备)", label)
    # Exact fractions on both sides: exactly 2 of 3 households meets "2/3".
    share = Fraction(f.willingness)
    shown = pct(Decimal(share.numerator) * 100 / Decimal(share.denominator))
    need = fraction_text(p.willingness_min)
    if share >= p.willingness_min:
        return Reason("willingness", True, f"同意改造的户数占 {shown},达到 {need}", label)
    if f.willingness_open:
        return Reason(
            "willingness",
            None,
            f"意愿征询进行中,目前同意改造的户数占 {shown},尚未达到 {need}",
            label,
        )
    return Reason("willingness", False, f"同意改造的户数占 {shown},低于 {need}", label)


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
            if years is None and f.demolition_planned is False:
                out.append(Reason(crit, True, "无拆除新建或改扩翻建计划", label))
            elif years is None and f.demolition_planned is None:
                # A blank is "not checked", like every other exclusion fact.
                out.append(Reason(crit, None, "缺少“是否拟拆除新建或改扩翻建”", label))
            elif years is None and p.demolition_years is not None:
                out.append(
                    Reason(
                        crit,
                        None,
                        f"有拆除新建或改扩翻建计划但缺少年限,无法判断是否在{p.demolition_years}年内",
                        label,
                    )
                )
            elif years is None:
                out.append(Reason(crit, False, "有拆除新建或改扩翻建计划", label))
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
                exact = Fraction(Decimal(f.self_built_area)) / Fraction(Decimal(f.floor_area))
                if exact >= Fraction(p.self_built_pct) / 100:
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
    f"exclusion.{DEMOLITION}": "是否拟拆除新建或改扩翻建",
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
            elif r.criterion == "built" and f.built_year_approximate:
                name = "确切建成年份"
            elif r.criterion == "built" and (f.built_year or f.built_date):
                name = "建成日期"
            elif r.criterion == f"exclusion.{SELF_BUILT}" and f.self_built_area:
                name = "建筑面积"
            elif r.criterion == f"exclusion.{DEMOLITION}" and f.demolition_planned:
                name = "拟拆除新建的年限"
            if name not in missing:
                missing.append(name)
    if any(r.passed is False for r in decisive):
        verdict = INELIGIBLE
    elif missing:
        verdict = REVIEW
    else:
        verdict = ELIGIBLE
    return Verdict(verdict, reasons, missing, extension=extension and verdict != INELIGIBLE)
