"""Exchange search: one compound in, one out of a batch, every row kept.

After rounding and repair, the large-instance plan was measured (220,000
compounds, `bench/planner.py`) to lose most of its gap in two ways, read off the
complementary-slackness split of the gap at the dual prices: street places left
empty where the street price is positive (3,360 of a 5,190 objective gap), and
compounds off their priced choice. Each batch t has a little room left on its
rows (budget, extension households, area above the floor), and the core MIPs
(a few hundred items) seldom reach the compounds that would fill it.

This pass tries, per batch t, every pair (i, j) of

- i: a compound not in any batch, in a street with a free place in t (or in j's
  street), among the M most attractive at the prices (reduced profit r_it);
- j: a compound in t, among the M least attractive (or none: i is simply added),

and keeps the pair of highest objective gain w_t·(s_i − s_j) that keeps every
row of t: cost_i − cost_j ≤ budget room, area_i − area_j ≥ −(area above the
floor), extension households likewise, street places. The best pair of each
i is found for all i at once (an M × M array), then applied greedily in order of
gain, re-checking each against the rows as they are after the ones before. Rounds repeat
until none gains or the time is up. Only compounds in one street and free of a
lock take part (clusters are items and move whole).

Measured at 220,000 compounds (same plan, same run): 0.0592 % → 0.0319 % in
5 s (115 exchanges), the street-place loss 3,360 → 650.
"""

from __future__ import annotations

import time

import numpy as np

from .problem import Prices, Problem

PAIRS = 2500  # M: candidates in and out per batch (an M × M array of pairs)
APPLY = 200  # exchanges tried per batch and round


def exchange(
    P: Problem,
    assign: np.ndarray,
    y: Prices | None,
    deadline: float,
    *,
    pairs: int = PAIRS,
    stats: dict | None = None,
) -> np.ndarray:
    """Best-gain exchanges until none gains or the deadline; `assign` is not changed."""
    assign = assign.copy()
    if not P.n:
        return assign
    n_inc = np.bincount(P.use_item, minlength=P.n)
    one_s = np.full(P.n, -1, dtype=np.int64)
    one_c = np.zeros(P.n)
    one_s[P.use_item] = P.use_street
    one_c[P.use_item] = P.use_cnt
    simple = P.free & (n_inc <= 1)
    # rows kept exactly (up to the float sums; `repair.check` allows 10⁻⁹ more)
    B = np.where(P.has_budget, P.B, np.inf)
    H = np.where(P.has_ext, P.H, np.inf)
    A = np.where(P.has_floor, P.A, -np.inf)
    K = P.Kst if P.K is not None and P.S else None
    R = P.reduced(y) if y is not None else P.profit()
    done = rounds = 0
    while time.perf_counter() < deadline:
        rounds += 1
        area, cost, hh, st = P.usage(assign)
        gained = 0
        for t in range(P.T):
            if time.perf_counter() >= deadline:
                break
            room_c, over_a, room_h = B[t] - cost[t], area[t] - A[t], H[t] - hh[t]
            inn = np.flatnonzero(simple & (assign < 0))
            if K is not None:
                s_in = np.maximum(one_s[inn], 0)
                inn = inn[(one_s[inn] < 0) | (st[s_in, t] + one_c[inn] <= K[s_in, t])]
            inn = inn[np.argsort(-R[inn, t], kind="stable")[:pairs]]
            out = np.flatnonzero(simple & (assign == t))
            out = out[np.argsort(R[out, t], kind="stable")[:pairs]]
            if not len(inn):
                continue
            best_j, best_g = _best_pairs(P, t, inn, out, room_c, over_a, room_h)
            for k in np.argsort(-best_g, kind="stable")[:APPLY]:
                if best_g[k] <= 1e-12:
                    break
                i = int(inn[k])
                j = int(out[best_j[k]]) if best_j[k] >= 0 else -1
                if j >= 0 and assign[j] != t:
                    continue  # already taken out by an earlier exchange
                dc = P.c[i] - (P.c[j] if j >= 0 else 0.0)
                da = P.a[i] - (P.a[j] if j >= 0 else 0.0)
                dh = P.h[i] - (P.h[j] if j >= 0 else 0.0)
                if dc > room_c or da < -over_a or dh > room_h:
                    continue
                si = one_s[i]
                if K is not None and si >= 0:
                    freed = one_c[j] if j >= 0 and one_s[j] == si else 0.0
                    if st[si, t] + one_c[i] - freed > K[si, t]:
                        continue
                    st[si, t] += one_c[i]
                if j >= 0:
                    if K is not None and one_s[j] >= 0:
                        st[one_s[j], t] -= one_c[j]
                    assign[j] = -1
                assign[i] = t
                room_c, over_a, room_h = room_c - dc, over_a + da, room_h - dh
                done += 1
                gained += 1
        if not gained:
            break
    if stats is not None:
        stats["exchange_rounds"] = rounds
        stats["exchanges"] = stats.get("exchanges", 0) + done
    return assign


def _best_pairs(P: Problem, t: int, inn, out, room_c, over_a, room_h):
    """For each i in `inn`: the index in `out` of its best partner (−1: add alone) and the gain."""
    s_in = P.s[inn]
    alone = (P.c[inn] <= room_c) & (P.h[inn] <= room_h)
    if len(out):
        ok = (P.c[inn][:, None] - P.c[out][None, :]) <= room_c
        ok &= (P.a[inn][:, None] - P.a[out][None, :]) >= -over_a
        if P.has_ext[t]:
            ok &= (P.h[inn][:, None] - P.h[out][None, :]) <= room_h
        gain = np.where(ok, s_in[:, None] - P.s[out][None, :], -np.inf)
        j = gain.argmax(axis=1)
        g = gain[np.arange(len(inn)), j]
    else:
        j = np.full(len(inn), -1, dtype=np.int64)
        g = np.full(len(inn), -np.inf)
    take_alone = alone & (s_in >= g)
    j = np.where(take_alone, -1, j)
    g = np.where(take_alone, s_in, g)
    return j, P.w[t] * g
