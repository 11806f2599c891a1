"""Which target a plan cannot keep, by how much, and why.

Each reason is proven by a relaxation of the period on its own: if even the
relaxation cannot reach the floor, that constraint alone rules the target out.
  eligible_area   all compounds not locked elsewhere, together, are too small
  budget          the best area per yuan (fractional knapsack) within the budget
  street_cap      the largest K compounds of every street
  extension_cap   every non-extension compound plus extension ones within the cap
  caps_combined   the period alone, all of its rows at once (LP), cannot reach it
  competition     each period alone could, but the periods compete for the same
                  compounds and money
"""

from __future__ import annotations

import numpy as np

from .model import Shortfall
from .problem import Problem
from .repair import check

DIAGNOSED_ITEMS = 5000  # up to this a floor's reason may be proven by an LP of its period


def _fmt(x: float) -> str:
    return f"{x:,.0f}"


def shortfalls(P: Problem, assign: np.ndarray, single_period_lp=None) -> list[Shortfall]:
    out: list[Shortfall] = []
    v = check(P, assign)
    area, cost, hh, st = P.usage(assign, raw=True)
    per = P.inst.periods
    for t in np.flatnonzero(v["floor"] > 0):
        t = int(t)
        target = per[t].area_target_m2
        short = target - area[t]
        reason, detail = _floor_reason(P, t, target, single_period_lp)
        out.append(
            Shortfall(
                period=per[t].id,
                constraint="area_target_m2",
                target=target,
                achieved=float(area[t]),
                amount=float(short),
                reason=reason,
                message=f"批次 {per[t].id} 面积目标 {_fmt(target)} m² 差 {_fmt(short)} m²：{detail}",
            )
        )
    for key, field, used, label in (
        ("budget", "budget_yuan", cost, "预算"),
        ("ext", "household_cap_extension", hh, "扩展范围户数上限"),
    ):
        for t in np.flatnonzero(v[key] > 0):
            t = int(t)
            cap = getattr(per[t], field)
            out.append(
                Shortfall(
                    period=per[t].id,
                    constraint=field,
                    target=cap,
                    achieved=float(used[t]),
                    amount=float(used[t] - cap),
                    reason="locked",
                    message=f"批次 {per[t].id} 已锁定的小区超出{label} {_fmt(used[t] - cap)}",
                )
            )
    if P.K is not None and P.S:
        over = np.argwhere(v["street"] > 0)
        for s, t in over:
            out.append(
                Shortfall(
                    period=per[int(t)].id,
                    constraint="max_concurrent_per_street",
                    target=float(P.K),
                    achieved=float(st[s, t]),
                    amount=float(st[s, t] - P.K),
                    reason="locked",
                    message=(
                        f"批次 {per[int(t)].id} 街道 {P.street_names[int(s)]} 已锁定的小区"
                        f"超出同时施工上限 {P.K} 个"
                    ),
                )
            )
    return out


def _floor_reason(P: Problem, t: int, target: float, single_period_lp) -> tuple[str, str]:
    allowed = P.free | (P.lock == t)
    locked_t = P.lock == t
    a, c, h = P.area_raw, P.cost_raw, P.hh_raw
    total = a[allowed].sum()
    if total < target:
        return "eligible_area", f"可安排的小区总面积只有 {_fmt(total)} m²"
    per = P.inst.periods[t]
    free = np.flatnonzero(P.free)
    small = single_period_lp is not None and P.n <= 200
    if per.budget_yuan is not None:
        room = per.budget_yuan - c[locked_t].sum()
        best = a[locked_t].sum() + _fractional(a[free], c[free], room)
        if small and best >= target:
            best = single_period_lp(t, ("budget",)) or best
        if best < target:
            return "budget", f"预算 {_fmt(per.budget_yuan)} 元内最多可改造 {_fmt(best)} m²"
    if P.K is not None and P.S:
        best = _street_best(P, t)
        if best < target:
            return "street_cap", f"每个街道同时施工不超过 {P.K} 个小区，最多 {_fmt(best)} m²"
    if per.household_cap_extension is not None:
        room = per.household_cap_extension - h[locked_t].sum()
        ext = free[h[free] > 0]
        plain = free[h[free] <= 0]
        best = a[locked_t].sum() + a[plain].sum() + _fractional(a[ext], h[ext], room)
        if small and best >= target:
            best = single_period_lp(t, ("ext",)) or best
        if best < target:
            return "extension_cap", f"扩展范围户数上限内最多 {_fmt(best)} m²"
    if single_period_lp is not None and P.n <= DIAGNOSED_ITEMS:
        best = single_period_lp(t)
        if best is not None and best < target * (1 - 1e-9):
            return "caps_combined", f"预算和各项上限同时约束下最多 {_fmt(best)} m²"
    return "competition", "各批次的目标合计超出小区和资金所能满足的范围（单看本批次可以达到）"


def _fractional(value: np.ndarray, weight: np.ndarray, room: float) -> float:
    """Fractional knapsack: most value within `room` of weight (an upper bound)."""
    if room <= 0:
        return float(value[weight <= 0].sum())
    zero = weight <= 0
    got = float(value[zero].sum())
    v, w = value[~zero], weight[~zero]
    order = np.argsort(-(v / w))
    cw = np.cumsum(w[order])
    k = int(np.searchsorted(cw, room, side="right"))
    got += float(v[order][:k].sum())
    if k < len(order):
        prev = cw[k - 1] if k else 0.0
        got += float(v[order][k] * (room - prev) / w[order][k])
    return got


def _street_best(P: Problem, t: int) -> float:
    """Largest area with at most K per street (clusters counted in their first street)."""
    allowed = P.free | (P.lock == t)
    first = np.full(P.n, -1, dtype=np.int64)
    cnt = np.zeros(P.n)
    order = np.argsort(P.use_item, kind="stable")
    ui, us, _uc = P.use_item[order], P.use_street[order], P.use_cnt[order]
    head = np.r_[True, ui[1:] != ui[:-1]] if len(ui) else np.zeros(0, dtype=bool)
    first[ui[head]] = us[head]
    cnt_sum = np.bincount(P.use_item, weights=P.use_cnt, minlength=P.n)
    cnt[:] = cnt_sum
    a = P.area_raw
    got = float(a[allowed & (first < 0)].sum())
    # per street at once (a loop over 550 streets took 0.5 s a short period at 220,000):
    # the locked first, then the rest by area per place while the places last
    locked = allowed & (first >= 0) & (P.lock == t)
    got += float(a[locked].sum())
    room = P.K - np.bincount(first[locked], weights=cnt[locked], minlength=P.S)
    rest = np.flatnonzero(allowed & (first >= 0) & (P.lock != t))
    if len(rest):
        rest = rest[np.lexsort((-a[rest] / np.maximum(cnt[rest], 1), first[rest]))]
        st = first[rest]
        cw = np.cumsum(cnt[rest])
        starts = np.r_[0, np.flatnonzero(st[1:] != st[:-1]) + 1]
        before = np.repeat(np.r_[0.0, cw[starts[1:] - 1]], np.diff(np.r_[starts, len(rest)]))
        within = cw - before  # places used in the street so far, increasing within it
        got += float(a[rest][within <= room[st]].sum())
    return got
