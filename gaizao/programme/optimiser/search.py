"""Integer phase: round the core LP, repair, then exact MIP re-solves of small cores."""

from __future__ import annotations

import dataclasses
import itertools
import time

import numpy as np

from . import highs
from .aimed import TARGET_FROM, TARGET_SECONDS, _aimed_rounds, _model, _target_core
from .exchange import exchange
from .pricing import FULL_MIP_ITEMS, HUGE, _options
from .problem import Prices, Problem
from .repair import check, floor_swaps, floor_trades, is_feasible, penalised, priced_greedy, repair
from .shortfall import DIAGNOSED_ITEMS


def integer_phase(
    P: Problem,
    y: Prices,
    bound: float,
    model,
    x,
    base,
    deadline: float,
    penalty: float,
    rel_gap: float,
    stats: dict,
):
    """Returns (assign, mip_bound or None, stopped_by_time)."""
    t_start = time.perf_counter()
    if model is not None and x is not None:
        start = highs.assign_from_core(model, x, base, thresh=1 - 1e-6)
    else:
        start = base.copy()
    start[~P.free] = P.lock[~P.free]
    best = repair(P, start, y)
    if not is_feasible(P, best):
        # the floors rounding left short, by the cheapest trades (each row kept)
        best = floor_trades(P, best, y, deadline)
        stats["after_trades"] = {k: float(v.sum()) for k, v in check(P, best).items()}
    if model is not None and x is not None and not is_feasible(P, best) and P.n <= HUGE:
        # (above HUGE items its repairs take seconds the core MIPs need more)
        attempts = 6 if stats.get("lp_converged", True) else 3
        best = _raised_rounding(P, model, x, base, best, y, deadline, penalty, stats, attempts)
        if not is_feasible(P, best):
            best = floor_trades(P, best, y, deadline)
    left = deadline - time.perf_counter()
    no_lp = model is None or x is None
    if (no_lp or not is_feasible(P, best)) and left > GREEDY_SECONDS * P.n:
        # no core LP solved in time, or its rounding is still short, and there is
        # time for it: the priced choices, greedily within the rows; the better stands
        alt = priced_greedy(P, y, deadline)
        stats["priced_greedy"] = P.objective(alt)
        if penalised(P, alt, penalty) > penalised(P, best, penalty):
            best = alt
    # a penalty on shortfall well above the marginal prices: large enough to prefer
    # any feasible plan, small enough to keep HiGHS well scaled
    top = max(
        1.0,
        float(
            max(y.lam.max(initial=0), y.mu.max(initial=0), y.nu.max(initial=0), y.pi.max(initial=0))
        ),
    )
    penalty = min(penalty, 20.0 * top * max(1.0, float(P.w.max())))
    best_val = penalised(P, best, penalty)
    stats["rounded"] = P.objective(best)
    stats["rounding_seconds"] = round(time.perf_counter() - t_start, 2)
    free = np.flatnonzero(P.free)
    mip_bound = None
    if not len(free):
        return best, None, False
    r = P.reduced(y)
    rng = np.random.default_rng(1)
    pairs = _core_schedule(P.T)
    if len(free) > TARGET_FROM:
        # aimed cores over every period were measured to gain nothing at 220,000
        pairs = [p for p in pairs if len(p) < P.T or P.T <= 2]
    sizes = {len(p): CORE_SIZE.get(len(p), CORE_ALL) for p in pairs}
    stall = 0
    rounds = 0
    stopped = False
    full = len(free) <= FULL_MIP_ITEMS
    # large instances: cores aimed at what the plan loses against the prices
    targeted = len(free) > TARGET_FROM
    one_s = np.full(P.n, -1, dtype=np.int64)
    one_s[P.use_item] = P.use_street
    if not is_feasible(P, best) and not full:
        alt = floor_swaps(P, best, deadline - 0.5 * max(deadline - time.perf_counter(), 0.0))
        if penalised(P, alt, penalty) > best_val:
            best, best_val = alt, penalised(P, alt, penalty)
            stats["floor_swaps"] = True
    if not is_feasible(P, best):
        # a floor may stay short: after the search its reason is proven by one small LP
        # per short floor up to DIAGNOSED_ITEMS (shortfall.py, at least 0.3 s each),
        # by a pass over the streets above (~1 µs a compound), and the bound is taken
        # again with the targets lowered (solve): keep that time back
        short = int((check(P, best)["floor"] > 0).sum())
        each = 0.45 if P.n <= DIAGNOSED_ITEMS else 1e-6 * P.n
        deadline -= min(each * short, 0.25 * max(deadline - time.perf_counter(), 0.0))
        best, best_val = _feasibility(P, r, best, best_val, y, deadline, penalty, full, stats)
    if targeted and is_feasible(P, best):
        best, rounds, stopped = _aimed_rounds(
            P, y, r, best, deadline, penalty, pairs, one_s, rng, stats
        )
        best_val = penalised(P, best, penalty)
    for k in itertools.count():
        if targeted and rounds:
            break
        left = deadline - time.perf_counter()
        if left < 0.05:
            stopped = True
            break
        if is_feasible(P, best) and _gap(P, best, bound, mip_bound) <= rel_gap:
            break
        if full:
            items, periods = free, np.arange(P.T)
        elif targeted:
            periods = np.array(pairs[k % len(pairs)])
            items = _target_core(P, y, r, best, periods, one_s, rng, k >= len(pairs))
        else:
            periods = np.array(pairs[k % len(pairs)])
            items = _pick_core(P, r, best, periods, rng, k >= len(pairs), sizes[len(periods)])
        if not len(items):
            stall += 1
            if stall > len(pairs):
                break
            continue
        m, x0 = _model(P, items, periods, best, penalty)
        # rows no worse than the best plan's: it is a feasible warm start
        m.upper[m.ncol :] = x0[m.ncol :] * (1 + 1e-9)
        # the child's start, HiGHS's stop and the answer's way back take up to ~0.1 s
        # past HiGHS's own limit on a loaded machine (a 5,000 run ended at 10.01 s)
        limit = left - CHILD_OVERHEAD
        if not full:
            limit = min(limit, TARGET_SECONDS if targeted else CORE_SECONDS)
        if limit < 0.05:
            stopped = True
            break
        res = highs.solve_core(
            m,
            integer=True,
            time_limit=limit,
            start_values=x0,
            rel_gap=1e-9 if full else 1e-7,
            grace=0.3,
        )
        rounds += 1
        if res is None or res.get("x") is None:
            stall += 1
            if full:
                break
            continue
        cand = highs.assign_from_core(m, res["x"], best)
        t_rep = time.perf_counter()
        if full or not is_feasible(P, cand):
            # a feasible candidate from a core is kept as the MIP left it (the
            # repair's fill pass over every item cost 0.1 s a round at 50,000
            # compounds, 0.5 s at 220,000 — a fifth to a half of the rounds' time)
            cand = repair(P, cand, y, deadline=deadline)
        val = penalised(P, cand, penalty)
        stats["repair_seconds"] = stats.get("repair_seconds", 0.0) + time.perf_counter() - t_rep
        if full and res["status"] == "Optimal" and is_feasible(P, cand):
            mip_bound = float(res["dual_bound"]) + m.offset
        stats.setdefault("mip_log", []).append(
            (
                len(items),
                len(periods),
                round(res["seconds"], 2),
                res["status"][:8],
                round(val - best_val, 5),
            )
        )
        grew = False
        if not full and not targeted:
            # a core solved to optimality well within its time gets bigger next
            # time (at large n the cores are easy and too small to matter); one
            # stopped at its limit without gain gets smaller again
            nper, quick = len(periods), res["seconds"] < 0.5 * CORE_SECONDS
            if res["status"] == "Optimal" and quick and sizes[nper] < MAX_CORE:
                sizes[nper] = min(int(sizes[nper] * 1.5), MAX_CORE)
                grew = True
            elif res["status"] != "Optimal" and val <= best_val:
                sizes[nper] = max(int(sizes[nper] * 0.8), CORE_SIZE.get(nper, CORE_ALL))
        if val > best_val + 1e-12 * max(1.0, abs(best_val)):
            best, best_val, stall = cand, val, 0
        elif not grew:
            stall += 1
        if full:
            if res["status"] != "Optimal":
                stopped = time.perf_counter() >= deadline - 0.1
            break
        if stall > len(pairs) + 2:
            break
    if not full and rounds and is_feasible(P, best) and deadline - time.perf_counter() > 0.2:
        # the cores stalled with time left: one-in-one-out exchanges over a wider
        # field (exchange.py; run first, they were measured to leave the cores less:
        # 0.0064 % against 0.0030 % at 220,000 in the same 14 s)
        best = exchange(P, best, y, deadline, stats=stats)
    stats["mip_rounds"] = rounds
    return best, mip_bound, stopped


GREEDY_SECONDS = 6e-5  # the priced greedy and its repair, per item (measured under load)
CHILD_OVERHEAD = 0.1  # seconds a core MIP's child may take past HiGHS's own limit
CORE_SECONDS = 0.4  # one core MIP (HiGHS stops there; its best plan so far counts)
CORE_SIZE = {1: 60, 2: 40}  # items in a core by its number of periods
CORE_ALL = 30  # items in a core over every period
MAX_CORE = 2000  # cores solved quickly grow by half each time, up to this


def _core_schedule(T: int) -> list[tuple[int, ...]]:
    """Period sets the cores range over: each period alone, every period, each pair.

    With the other periods fixed, a core over one period is a small multi-row
    knapsack that HiGHS solves to optimality in a fraction of a second (measured
    at n = 5,000: 100 items in 0.35 s); cores over every period move compounds
    between batches but must stay small (60 items) to finish their root."""
    out = [(t,) for t in range(T)]
    if T > 1:
        out.append(tuple(range(T)))
    if T > 2:
        out += [p for p in itertools.combinations(range(T), 2)]
    return out


def _gap(P: Problem, assign, bound, mip_bound) -> float:
    ub = bound if mip_bound is None else min(bound, mip_bound)
    obj = P.objective(assign)
    return (ub - obj) / max(abs(obj), 1e-12)


def _pick_core(P: Problem, r, best, periods, rng, randomise: bool, size: int):
    """Items among those in `periods` or unassigned: first those the plan keeps off
    their priced choice (most lost first), then those nearest the price threshold."""
    movable = P.free & ((best < 0) | np.isin(best, periods))
    idx = np.flatnonzero(movable)
    if not len(idx):
        return idx
    sub = r[np.ix_(idx, periods)]
    choice, margin, top = _options(sub)
    cur = best[idx]
    pos = np.full(P.T, -1, dtype=np.int64)
    pos[periods] = np.arange(len(periods))
    here = np.where(cur >= 0, sub[np.arange(len(idx)), np.maximum(pos[cur], 0)], 0.0)
    lost = top - here  # ≥ 0; > 0 where the plan is off the priced choice
    key = np.where(lost > 1e-12, -lost, margin)
    if randomise:
        key = np.where(key > 0, key * (1.0 + 0.7 * rng.random(len(key))), key)
    take = np.argsort(key, kind="stable")[:size]
    return idx[take]


FEAS_CORE = 1500


def _feasibility(P: Problem, r, best, best_val, y, deadline, penalty, full, stats):
    """Least total shortfall first (objective only as a tie-break), over a core."""
    for attempt in range(3):
        # the MIP's time, its child's grace (0.5 s) and the repair after it (~3 µs a
        # compound) all end by the deadline
        left = deadline - time.perf_counter() - 0.5 - 3e-6 * P.n
        if left < 0.1:
            break
        free = np.flatnonzero(P.free)
        if full or len(free) <= FEAS_CORE:
            items = free
        else:
            _, margin, _ = _options(r[free])
            margin = margin * (1.0 + attempt * np.random.default_rng(attempt).random(len(free)))
            items = free[np.argsort(margin, kind="stable")[:FEAS_CORE]]
        m, x0 = _model(P, items, np.arange(P.T), best, penalty)
        res = highs.solve_core(
            m,
            integer=True,
            time_limit=min(left, max(1.0, 0.3 * left)),
            start_values=x0,
            rel_gap=1e-9,
        )
        stats["feasibility_rounds"] = attempt + 1
        if res is None or res.get("x") is None:
            continue
        cand = repair(P, highs.assign_from_core(m, res["x"], best), y, deadline=deadline)
        val = penalised(P, cand, penalty)
        if val > best_val:
            best, best_val = cand, val
        if is_feasible(P, best) or res["status"] == "Optimal" and (full or len(free) <= FEAS_CORE):
            break
    return best, best_val


def _raised_rounding(P: Problem, model, x, base, best, y, deadline, penalty, stats, attempts=6):
    """Re-solve a small core LP (the fractional items and those nearest the prices,
    the rest fixed as rounded down) with the floors raised by what rounding down
    loses; round down again and repair; a few times, raising more while short."""
    m = len(model.items)
    X = x[: model.ncol].reshape(len(model.periods), m)
    frac = (X > 1e-6) & (X < 1 - 1e-6)
    lost = np.zeros(P.T)
    for k, t in enumerate(model.periods):
        lost[t] = float((P.a[model.items] * X[k] * frac[k]).sum())
    basis = getattr(model, "basis", None)
    raise_ = lost + check(P, best)["floor"]
    for attempt in range(attempts):
        if time.perf_counter() > deadline - 0.1:
            break
        R = dataclasses.replace(P, A=np.where(P.has_floor, P.A + raise_ * 1.0001, P.A))
        mr = highs.build_core(R, model.items, model.periods, base, penalty)
        res = highs.solve_core(
            mr, integer=False, time_limit=max(deadline - time.perf_counter(), 0.1), basis=basis
        )
        stats["raised_rounds"] = attempt + 1
        if res is None or res.get("x") is None:
            break
        basis = res.get("basis", basis)
        plan = highs.assign_from_core(mr, res["x"], base, thresh=1 - 1e-6)
        plan[~P.free] = P.lock[~P.free]
        plan = repair(P, plan, y, deadline=deadline)
        if is_feasible(P, plan):
            return plan
        if penalised(P, plan, penalty) > penalised(P, best, penalty):
            best = plan
        raise_ = raise_ * 1.5 + check(P, plan)["floor"] + P.a.mean()
    return best
