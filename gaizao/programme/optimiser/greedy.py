"""The baseline: a plain score/cost greedy, batch by batch.

Locked compounds go first; then, for each batch in order, the remaining
compounds (clusters whole) by score per yuan, each taken if it still fits the
budget, the extension cap and its street's cap. It ignores the area floors,
which is why it misses them.
"""

from __future__ import annotations

import time

import numpy as np

from .model import Instance, Result
from .problem import build_problem
from .repair import Ledger, check
from .run import _objective
from .shortfall import shortfalls


def greedy(inst: Instance) -> Result:
    t0 = time.perf_counter()
    P = build_problem(inst)
    assign = np.where(P.free, -1, P.lock)
    L = Ledger(P, assign)
    ratio = np.where(P.c > 0, P.s / np.where(P.c > 0, P.c, 1.0), np.inf)
    order = np.flatnonzero(P.free & (P.s > 0))
    order = order[np.argsort(-ratio[order], kind="stable")]
    for t in range(P.T):
        for i in order:
            if L.assign[i] < 0 and L.fits(int(i), t):
                L.put(int(i), t)
    assign = L.assign
    v = check(P, assign)
    feasible = not any(np.any(x > 0) for x in v.values())
    out = {}
    for i in np.flatnonzero(assign >= 0):
        for j in P.members[i]:
            out[inst.compounds[j].id] = inst.periods[int(assign[i])].id
    return Result(
        assignment=out,
        objective=_objective(P, assign),
        bound=None,
        gap=None,
        seconds=time.perf_counter() - t0,
        status="feasible" if feasible else "infeasible-with-shortfall",
        shortfalls=shortfalls(P, assign),
        bound_method="none",
    )
