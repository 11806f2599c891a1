"""HiGHS on a core of items, always in a child process with a hard wall-clock kill.

HiGHS has been measured here overrunning its own time limit by minutes on this
model, so every call is forked (the arrays are inherited, not pickled) and the
child is killed when the wall clock runs out; the caller's heuristic answer then
stands. The core is a set of items over a set of periods; every other item is
fixed (its use of the rows is subtracted from the right-hand sides). Every row
has a penalised slack so the model is always feasible; the penalty bounds the
prices, which keeps any prices read from it valid for the dual bound.
"""

from __future__ import annotations

import multiprocessing as mp
import time
from dataclasses import dataclass

import highspy  # imported here so forked children inherit it loaded
import numpy as np

from .problem import Prices, Problem

INF = float("inf")


def run_in_child(fn, args: tuple, timeout: float):
    """Run fn(*args) in a forked child; return its result, or None when killed or failed."""
    ctx = mp.get_context("fork")
    recv, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(fn, args, send), daemon=True)
    proc.start()
    send.close()
    result = None
    try:
        if recv.poll(max(timeout, 0.0)):
            try:
                result = recv.recv()
            except (EOFError, OSError):
                result = None
    finally:
        if proc.is_alive():
            proc.join(0.2)
        if proc.is_alive():
            proc.kill()
        proc.join()
        recv.close()
    if isinstance(result, tuple) and result and result[0] == "error":
        return None
    return result


def _child(fn, args, send):
    try:
        out = fn(*args)
    except BaseException as exc:  # noqa: BLE001 - reported to the parent as a failure
        out = ("error", repr(exc))
    try:
        send.send(out)
    finally:
        send.close()


@dataclass
class CoreModel:
    items: np.ndarray  # core item indices
    periods: np.ndarray  # allowed periods
    ncol: int  # item columns (len(items) * len(periods)), slacks after
    cost: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    rlo: np.ndarray
    rhi: np.ndarray
    start: np.ndarray
    index: np.ndarray
    value: np.ndarray
    row_kind: np.ndarray  # 0 floor, 1 budget, 2 ext, 3 street, 4 one
    row_t: np.ndarray
    row_s: np.ndarray
    offset: float  # scaled objective of the fixed items
    basis: tuple | None = None  # simplex basis of the last solve (warm start)


def build_core(
    P: Problem, items: np.ndarray, periods: np.ndarray, assign: np.ndarray, penalty: float
) -> CoreModel:
    """Model over `items` × `periods`; items outside are fixed as in `assign`."""
    items = np.asarray(items, dtype=np.int64)
    periods = np.asarray(periods, dtype=np.int64)
    m, tp = len(items), len(periods)
    fixed = assign.copy()
    fixed[items] = -1
    area, cost, hh, st = P.usage(fixed)
    offset = P.objective(fixed)

    rows_kind, rows_t, rows_s, rlo, rhi = [], [], [], [], []
    row_of: dict[tuple[int, int, int], int] = {}

    def add_row(kind, t, s, lo, hi):
        row_of[(kind, t, s)] = len(rows_kind)
        rows_kind.append(kind)
        rows_t.append(t)
        rows_s.append(s)
        rlo.append(lo)
        rhi.append(hi)

    for t in periods:
        t = int(t)
        if P.has_floor[t]:
            add_row(0, t, -1, P.A[t] - area[t], INF)
        if P.has_budget[t]:
            add_row(1, t, -1, -INF, P.B[t] - cost[t])
        if P.has_ext[t]:
            add_row(2, t, -1, -INF, P.H[t] - hh[t])
    # street incidences of core items
    pos = np.full(P.n, -1, dtype=np.int64)
    pos[items] = np.arange(m)
    if P.K is not None and P.S:
        sel = pos[P.use_item] >= 0
        u_j = pos[P.use_item[sel]]
        u_s = P.use_street[sel]
        u_c = P.use_cnt[sel]
        streets = np.unique(u_s)
        for s in streets:
            for t in periods:
                add_row(3, int(t), int(s), -INF, P.Kst[s, t] - st[s, t])
        srow = np.full((P.S, P.T), -1, dtype=np.int64)
        for (kind, t, s), r in row_of.items():
            if kind == 3:
                srow[s, t] = r
    else:
        u_j = u_s = np.zeros(0, dtype=np.int64)
        u_c = np.zeros(0)
    one0 = len(rows_kind)
    for _ in range(m):
        rows_kind.append(4)
        rows_t.append(-1)
        rows_s.append(-1)
        rlo.append(-INF)
        rhi.append(1.0)

    cols, rows, vals = [], [], []
    cost_vec = []
    prof = P.profit()
    for k, t in enumerate(periods):
        t = int(t)
        base = k * m
        colj = base + np.arange(m)
        cost_vec.append(prof[items, t])
        if P.has_floor[t]:
            cols.append(colj)
            rows.append(np.full(m, row_of[(0, t, -1)]))
            vals.append(P.a[items])
        if P.has_budget[t]:
            cols.append(colj)
            rows.append(np.full(m, row_of[(1, t, -1)]))
            vals.append(P.c[items])
        if P.has_ext[t]:
            hv = P.h[items]
            nz = hv > 0
            cols.append(colj[nz])
            rows.append(np.full(int(nz.sum()), row_of[(2, t, -1)]))
            vals.append(hv[nz])
        if len(u_j):
            cols.append(base + u_j)
            rows.append(srow[u_s, t])
            vals.append(u_c)
        cols.append(colj)
        rows.append(one0 + np.arange(m))
        vals.append(np.ones(m))
    ncol = m * tp
    # slacks on every coupling / street row
    nslack = one0
    scol = ncol + np.arange(nslack)
    kinds = np.array(rows_kind[:one0], dtype=np.int64)
    cols.append(scol)
    rows.append(np.arange(nslack))
    vals.append(np.where(kinds == 0, 1.0, -1.0))
    cost_all = np.concatenate(cost_vec + [np.full(nslack, -penalty)]) if cost_vec else np.zeros(0)
    col = np.concatenate(cols) if cols else np.zeros(0, dtype=np.int64)
    row = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
    val = np.concatenate(vals) if vals else np.zeros(0)
    order = np.lexsort((row, col))
    col, row, val = col[order], row[order], val[order]
    total = ncol + nslack
    start = np.searchsorted(col, np.arange(total + 1)).astype(np.int64)
    upper = np.concatenate([np.ones(ncol), np.full(nslack, INF)])
    return CoreModel(
        items=items,
        periods=periods,
        ncol=ncol,
        cost=cost_all,
        lower=np.zeros(total),
        upper=upper,
        rlo=np.array(rlo, dtype=float),
        rhi=np.array(rhi, dtype=float),
        start=start,
        index=row.astype(np.int64),
        value=val,
        row_kind=np.array(rows_kind, dtype=np.int64),
        row_t=np.array(rows_t, dtype=np.int64),
        row_s=np.array(rows_s, dtype=np.int64),
        offset=offset,
    )


def _solve(
    model: CoreModel, integer: bool, time_limit: float, start_values, rel_gap: float, basis=None
):
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", max(float(time_limit), 0.05))
    h.setOptionValue("threads", 1)
    if integer:
        h.setOptionValue("mip_rel_gap", rel_gap)
        h.setOptionValue("mip_abs_gap", 1e-9)
    lp = highspy.HighsLp()
    total = len(model.cost)
    lp.num_col_ = total
    lp.num_row_ = len(model.rlo)
    lp.col_cost_ = model.cost
    lp.col_lower_ = model.lower
    lp.col_upper_ = model.upper
    lp.row_lower_ = np.where(np.isinf(model.rlo), -highspy.kHighsInf, model.rlo)
    lp.row_upper_ = np.where(np.isinf(model.rhi), highspy.kHighsInf, model.rhi)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = model.start
    lp.a_matrix_.index_ = model.index
    lp.a_matrix_.value_ = model.value
    lp.sense_ = highspy.ObjSense.kMaximize
    if integer:
        integ = [highspy.HighsVarType.kInteger] * model.ncol + [
            highspy.HighsVarType.kContinuous
        ] * (total - model.ncol)
        lp.integrality_ = integ
    h.passModel(lp)
    if basis is not None and not integer:
        b = highspy.HighsBasis()
        b.col_status = [highspy.HighsBasisStatus(int(v)) for v in basis[0]]
        b.row_status = [highspy.HighsBasisStatus(int(v)) for v in basis[1]]
        b.valid = True
        h.setBasis(b)
    if integer and start_values is not None:
        sol = highspy.HighsSolution()
        sol.col_value = list(map(float, start_values))
        sol.value_valid = True
        h.setSolution(sol)
    h.run()
    status = h.modelStatusToString(h.getModelStatus())
    info = h.getInfo()
    sol = h.getSolution()
    if not sol.value_valid:
        return {"status": status, "x": None}
    out = {
        "status": status,
        "x": np.array(sol.col_value),
        "obj": info.objective_function_value,
    }
    if integer:
        out["dual_bound"] = info.mip_dual_bound
    elif sol.dual_valid:
        out["row_dual"] = np.array(sol.row_dual)
        b = h.getBasis()
        if b.valid:
            out["basis"] = (
                np.array([int(v) for v in b.col_status], dtype=np.int8),
                np.array([int(v) for v in b.row_status], dtype=np.int8),
            )
    return out


def solve_core(
    model: CoreModel,
    *,
    integer: bool,
    time_limit: float,
    start_values=None,
    rel_gap: float = 1e-7,
    grace: float = 0.5,
    basis=None,
):
    """Solve in a child; None when the child overran and was killed (or failed)."""
    t0 = time.perf_counter()
    res = run_in_child(
        _solve, (model, integer, time_limit, start_values, rel_gap, basis), time_limit + grace
    )
    if res is not None:
        res["seconds"] = time.perf_counter() - t0
    return res


def prices_from_duals(P: Problem, model: CoreModel, row_dual: np.ndarray, base: Prices) -> Prices:
    """Row duals of a (maximising) core LP → prices; rows absent from the core (a street
    with no core item) keep their price in `base`: the fixed items there were placed
    at it, and dropping it to 0 would make every one of them look misplaced."""
    y = Prices(base.lam.copy(), base.mu.copy(), base.nu.copy(), base.pi.copy())
    for r in np.flatnonzero(model.row_kind < 4):
        kind, t, s, d = model.row_kind[r], model.row_t[r], model.row_s[r], row_dual[r]
        if kind == 0:
            y.lam[t] = -d
        elif kind == 1:
            y.mu[t] = d
        elif kind == 2:
            y.nu[t] = d
        else:
            y.pi[s, t] = d
    return y.clamp(P)


def assign_from_core(model: CoreModel, x: np.ndarray, assign: np.ndarray, thresh=0.5):
    """Plan with the core items set from the model's column values (x_it > thresh)."""
    out = assign.copy()
    m = len(model.items)
    out[model.items] = -1
    X = x[: model.ncol].reshape(len(model.periods), m)
    best = X.argmax(axis=0)
    on = X[best, np.arange(m)] > thresh
    out[model.items[on]] = model.periods[best[on]]
    return out


def start_from_assign(P: Problem, model: CoreModel, assign: np.ndarray) -> np.ndarray:
    """Column values for a warm start (slacks set to what the plan needs)."""
    m = len(model.items)
    x = np.zeros(len(model.cost))
    cur = assign[model.items]
    for k, t in enumerate(model.periods):
        x[k * m : (k + 1) * m] = (cur == t).astype(float)
    # slack = violation of each row by the plan
    ri = np.repeat(np.arange(len(model.start) - 1), np.diff(model.start))
    act = np.bincount(model.index, weights=model.value * x[ri], minlength=len(model.rlo))
    for r in range(len(model.rlo)):
        if model.row_kind[r] == 4:
            continue
        need = model.rlo[r] - act[r] if model.row_kind[r] == 0 else act[r] - model.rhi[r]
        x[model.ncol + r] = max(0.0, need)
    return x
