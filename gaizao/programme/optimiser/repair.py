"""Feasibility of a plan, repair to feasibility, and a greedy fill.

A row counts as kept when it is off by no more than 1e-9 of its right-hand side
(floating sums of areas and costs); street caps are counts and exact.
"""

from __future__ import annotations

import time

import numpy as np

from .problem import Prices, Problem

REL_TOL = 1e-9


def _tol(x) -> np.ndarray:
    return REL_TOL * np.maximum(1.0, np.abs(x))


class Ledger:
    """Running use of every row by a plan, with O(1) fit checks."""

    def __init__(self, P: Problem, assign: np.ndarray):
        self.P = P
        self.assign = assign.copy()
        self.area, self.cost, self.hh, self.st = P.usage(self.assign)
        order = np.argsort(P.use_item, kind="stable")
        self.inc_s = P.use_street[order]
        self.inc_c = P.use_cnt[order]
        self.inc_start = np.searchsorted(P.use_item[order], np.arange(P.n + 1))
        self.B = np.where(P.has_budget, P.B + _tol(P.B), np.inf)
        self.H = np.where(P.has_ext, P.H + _tol(P.H), np.inf)
        self.Kst = P.Kst if P.K is not None else None
        n_inc = np.diff(self.inc_start)
        self.one_s = np.where(
            n_inc == 1,
            self.inc_s[np.minimum(self.inc_start[:-1], max(len(self.inc_s) - 1, 0))]
            if len(self.inc_s)
            else -1,
            -1,
        )
        self.one_c = np.where(
            n_inc == 1,
            self.inc_c[np.minimum(self.inc_start[:-1], max(len(self.inc_c) - 1, 0))]
            if len(self.inc_c)
            else 0.0,
            0.0,
        )
        self.multi = n_inc > 1
        self._c, self._h = P.c.tolist(), P.h.tolist()

    def streets(self, i):
        a, b = self.inc_start[i], self.inc_start[i + 1]
        return self.inc_s[a:b], self.inc_c[a:b]

    def fits(self, i: int, t: int) -> bool:
        if self.cost[t] + self._c[i] > self.B[t] or self.hh[t] + self._h[i] > self.H[t]:
            return False
        if self.Kst is not None:
            if self.multi[i]:
                ss, cc = self.streets(i)
                return not np.any(self.st[ss, t] + cc > self.Kst[ss, t])
            s = self.one_s[i]
            if s >= 0 and self.st[s, t] + self.one_c[i] > self.Kst[s, t]:
                return False
        return True

    def put(self, i: int, t: int) -> None:
        old = self.assign[i]
        if old >= 0:
            self._move(i, old, -1.0)
        self.assign[i] = t
        if t >= 0:
            self._move(i, t, 1.0)

    def _move(self, i, t, sign):
        P = self.P
        self.area[t] += sign * P.a[i]
        self.cost[t] += sign * P.c[i]
        self.hh[t] += sign * P.h[i]
        ss, cc = self.streets(i)
        if len(ss):
            self.st[ss, t] += sign * cc


def check(P: Problem, assign: np.ndarray) -> dict:
    """Shortfall / overrun per row in scaled units (0 when kept)."""
    area, cost, hh, st = P.usage(assign)
    short = np.where(P.has_floor, np.maximum(P.A - area, 0.0), 0.0)
    short[short <= _tol(P.A)] = 0.0
    over_b = np.where(P.has_budget, np.maximum(cost - P.B, 0.0), 0.0)
    over_b[over_b <= _tol(P.B)] = 0.0
    over_h = np.where(P.has_ext, np.maximum(hh - P.H, 0.0), 0.0)
    over_h[over_h <= _tol(P.H)] = 0.0
    over_s = np.maximum(st - P.Kst, 0.0) if P.K is not None else np.zeros_like(st)
    return {"floor": short, "budget": over_b, "ext": over_h, "street": over_s}


def is_feasible(P: Problem, assign: np.ndarray) -> bool:
    v = check(P, assign)
    return not any(np.any(x > 0) for x in v.values())


def penalised(P: Problem, assign: np.ndarray, penalty: float) -> float:
    v = check(P, assign)
    return P.objective(assign) - penalty * sum(float(x.sum()) for x in v.values())


def repair(
    P: Problem,
    assign: np.ndarray,
    y: Prices,
    *,
    fill: bool = True,
    max_candidates: int = 5000,
    deadline: float = float("inf"),
) -> np.ndarray:
    """Make caps and budgets hold (drop the least worth), then reach the floors and
    fill leftover budget with the best-priced items that fit.

    The caps always hold on return; reaching the floors and the fill stop at
    `deadline` (with a floor out of reach they scan 20,000 candidates a period,
    1.2–1.5 s at 220,000 compounds, which ran the solver past its time limit)."""
    L = Ledger(P, assign)
    r = P.reduced(y)
    value = P.profit() + P.a[:, None] * y.lam[None, :]
    free = P.free
    # 1. overruns: drop free items, least value per unit of the overrun row first
    for t in range(P.T):
        for kind in ("budget", "ext"):
            use = L.cost if kind == "budget" else L.hh
            cap = L.B if kind == "budget" else L.H
            if use[t] <= cap[t]:
                continue
            coef = P.c if kind == "budget" else P.h
            cand = np.flatnonzero((L.assign == t) & free & (coef > 0))
            cand = cand[np.argsort(value[cand, t] / coef[cand])]
            for i in cand:
                if use[t] <= cap[t]:
                    break
                L.put(int(i), -1)
        if P.K is not None and P.S:
            over = np.flatnonzero(L.st[:, t] > P.Kst[:, t])
            for s in over:
                items = P.use_item[(P.use_street == s)]
                items = items[(L.assign[items] == t) & free[items]]
                items = items[np.argsort(r[items, t])]
                for i in items:
                    if L.st[s, t] <= P.Kst[s, t]:
                        break
                    L.put(int(i), -1)
    # 2. floors: add unassigned items that fit, best reduced profit first
    need = P.A - _tol(P.A)
    for t in range(P.T):
        if not P.has_floor[t] or L.area[t] >= need[t]:
            continue
        cand = np.flatnonzero((L.assign < 0) & free)
        cand = cand[np.argsort(-r[cand, t])][: max_candidates * 4]
        _add_fitting(P, L, cand, t, lambda t=t: L.area[t] >= need[t], deadline)
    # 3. fill: positive-profit items into leftover room
    if fill:
        prof = P.profit()
        for t in range(P.T):
            cand = np.flatnonzero((L.assign < 0) & free & (prof[:, t] > 0))
            cand = cand[np.argsort(-r[cand, t])][:max_candidates]
            _add_fitting(P, L, cand, t, None, deadline)
    return L.assign


def _add_fitting(
    P: Problem, L: Ledger, cand: np.ndarray, t: int, done, deadline: float = float("inf")
) -> None:
    """Put each candidate (in order) that fits into period t, until done(); candidates
    larger than the room left are skipped in numpy first, and the scan stops once
    the budget left is below the cheapest candidate still ahead."""
    room_c, room_h = L.B[t] - L.cost[t], L.H[t] - L.hh[t]
    ok = (P.c[cand] <= room_c) & (P.h[cand] <= room_h)
    if L.Kst is not None:
        s1 = L.one_s[cand]
        full = L.st[np.maximum(s1, 0), t] + L.one_c[cand] > L.Kst[np.maximum(s1, 0), t]
        ok &= (s1 < 0) | ~full
    cand = cand[ok]
    if not len(cand):
        return
    cheapest = np.minimum.accumulate(P.c[cand][::-1])[::-1].tolist()
    for k, i in enumerate(cand.tolist()):
        if done is not None and done():
            return
        if k % 512 == 511 and time.perf_counter() > deadline:
            return
        if L.cost[t] + cheapest[k] > L.B[t]:
            return
        if L.fits(i, t):
            L.put(i, t)


def priced_greedy(P: Problem, y: Prices, deadline: float = float("inf")) -> np.ndarray:
    """Each item, most profitable at the prices first, into its best period that still
    has room (budget, extension cap, street cap), else its next best; then repair."""
    L = Ledger(P, np.where(P.free, -1, P.lock))
    r = P.reduced(y)
    free = np.flatnonzero(P.free)
    rf = r[free]
    best = rf.max(axis=1)
    order = free[np.argsort(-best, kind="stable")]
    pref = np.argsort(-r, axis=1)
    for k, i in enumerate(order):
        if k % 2000 == 0 and time.perf_counter() > deadline:
            break
        for t in pref[i]:
            if r[i, t] <= 0:
                break
            if L.fits(int(i), int(t)):
                L.put(int(i), int(t))
                break
    return repair(P, L.assign, y)


def floor_swaps(P: Problem, assign: np.ndarray, deadline: float = float("inf")) -> np.ndarray:
    """Reach short floors by trading area-poor compounds for area-rich ones.

    For a period short of its floor: take out its compound with the least area per
    yuan and fill the freed budget with unassigned compounds of the most area per
    yuan that fit; keep the trade when it adds area. Feasibility before objective.
    """
    L = Ledger(P, assign)
    ratio = P.a / np.maximum(P.c, 1e-12)
    for t in range(P.T):
        if not P.has_floor[t]:
            continue
        tol = _tol(P.A[t])
        pool = np.flatnonzero((L.assign < 0) & P.free)
        pool = list(pool[np.argsort(-ratio[pool], kind="stable")][:20000])
        ins = np.flatnonzero((L.assign == t) & P.free)
        ins = list(ins[np.argsort(ratio[ins], kind="stable")])
        k = 0
        while L.area[t] < P.A[t] - tol and ins and k < 5000 and time.perf_counter() < deadline:
            k += 1
            i = int(ins.pop(0))
            if pool and ratio[pool[0]] <= ratio[i]:
                break
            before = L.area[t]
            L.put(i, -1)
            added = []
            for j in list(pool[:200]):
                if L.fits(int(j), t):
                    L.put(int(j), t)
                    added.append(j)
            if L.area[t] <= before:
                for j in added:
                    L.put(int(j), -1)
                L.put(i, t)
                continue
            for j in added:
                pool.remove(j)
            pool.append(i)
    return L.assign


def floor_trades(
    P: Problem, assign: np.ndarray, y: Prices, deadline: float = float("inf"), pool: int = 400
) -> np.ndarray:
    """Reach short floors by the cheapest trades, each row kept.

    A short period t takes a compound j (unassigned, or from a period whose floor
    has that much area to spare) and, if its budget, extension cap or street cap
    has no room, gives back one of its own, i: among the pairs (i, j) that keep
    every row, the one losing the least objective per m² gained — or, when one
    trade closes the gap, the one losing the least in all. Candidates are the
    `pool` best-priced on each side (reduced profit at the prices y), every pair
    checked at once in numpy; repeated until the floor is met or no trade adds area.
    """
    L = Ledger(P, assign)
    r = P.reduced(y)
    tolA = _tol(P.A)
    for _ in range(100 * P.T):
        short = np.where(P.has_floor, P.A - L.area, 0.0)
        t = int(np.argmax(short))
        if short[t] <= tolA[t] or time.perf_counter() > deadline:
            break
        if not _trade_once(P, L, r, t, short[t], pool):
            break
    return L.assign


def _trade_once(P: Problem, L: Ledger, r: np.ndarray, t: int, need: float, pool: int) -> bool:
    spare = np.where(P.has_floor, L.area - P.A - _tol(P.A), np.inf)
    single = ~L.multi
    src = L.assign
    ok_j = P.free & single & (src != t)
    on = src >= 0
    ok_j &= ~on | (P.a <= spare[np.maximum(src, 0)])
    cand_j = np.flatnonzero(ok_j & (P.a > 0))
    # gain for j: its worth in t minus what it is worth where it is now
    here = np.where(on, r[np.arange(P.n), np.maximum(src, 0)], 0.0)
    loss_j = here[cand_j] - r[cand_j, t]
    cand_j = cand_j[np.argsort(loss_j / P.a[cand_j], kind="stable")[:pool]]
    cand_i = np.flatnonzero((src == t) & P.free & single)
    cand_i = cand_i[np.argsort(r[cand_i, t], kind="stable")[:pool]]
    # pairs (i, j), with "no i" as column 0
    I_ = np.r_[-1, cand_i]
    J = cand_j
    ai = np.where(I_ >= 0, P.a[np.maximum(I_, 0)], 0.0)
    ci = np.where(I_ >= 0, P.c[np.maximum(I_, 0)], 0.0)
    hi = np.where(I_ >= 0, P.h[np.maximum(I_, 0)], 0.0)
    gain = P.a[J][:, None] - ai[None, :]
    fit = (L.cost[t] + P.c[J][:, None] - ci[None, :] <= L.B[t]) & (
        L.hh[t] + P.h[J][:, None] - hi[None, :] <= L.H[t]
    )
    if L.Kst is not None:
        sj, si = L.one_s[J], np.where(I_ >= 0, L.one_s[np.maximum(I_, 0)], -2)
        room = np.where(sj >= 0, L.Kst[np.maximum(sj, 0), t] - L.st[np.maximum(sj, 0), t], 1.0)
        ci_ = np.where(I_ >= 0, L.one_c[np.maximum(I_, 0)], 0.0)
        freed = np.where(sj[:, None] == si[None, :], ci_[None, :], 0.0)
        fit &= room[:, None] + freed >= L.one_c[J][:, None]
    # objective lost: j's move (its worth now minus in t) plus i's worth in t
    here = np.where(src[J] >= 0, P.w[np.maximum(src[J], 0)] * P.s[J], 0.0)
    lost_j = here - P.w[t] * P.s[J]
    lost_i = np.where(I_ >= 0, P.w[t] * P.s[np.maximum(I_, 0)], 0.0)
    lost = lost_j[:, None] + lost_i[None, :]
    good = fit & (gain > 0)
    if not good.any():
        return False
    closes = good & (gain >= need)
    if closes.any():
        k = int(np.argmin(np.where(closes, lost, np.inf)))
        jj, ii = divmod(k, len(I_))
        _trade(L, int(I_[ii]), int(J[jj]), t)
        return True
    # far short: many trades at once, best ratio of objective lost per m² first,
    # among big steps (at least half the largest gain on offer; else trades of a
    # few m² that gain objective would run for ever); each re-checked on the ledger
    big = good & (gain >= 0.5 * gain[good].max())
    key = np.where(big, lost / np.maximum(gain, 1e-300), np.inf)
    order = np.argsort(key, axis=None)[: int(big.sum())]
    used_i, used_j, done, left = set(), set(), 0, need
    for k in order[:5000].tolist():
        jj, ii = divmod(k, len(I_))
        i, j = int(I_[ii]), int(J[jj])
        if j in used_j or (i >= 0 and i in used_i) or L.assign[j] == t:
            continue
        src_j = int(L.assign[j])
        if src_j >= 0 and L.area[src_j] - P.a[j] < P.A[src_j] + _tol(P.A[src_j]):
            continue
        if i >= 0:
            L.put(i, -1)
        old = L.assign[j]
        L.put(j, -1)
        if L.fits(j, t):
            L.put(j, t)
            used_j.add(j)
            used_i.add(i)
            done += 1
            left -= gain[jj, ii]
            if left <= 0:
                break
        else:
            L.put(j, int(old))
            if i >= 0:
                L.put(i, t)
    return done > 0


def _trade(L: Ledger, i: int, j: int, t: int) -> None:
    if i >= 0:
        L.put(i, -1)
    L.put(j, t)
