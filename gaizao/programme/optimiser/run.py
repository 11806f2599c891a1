"""`solve(instance)`: the plan, its proven bound and gap, the status and the shortfalls."""

from __future__ import annotations

import dataclasses
import math
import time

import numpy as np

from . import highs
from .model import Instance, Result
from .pricing import FULL_LP_ITEMS, lp_phase, penalty_for
from .problem import Problem, build_problem
from .repair import check
from .search import integer_phase
from .shortfall import shortfalls

OPTIMAL_GAP = 1e-9


def solve(inst: Instance, time_limit: float = 10.0, *, rel_gap: float = 1e-7) -> Result:
    """Best plan found within `time_limit` seconds (wall clock, HiGHS children included).

    The bound is the LP dual bound (the Lagrangian dual over every row, which equals
    the LP relaxation at convergence); when a MIP covered the whole instance its
    proven dual bound is used if tighter.
    """
    t0 = time.perf_counter()
    deadline = t0 + max(time_limit, 0.2)
    P = build_problem(inst)
    penalty = penalty_for(P)
    stats: dict = {}
    # above FULL_LP_ITEMS the LP is sifted and its prices decide most of the plan:
    # it gets three quarters of the time (rounding and core MIPs the rest)
    share = 0.6 if int(P.free.sum()) <= FULL_LP_ITEMS else 0.75
    y, bound, model, x, base = lp_phase(P, t0 + share * (deadline - t0), penalty, stats)
    stats["lp_seconds"] = time.perf_counter() - t0
    # what follows the search (checks, the exact objective, the result's
    # compound → period map) takes ~4 µs a compound: 0.9 s at 220,000, which
    # ran past the limit
    reserve = 0.05 + 4e-6 * len(inst.compounds)
    assign, mip_bound, stopped = integer_phase(
        P, y, bound, model, x, base, deadline - reserve, penalty, rel_gap, stats
    )
    v = check(P, assign)
    infeasible = any(np.any(a > 0) for a in v.values())
    method = "lp-dual"
    # proven for the instance as given, whatever the plan reaches (the bench's reference)
    stats["instance_bound"] = P.unscale_objective(bound)
    if infeasible:
        # bound of the instance relaxed to what the plan reaches (floors lowered,
        # caps raised by the locked overruns): the best any plan reaching as much could do
        R = _relaxed(P, assign)
        bound = R.dual_value(y)
        left = deadline - time.perf_counter()
        # the LP again (its smoothed dual alone takes ~1.3 s at 220,000): only in time
        if left > 0.2 + 6e-6 * P.n:
            _, lp_bound, *_ = lp_phase(R, deadline, penalty, {})
            bound = min(bound, lp_bound)
        method = "lp-dual (targets lowered to the plan's shortfall)"
    elif mip_bound is not None and mip_bound < bound:
        bound, method = mip_bound, "mip (HiGHS, every compound)"
    objective = _objective(P, assign)
    ub = P.unscale_objective(bound)
    if ub < objective and objective - ub <= 1e-9 * max(1.0, abs(objective)):
        ub = objective
    gap = (ub - objective) / abs(objective) if objective else (0.0 if ub <= 1e-12 else None)
    if infeasible:
        status = "infeasible-with-shortfall"
    elif gap is not None and gap <= OPTIMAL_GAP:
        status = "optimal"
    elif stopped:
        status = "time-limit"
    else:
        status = "feasible"
    found = shortfalls(P, assign, _single_period_lp(P, deadline))
    stats["deadline_overrun"] = max(0.0, time.perf_counter() - deadline)
    # compound → period, through the item of each compound (no per-item loop:
    # at 220,000 compounds the loop took 0.8 s past the time limit)
    per_c = assign[_item_of(P)]
    on = np.flatnonzero(per_c >= 0)
    pids = [p.id for p in inst.periods]
    comp = inst.compounds
    result_assign = {
        comp[j].id: pids[t] for j, t in zip(on.tolist(), per_c[on].tolist(), strict=True)
    }
    stats["items"] = P.n
    return Result(
        assignment=result_assign,
        objective=objective,
        bound=ub,
        gap=gap,
        seconds=time.perf_counter() - t0,
        status=status,
        shortfalls=found,
        bound_method=method,
        stats=stats | {"_assign": assign, "_prices": y, "_problem": P},
    )


def _item_of(P: Problem) -> np.ndarray:
    """(compounds,) the item of each compound."""
    out = np.empty(len(P.inst.compounds), dtype=np.int64)
    sizes = np.fromiter((len(m) for m in P.members), dtype=np.int64, count=len(P.members))
    flat = np.fromiter((j for m in P.members for j in m), dtype=np.int64, count=int(sizes.sum()))
    out[flat] = np.repeat(np.arange(len(P.members)), sizes)
    return out


def _objective(P: Problem, assign: np.ndarray) -> float:
    """Σ weight × score over assigned compounds, summed exactly (fsum of the terms)."""
    inst = P.inst
    per_c = assign[_item_of(P)] if inst.compounds else np.zeros(0, dtype=np.int64)
    on = np.flatnonzero(per_c >= 0)
    w = [p.weight for p in inst.periods]
    comp = inst.compounds
    return math.fsum(
        w[t] * comp[j].score for j, t in zip(on.tolist(), per_c[on].tolist(), strict=True)
    )


def _relaxed(P: Problem, assign: np.ndarray) -> Problem:
    area, cost, hh, st = P.usage(assign)
    return dataclasses.replace(
        P,
        A=np.minimum(P.A, area),
        B=np.where(P.has_budget, np.maximum(P.B, cost), P.B),
        H=np.where(P.has_ext, np.maximum(P.H, hh), P.H),
        Kst=np.maximum(P.Kst, st),
    )


def _single_period_lp(P: Problem, deadline: float):
    """Most area period t alone can reach under all its rows (LP, HiGHS in a child).

    Each solve gets what is left of the time limit (at least 0.3 s; at most 1 s
    for a MIP, whose bound is valid whenever it stops, 5 s for an LP).
    The figure is an upper bound (the MIP's dual bound, or the LP optimum), so it
    proves a shortfall reason even from a MIP stopped short; an LP stopped short
    proves nothing and the reason falls back to the next test."""

    def most_area(t: int, rows=("budget", "ext", "street")) -> float | None:
        """Exact (MIP) for small instances, else the LP relaxation (an upper bound)."""
        none = np.zeros(P.T, dtype=bool)
        Q = dataclasses.replace(
            P,
            s=P.a.copy(),
            w=np.eye(P.T)[t],
            has_floor=none,
            has_budget=P.has_budget if "budget" in rows else none,
            has_ext=P.has_ext if "ext" in rows else none,
            K=P.K if "street" in rows else None,
        )
        items = np.flatnonzero(P.free | (P.lock == t))
        fixed = np.full(P.n, -1, dtype=np.int64)
        m = highs.build_core(Q, items, np.array([t]), fixed, 0.0)
        m.cost[m.ncol :] = -1e9
        integer = P.n <= 200
        limit = min(1.0 if integer else 5.0, max(deadline - time.perf_counter(), 0.3))
        res = highs.solve_core(m, integer=integer, time_limit=limit, rel_gap=1e-5, grace=0.2)
        if res is None or res.get("x") is None:
            return None
        if integer:
            ub = float(res["dual_bound"])
            return ub * P.sa if math.isfinite(ub) else None
        return float(res["obj"]) * P.sa if res["status"] == "Optimal" else None

    return most_area
