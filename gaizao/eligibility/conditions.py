"""The need for renovation (改造需求) in the scope rules: neglect, facilities,
environment and management, each checked against the policy's thresholds.
Pure functions over rules' plain data (facts.py); rules.evaluate calls
check_conditions."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from gaizao.inventory.facilities import BY_CODE

from .facts import CompoundFacts, PolicyRules, Reason, limit, num, pct
from .vocabulary import (
    CONDITION_LABELS,
    ENVIRONMENT,
    FACILITIES,
    MANAGEMENT,
    MANAGEMENT_LABELS,
    NEGLECT,
    POOR_RATINGS,
    RATING_LABELS,
)

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
                f"最近一次摸底评分 {num(f.latest_score)} 低于 {num(p.neglect_score_below)}"
            )
        else:
            parts.append(
                f"最近一次摸底评分 {num(f.latest_score)},不低于 {num(p.neglect_score_below)}"
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
    # Compared as exact fractions: 3 of 10 meets "30 %" exactly.
    if Fraction(len(poor), len(rated)) >= Fraction(p.facilities_broken_pct) / 100:
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
