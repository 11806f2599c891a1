"""The optimiser: priced dual bound, core LP, exact core re-solves, repair.

1. Prices. For large instances every price (area floors, budgets, extension
   caps and street caps together) is set by minimising the smoothed Lagrangian
   dual by projected Newton (`smooth.py`); the exact dual at those prices is a
   proven bound, within 0.0003 % of the LP at 50,000 compounds.
2. Core LP (sifting). Every item is fixed to its best option at the prices
   (a period or none) except a core nearest the price threshold; HiGHS solves
   the LP over the core with the rest fixed, its row duals become the new
   prices, and fixed items whose choice is no longer best join the core, until
   none does. The bound is the dual objective at those prices over *all*
   items, valid for any non-negative prices by weak duality; at convergence it
   equals the LP-relaxation optimum.
3. Integer plan. The LP plan is rounded and repaired; then small cores (a few
   hundred items over all periods, then over pairs of periods) are re-solved
   exactly by HiGHS as MIPs warm-started from the best plan, everything else
   fixed, until the gap closes, the search stalls or the time runs out.
Every HiGHS call runs in a child process killed at its wall-clock limit.
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np

from . import highs
from .problem import Prices, Problem
from .smooth import NEWTON_TEMPERATURES, smooth_prices

FULL_LP_ITEMS = 8000  # up to this the first LP is over every item
CORE_LP = 4000
FULL_MIP_ITEMS = (
    150  # up to this the MIP is over every item (warm-started; proves optimality when it can)
)
HUGE = 100_000
# core LP rounds after a converged smoothed dual: its prices are within ~10⁻⁷ of
# the LP's (the bound is already there) and more rounds only refine the plan
# to be rounded — measured at 50,000 compounds, 2–4 more rounds (2–3 s each)
# left the rounded plan unchanged and took the time the core MIPs use
# (0.021 % after one round against 0.040–0.048 % after two to four)
SIFT_ROUNDS_CONVERGED = 1
MAX_CORE_LP = 6000  # the core LP stops growing here (HiGHS takes seconds beyond)


@dataclasses.dataclass
class Outcome:
    assign: np.ndarray
    bound: float  # scaled, LP dual bound
    mip_bound: float | None  # scaled, when a MIP covered every item
    stopped_by_time: bool
    lp_value: float | None
    stats: dict


def penalty_for(P: Problem) -> float:
    prof = np.abs(P.profit()).max() if P.n else 1.0
    ratios = [prof]
    for v in (P.a, P.c, P.h):
        pos = v[v > 0]
        if pos.size:
            ratios.append(prof / pos.min())
    return 1e3 * max(1.0, max(ratios))


def _options(r: np.ndarray):
    """Best option (−1 = none) and margin to the second best, per item."""
    full = np.concatenate([r, np.zeros((r.shape[0], 1))], axis=1)
    part = np.partition(full, full.shape[1] - 2, axis=1)
    best_v, second_v = part[:, -1], part[:, -2]
    choice = full.argmax(axis=1)
    choice[choice == r.shape[1]] = -1
    return choice, best_v - second_v, best_v


def lp_phase(P: Problem, deadline: float, penalty: float, stats: dict):
    """Sifting LP. Returns (prices, bound, lp_model, lp_x, fixed_assign) — model None if no LP."""
    free = np.flatnonzero(P.free)
    y = Prices.zeros(P.T, P.S)
    t_start = time.perf_counter()
    window = max(deadline - t_start, 0.0)
    # first prices (the smoothed dual) end by 55 % of the window:
    # at least one core LP round must follow, or the plan has no LP to round
    # (above HUGE items the smoothed dual needs more of it: 220,000 compounds
    # take ~120 ms an evaluation on a loaded machine, and the prices it reaches
    # decide most of the plan)
    first_by = t_start + (0.85 if len(free) > HUGE else 0.55) * window
    sift_rounds = 1000
    if len(free) > FULL_LP_ITEMS:
        # every price at once on the smoothed dual (projected Newton): the sampled LP and the
        # block-by-block bundle/auction it replaces stalled 2.5 % above the LP with
        # floor prices near 0, so the priced plan took too little area
        v0 = P.dual_value(y)
        y1, v1 = smooth_prices(P, y, first_by, stats)
        stats["dual_bound"] = (P.unscale_objective(v0), P.unscale_objective(v1))
        if v1 < v0:
            y = y1
        steps = stats.get("smooth_steps") or []
        if len(steps) == len(NEWTON_TEMPERATURES):
            sift_rounds = SIFT_ROUNDS_CONVERGED
    r = P.reduced(y)
    bound = P.dual_value(y, r)
    choice, margin, _ = _options(r)
    base = np.where(P.free, choice, P.lock)
    size = len(free) if len(free) <= FULL_LP_ITEMS else CORE_LP
    core = free[np.argsort(margin[free], kind="stable")[:size]]
    model = x = None
    best_y = y
    rounds = 0
    tol = 1e-9 * max(1.0, float(np.abs(P.profit()).max(initial=1.0)))
    while rounds == 0 or time.perf_counter() < deadline:
        rounds += 1
        if len(free) > FULL_LP_ITEMS:
            base, trimmed = _within_caps(P, base, r, margin, core)
            room = max(MAX_CORE_LP, size) - len(core)
            if room > 0 and len(trimmed):
                core = np.union1d(core, trimmed[np.argsort(margin[trimmed])][:room])
        core = _grow_for_rows(P, core, base, margin)
        if len(core) > max(MAX_CORE_LP, size):
            core = core[np.argsort(margin[core], kind="stable")[:MAX_CORE_LP]]
        m = highs.build_core(P, core, np.arange(P.T), base, penalty)
        limit = deadline - time.perf_counter()
        if rounds == 1:
            limit = max(limit, 0.3 * window)
        res = highs.solve_core(m, integer=False, time_limit=max(limit, 0.1))
        stats.setdefault("lp_round_seconds", []).append(
            round(res["seconds"], 2) if res is not None else None
        )
        if res is None or res.get("row_dual") is None:
            break
        model, x, model_base = m, res["x"], base
        model.basis = res.get("basis")
        y = highs.prices_from_duals(P, m, res["row_dual"], y)
        r = P.reduced(y)
        val = P.dual_value(y, r)
        if val < bound:
            bound, best_y = val, y
        # fixed items whose choice is no longer the best at the new prices
        outside = np.ones(P.n, dtype=bool)
        outside[core] = False
        outside &= P.free
        cur = np.where(base >= 0, r[np.arange(P.n), np.maximum(base, 0)], 0.0)
        best = np.maximum(r.max(axis=1), 0.0)
        viol = np.flatnonzero(outside & (best - cur > tol))
        stats["lp_core"] = len(core)
        stats["lp_converged"] = not len(viol)
        if not len(viol) or rounds >= sift_rounds:
            break
        # sifting: the worst violators join, the core items farthest from the
        # threshold leave (fixed to their best option) once the core is full
        worst = viol[np.argsort(-(best - cur)[viol])][: max(300, len(core) // 2)]
        choice, margin, _ = _options(r)
        cap = max(MAX_CORE_LP, size)
        if len(core) + len(worst) > cap:
            keep = core[np.argsort(margin[core], kind="stable")[: max(cap - len(worst), 0)]]
            dropped = np.setdiff1d(core, keep)
            base = base.copy()
            base[dropped] = choice[dropped]
            core = keep
        core = np.union1d(core, worst)
    stats["lp_rounds"] = rounds
    stats.setdefault("lp_converged", False)
    return best_y, bound, model, x, (model_base if model is not None else base)


def _within_caps(P: Problem, base, r, margin, core, fill: float = 0.97):
    """The fixed plan (free items outside the core at their priced choice) cut back
    to its rows: per street and period the K best, per period the most certain
    (largest margin) within 97 % of the budget and extension cap, so the core LP
    keeps room for the core; the rest are left unassigned and returned (they are
    the first to join the core)."""
    out = base.copy()
    on = np.zeros(P.n, dtype=bool)
    on[np.flatnonzero(P.free)] = True
    on[core] = False
    on &= out >= 0
    locked = np.where(P.free, -1, P.lock)
    area, cost, hh, st = P.usage(locked)
    drop = []
    if P.K is not None and P.S:
        n_inc = np.bincount(P.use_item, minlength=P.n)
        single = n_inc == 1
        multi = on & (n_inc > 1)
        drop.append(np.flatnonzero(multi))
        on &= ~multi
        first = np.full(P.n, -1, dtype=np.int64)
        first[P.use_item] = P.use_street
        cnt = np.zeros(P.n)
        cnt[P.use_item] = P.use_cnt
        idx = np.flatnonzero(on & single)
        t_i = out[idx]
        val = r[idx, t_i]
        order = np.lexsort((-val, t_i, first[idx]))
        idx, t_i = idx[order], t_i[order]
        grp = first[idx] * P.T + t_i
        used = np.zeros(len(idx))
        if len(idx):
            c = cnt[idx]
            cs = np.cumsum(c)
            starts = np.r_[0, np.flatnonzero(np.diff(grp)) + 1]
            g_of = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, len(idx)]))
            used = cs - np.r_[0.0, cs[starts[1:] - 1]][g_of]
            cap = P.Kst[first[idx], t_i] - st[first[idx], t_i]
            over = used > cap + 1e-9
            drop.append(idx[over])
            on[idx[over]] = False
    for t in range(P.T):
        idx = np.flatnonzero(on & (out == t))
        idx = idx[np.argsort(-margin[idx], kind="stable")]
        ok = np.ones(len(idx), dtype=bool)
        if P.has_budget[t]:
            ok &= np.cumsum(P.c[idx]) <= fill * (P.B[t] - cost[t])
        if P.has_ext[t]:
            ok &= np.cumsum(P.h[idx]) <= fill * (P.H[t] - hh[t])
        drop.append(idx[~ok])
    gone = np.concatenate(drop) if drop else np.zeros(0, dtype=np.int64)
    out[gone] = -1
    return out, gone


def _grow_for_rows(P: Problem, core, base, margin):
    """Add fixed items to the core where the fixed ones alone overrun a row."""
    fixed = base.copy()
    fixed[core] = -1
    fixed[~P.free] = P.lock[~P.free]
    area, cost, hh, st = P.usage(fixed)
    add = []
    for t in range(P.T):
        for over, coef in (
            (cost[t] - P.B[t] if P.has_budget[t] else 0.0, P.c),
            (hh[t] - P.H[t] if P.has_ext[t] else 0.0, P.h),
        ):
            if over > 0:
                cand = np.flatnonzero((fixed == t) & P.free & (coef > 0))
                cand = cand[np.argsort(margin[cand])]
                k = np.searchsorted(np.cumsum(coef[cand]), over * 1.2 + 1e-9) + 20
                add.append(cand[:k])
    if P.K is not None and P.S:
        tu = fixed[P.use_item]
        ok = (tu >= 0) & P.free[P.use_item]
        over = st - P.Kst
        bad = ok & (over[P.use_street, np.maximum(tu, 0)] > 0)
        add.append(P.use_item[bad])
    if add:
        core = np.union1d(core, np.concatenate(add))
    return core
