"""Aimed core MIPs for large instances (above TARGET_FROM free items).

Split the gap at the dual prices by complementary slackness: bound − objective =
Σ reduced profit the plan gives up on compounds off their priced choice +
Σ price × slack of every row. Each core is built from that split
(`_target_core`), cores over disjoint periods and compounds are grouped into
waves (`_waves`) and a wave's cores are solved at once, one child process each,
when the CPUs are idle (`free_cpus`). Measurements are in docs/programme.md.
"""

from __future__ import annotations

import itertools
import os
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


def _waves(pairs: list[tuple[int, ...]], workers: int) -> list[list[tuple[int, ...]]]:
    """The period sets grouped, in order, into waves of at most `workers` sets with no
    period in common: the cores of one wave touch disjoint rows and are solved at once."""
    waves: list[list[tuple[int, ...]]] = []
    for p in pairs:
        for w in waves:
            if len(w) < workers and not any(set(p) & set(q) for q in w):
                w.append(p)
                break
        else:
            waves.append([p])
    return waves


def _aimed_rounds(P: Problem, y: Prices, r, best, deadline, penalty, pairs, one_s, rng, stats):
    """Aimed core MIPs (`_target_core`) wave after wave until the deadline or a stall.

    The cores of a wave have no period and no compound in common (a compound
    left out can enter only one), so each changes rows no other touches; they
    run at once, one child process each (2 on this 2-core machine), and every
    gain is kept. Returns (plan, rounds, stopped by time)."""
    workers = max(1, min(MAX_WORKERS, free_cpus()))
    waves = _waves(pairs, workers)
    best_val = penalised(P, best, penalty)
    rounds = stall = 0
    for k in itertools.count():
        # a round takes its MIP time, the children's grace (0.3 s) and ~0.1 s of
        # model building and checks: it must end by the deadline
        left = deadline - time.perf_counter() - 0.45
        if left < 0.15:
            return best, rounds, True
        wave = waves[k % len(waves)]
        taken = np.zeros(P.n, dtype=bool)
        cores = []
        for periods in wave:
            periods = np.array(periods)
            items = _target_core(P, y, r, best, periods, one_s, rng, k >= len(waves), taken)
            if len(items):
                taken[items] = True
                m, x0 = _model(P, items, periods, best, penalty)
                # rows no worse than the best plan's: it is a feasible warm start
                m.upper[m.ncol :] = x0[m.ncol :] * (1 + 1e-9)
                cores.append((m, x0))
        if not cores:
            stall += 1
            if stall > len(waves):
                return best, rounds, False
            continue
        results = highs.solve_cores(
            [m for m, _ in cores],
            time_limit=min(left, TARGET_SECONDS),
            starts=[x0 for _, x0 in cores],
        )
        rounds += len(cores)
        gained = False
        for (m, _), res in zip(cores, results, strict=True):
            if res is None or res.get("x") is None:
                continue
            cand = best.copy()
            cand[m.items] = highs.assign_from_core(m, res["x"], best)[m.items]
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
                    len(m.items),
                    len(m.periods),
                    round(res["seconds"], 2),
                    res["status"][:8],
                    round(val - best_val, 5),
                )
            )
            if ok and val > best_val + 1e-12 * max(1.0, abs(best_val)):
                best, best_val, gained = cand, val, True
        stall = 0 if gained else stall + 1
        if stall > 2 * len(waves):
            return best, rounds, False


PAIR_SHRINK = 2  # an aimed core over two periods takes half as many per period (measured: 0.0031–0.0035 % against 0.0087 % at 220,000, same 12 s)
# aimed cores solved at once, at most: one. Two at once were measured worse even on
# an idle machine (220,000, same LP, 13 s: 0.0037 % and 0.0046 % with 28–30 cores,
# against 0.0030 % and 0.0032 % with 17–18 one at a time) — each wave is built
# from the plan before it, and a core that follows another sees its gain
MAX_WORKERS = 1


def free_cpus() -> int:
    """CPUs this process may use that nothing else is using (at least 1): those it
    may run on, less the 1-minute load average beyond this process itself.

    Cores at once gain only on idle CPUs: under load each child gets a share of
    one, stops at its wall-clock limit having done half as much, and the plan was
    measured worse (220,000 compounds at load 5 on 2 cores: 0.011 % with two at
    once against 0.003 % one at a time)."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    others = max(0.0, os.getloadavg()[0] - 1.0)
    return max(1, int(round((cpus or 1) - others)))


def _target_core(P: Problem, y: Prices, r, best, periods, one_s, rng, randomise: bool, taken=None):
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
    if taken is not None:
        movable &= ~taken
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
