"""Aimed core MIPs for large instances (above TARGET_FROM free items).

Split the gap at the dual prices by complementary slackness: bound − objective =
Σ reduced profit the plan gives up on compounds off their priced choice +
Σ price × slack of every row. Each core is built from that split
(`_target_core`) and solved exactly by HiGHS in a child process, one after
another (`_aimed_rounds`). Measurements are in docs/programme.md.
"""

from __future__ import annotations

import itertools
import time

import numpy as np

from . import highs
from .problem import Prices, Problem
from .repair import check, penalised, repair


def _model(P: Problem, items, periods, best, penalty):
    m = highs.build_core(P, items, periods, best, penalty)
    x0 = highs.start_from_assign(P, m, best)
    # the rows are not tightened: an optimum with a row met exactly (extension
    # households at their cap, a budget spent to the yuan) must stay reachable —
    # a 10⁻⁷ tightening here made the solver report such an instance "optimal"
    # 5 points below its enumerated optimum. What HiGHS returns is checked against
    # the rows (`repair.check`, 10⁻⁹) before it is kept, and repaired if off.
    return m, x0


TARGET_FROM = 20_000  # free items above which cores are aimed (`_target_core`)
TARGET_SECONDS = 0.6  # one aimed core MIP
# per period of the core: compounds the plan keeps furthest off their priced choice,
# and compounds nearest the price threshold (to rebalance the rows). Measured at
# 220,000 (same LP, 13 s, idle): 25 / 80 gave 0.0030–0.0032 %, 40 / 120 gave
# 0.0024–0.0025 % in three runs; larger was no better (60 / 160: 0.0021–0.0048 %)
TARGET_LOST = 40
TARGET_FILL = 3  # per street with empty places at a positive price: its best outsiders
TARGET_PARTNERS = 5  # per street touched: its weakest compounds in the core's periods
TARGET_BALANCE = 120


def _aimed_rounds(P: Problem, y: Prices, r, best, deadline, penalty, pairs, one_s, rng, stats):
    """Aimed core MIPs (`_target_core`), one period set after another (`pairs`),
    each warm-started from the best plan so far, until the deadline or a stall.
    Returns (plan, rounds, stopped by time).

    One core at a time: two at once over disjoint periods (one child each) were
    measured worse, under load and on an idle machine alike (220,000, same LP,
    13 s: 0.0037 % and 0.0046 % from 28–30 cores against 0.0030 % and 0.0032 %
    from 17–18 one at a time) — a core built after another starts from its gain."""
    best_val = penalised(P, best, penalty)
    rounds = stall = 0
    for k in itertools.count():
        # a round takes its MIP time, the child's grace (0.3 s) and ~0.1 s of
        # model building and checks: it must end by the deadline
        left = deadline - time.perf_counter() - 0.45
        if left < 0.15:
            return best, rounds, True
        periods = np.array(pairs[k % len(pairs)])
        items = _target_core(P, y, r, best, periods, one_s, rng, k >= len(pairs))
        if not len(items):
            stall += 1
            if stall > 2 * len(pairs):
                return best, rounds, False
            continue
        m, x0 = _model(P, items, periods, best, penalty)
        # rows no worse than the best plan's: it is a feasible warm start
        m.upper[m.ncol :] = x0[m.ncol :] * (1 + 1e-9)
        res = highs.solve_core(
            m, integer=True, time_limit=min(left, TARGET_SECONDS), start_values=x0, grace=0.3
        )
        rounds += 1
        gained = False
        if res is not None and res.get("x") is not None:
            cand = highs.assign_from_core(m, res["x"], best)
            v = check(P, cand)
            ok = not any(np.any(x > 0) for x in v.values())
            if not ok:
                # off a row by HiGHS's own tolerance: the repair takes it back
                cand = repair(P, cand, y, deadline=deadline)
                v = check(P, cand)
                ok = not any(np.any(x > 0) for x in v.values())
            # = penalised(P, cand, penalty), from the one check
            val = P.objective(cand) - penalty * sum(float(x.sum()) for x in v.values())
            stats.setdefault("mip_log", []).append(
                (
                    len(items),
                    len(periods),
                    round(res["seconds"], 2),
                    res["status"][:8],
                    round(val - best_val, 5),
                )
            )
            if ok and val > best_val + 1e-12 * max(1.0, abs(best_val)):
                best, best_val, gained = cand, val, True
        stall = 0 if gained else stall + 1
        if stall > 2 * len(pairs):
            return best, rounds, False


PAIR_SHRINK = 2  # an aimed core over two periods takes half as many per period (measured: 0.0031–0.0035 % against 0.0087 % at 220,000, same 12 s)


def _target_core(P: Problem, y: Prices, r, best, periods, one_s, rng, randomise: bool):
    """A core aimed at what the plan loses against the prices (the complementary-
    slackness split of the gap): per period of the core,

    - the compounds kept furthest off their priced choice in these periods
      (left out, or in another of them, or in while priced out);
    - for each street whose places in a period are priced but left empty, the
      best compounds of that street not in it;
    - the weakest compounds in these periods of every street touched above (a
      full street takes one in only for one out);
    - the compounds nearest the price threshold, which rebalance area, budget
      and households at the least cost.

    Measured at 220,000 compounds after the exchanges (same plan): 0.0319 % →
    0.0170 % in four one-period rounds of 0.6 s, where cores picked by margin
    alone gained nothing."""
    movable = P.free & ((best < 0) | np.isin(best, periods))
    idx = np.flatnonzero(movable)
    if not len(idx):
        return idx
    sub = r[np.ix_(idx, periods)]
    top = np.maximum(sub.max(axis=1), 0.0)
    pos = np.full(P.T, -1, dtype=np.int64)
    pos[periods] = np.arange(len(periods))
    cur = best[idx]
    here = np.where(cur >= 0, sub[np.arange(len(idx)), np.maximum(pos[cur], 0)], 0.0)
    lost = top - here
    if randomise:
        lost = lost * (1.0 + 0.5 * rng.random(len(lost)))
    n_lost = TARGET_LOST * len(periods) // PAIR_SHRINK ** (len(periods) - 1)
    chosen = [idx[np.argsort(-lost, kind="stable")[:n_lost]]]
    chosen[0] = chosen[0][lost[np.argsort(-lost, kind="stable")[:n_lost]] > 1e-12]
    if P.K is not None and P.S:
        _, _, _, st = P.usage(best)
        for t in periods:
            empty = np.flatnonzero((y.pi[:, t] > 0) & (st[:, t] < P.Kst[:, t]))
            if not len(empty):
                continue
            out_t = idx[(cur != t) & np.isin(one_s[idx], empty)]
            if len(out_t):
                o = out_t[np.lexsort((-r[out_t, t], one_s[out_t]))]
                chosen.append(o[_rank_in_group(one_s[o]) < TARGET_FILL])
        touched = np.unique(one_s[np.concatenate(chosen)])
        touched = touched[touched >= 0]
        mem = idx[(cur >= 0) & np.isin(one_s[idx], touched)]
        if len(mem):
            v = r[mem, best[mem]]
            o = mem[np.lexsort((v, one_s[mem]))]
            chosen.append(o[_rank_in_group(one_s[o]) < TARGET_PARTNERS])
    for t in periods:
        pool = idx[(cur == t) | (cur < 0)]
        key = np.abs(r[pool, t])
        if randomise:
            key = key * (1.0 + 0.5 * rng.random(len(key)))
        chosen.append(
            pool[
                np.argsort(key, kind="stable")[
                    : TARGET_BALANCE // PAIR_SHRINK ** (len(periods) - 1)
                ]
            ]
        )
    return np.unique(np.concatenate(chosen))


def _rank_in_group(g: np.ndarray) -> np.ndarray:
    """Position of each element within its run of equal values in sorted `g`."""
    if not len(g):
        return np.zeros(0, dtype=np.int64)
    starts = np.r_[0, np.flatnonzero(g[1:] != g[:-1]) + 1]
    return np.arange(len(g)) - np.repeat(starts, np.diff(np.r_[starts, len(g)]))
