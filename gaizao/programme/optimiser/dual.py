"""Lagrangian dual over the coupling rows, minimised by a trust-region bundle method.

The coupling rows are few: per period an area floor (price λ_t), a budget (μ_t)
and an extension cap (ν_t) — at most 3T prices. For fixed prices every item
independently takes its best option (a period or none), so the dual function

    L(λ, μ, ν; π) = Σ_t(−λ_t A_t + μ_t B_t + ν_t H_t) + Σ_st Kst π_st
                    + Σ_free max(0, max_t r_it) + Σ_locked r_i,lock
    r_it = w_t s_i + λ_t a_i − μ_t c_i − ν_t h_i − Σ_s m_is π_st

is evaluated in O(nT) numpy, with a subgradient (the rows' use by the priced
choice minus their right-hand sides). By weak duality L is an upper bound on every
plan that keeps all rows, for any non-negative prices. Street-cap prices π are
set by exact coordinate minimisation street by street (`auction.street_sweeps`);
the bundle method minimises L over the ≤ 3T coupling prices with π fixed,
alternating a few times. At the joint minimum L equals the LP-relaxation bound.

The master problem of the bundle method (Kelley cuts in a box trust region
around the best point) has ≤ 3T + 1 columns and one row per evaluation; HiGHS
solves it in-process in well under a millisecond.
"""

from __future__ import annotations

import dataclasses
import time

import highspy
import numpy as np

from .auction import street_auction
from .problem import Prices, Problem


@dataclasses.dataclass
class Eval:
    value: float
    grad: np.ndarray  # (3T,) subgradient in (λ, μ, ν)
    choice: np.ndarray  # (n,) priced choice (−1 none; locked at their period)


def pack(y: Prices) -> np.ndarray:
    return np.concatenate([y.lam, y.mu, y.nu])


def unpack(P: Problem, z: np.ndarray, pi: np.ndarray) -> Prices:
    T = P.T
    return Prices(z[:T].copy(), z[T : 2 * T].copy(), z[2 * T :].copy(), pi).clamp(P)


def mask(P: Problem) -> np.ndarray:
    """Which of the 3T coupling prices the instance has."""
    return np.concatenate([P.has_floor, P.has_budget, P.has_ext])


def evaluate(P: Problem, y: Prices, spen: np.ndarray | None = None) -> Eval:
    """L at prices y (vectorised), its subgradient in (λ, μ, ν) and the priced choice."""
    y = y.clamp(P)
    if spen is None:
        spen = P.street_pen(y.pi)
    r = P.s[:, None] * P.w[None, :]
    r = r + P.a[:, None] * y.lam[None, :]
    r -= P.c[:, None] * y.mu[None, :]
    r -= P.h[:, None] * y.nu[None, :]
    r -= spen
    best_t = r.argmax(axis=1)
    best_v = r[np.arange(P.n), best_t]
    free = P.free
    choice = np.where(best_v > 0, best_t, -1)
    choice = np.where(free, choice, P.lock)
    on = choice >= 0
    locked_sum = float(r[~free, P.lock[~free]].sum()) if (~free).any() else 0.0
    value = float(np.maximum(best_v[free], 0.0).sum()) + locked_sum
    value += float(-(y.lam @ P.A) + y.mu @ P.B + y.nu @ P.H)
    if P.K is not None:
        value += float((P.Kst * y.pi).sum())
    t = choice[on]
    area = np.bincount(t, weights=P.a[on], minlength=P.T)
    cost = np.bincount(t, weights=P.c[on], minlength=P.T)
    hh = np.bincount(t, weights=P.h[on], minlength=P.T)
    grad = np.concatenate([area - P.A, P.B - cost, P.H - hh]) * mask(P)
    return Eval(value, grad, choice)


def evaluate_scalar(P: Problem, y: Prices) -> float:
    """The same L by plain loops (a reference for the tests)."""
    y = y.clamp(P)
    total = 0.0
    for t in range(P.T):
        total += -float(y.lam[t]) * float(P.A[t]) + float(y.mu[t]) * float(P.B[t])
        total += float(y.nu[t]) * float(P.H[t])
        if P.K is not None:
            for s in range(P.S):
                total += float(P.Kst[s, t]) * float(y.pi[s, t])
    streets: dict[int, list[tuple[int, float]]] = {}
    for i, s, c in zip(P.use_item, P.use_street, P.use_cnt, strict=True):
        streets.setdefault(int(i), []).append((int(s), float(c)))
    for i in range(P.n):
        vals = []
        for t in range(P.T):
            v = float(P.w[t]) * float(P.s[i]) + float(y.lam[t]) * float(P.a[i])
            v -= float(y.mu[t]) * float(P.c[i]) + float(y.nu[t]) * float(P.h[i])
            if P.K is not None:
                for s, c in streets.get(i, []):
                    v -= c * float(y.pi[s, t])
            vals.append(v)
        if P.lock[i] >= 0:
            total += vals[int(P.lock[i])]
        else:
            total += max(0.0, max(vals))
    return total


def _master(cuts_g, cuts_b, lo, hi):
    """min θ s.t. θ ≥ g_k·z + b_k, lo ≤ z ≤ hi. Returns (z, θ) or None."""
    d = len(lo)
    k = len(cuts_b)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", 2.0)
    lp = highspy.HighsLp()
    lp.num_col_ = d + 1
    lp.num_row_ = k
    lp.col_cost_ = np.r_[np.zeros(d), 1.0]
    lp.col_lower_ = np.r_[lo, -highspy.kHighsInf]
    lp.col_upper_ = np.r_[hi, highspy.kHighsInf]
    G = np.asarray(cuts_g)
    # g·z − θ ≤ −b
    lp.row_lower_ = np.full(k, -highspy.kHighsInf)
    lp.row_upper_ = -np.asarray(cuts_b)
    A = np.c_[G, -np.ones(k)]
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_ = np.arange(0, k * (d + 1) + 1, d + 1, dtype=np.int32)
    lp.a_matrix_.index_ = np.tile(np.arange(d + 1, dtype=np.int32), k)
    lp.a_matrix_.value_ = A.ravel()
    h.passModel(lp)
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    x = np.array(h.getSolution().col_value)
    return x[:d], float(x[d])


def bundle(
    P: Problem,
    y0: Prices,
    deadline: float,
    *,
    max_evals: int = 400,
    rel_tol: float = 1e-10,
    stats: dict | None = None,
) -> tuple[Prices, Eval]:
    """Minimise L over the coupling prices (street prices fixed at y0.pi)."""
    on = np.flatnonzero(mask(P))
    spen = P.street_pen(y0.pi)
    z_full = pack(y0.clamp(P))

    def ev(zs):
        z = z_full.copy()
        z[on] = zs
        e = evaluate(P, unpack(P, z, y0.pi), spen)
        return e

    zc = z_full[on]
    ec = ev(zc)
    if not len(on):
        return unpack(P, z_full, y0.pi), ec
    scale = max(1.0, abs(ec.value))
    gs, bs = [], []

    def add(z, e):
        g = e.grad[on]
        gs.append(g)
        bs.append(e.value - g @ z)

    add(zc, ec)
    delta = max(1.0, float(np.abs(zc).max(initial=0.0)))
    evals = 0
    while evals < max_evals and time.perf_counter() < deadline:
        lo = np.maximum(zc - delta, 0.0)
        hi = zc + delta
        sol = _master(gs, bs, lo, hi)
        if sol is None:
            break
        zn, theta = sol
        pred = ec.value - theta
        if pred <= rel_tol * scale:
            if delta < 1e-9:
                break
            # the model says the center is optimal in the box: converged
            break
        en = ev(zn)
        evals += 1
        add(zn, en)
        if ec.value - en.value >= 0.1 * pred:
            zc, ec = zn, en
            delta = min(delta * 2.0, 1e6)
        else:
            delta = max(delta * 0.7, 1e-12)
        if len(bs) > 300:
            # keep the newest cuts and the one at the center
            gs[:] = gs[-200:]
            bs[:] = bs[-200:]
            add(zc, ec)
    if stats is not None:
        stats["bundle_evals"] = stats.get("bundle_evals", 0) + evals
    z = z_full.copy()
    z[on] = zc
    return unpack(P, z, y0.pi), ec


def dual_prices(
    P: Problem, deadline: float, stats: dict, y0: Prices | None = None, evals: int = 40
):
    """Coupling prices by the bundle method, alternated with street-price sweeps
    until the deadline (block coordinate descent: each block minimised in turn).

    Returns (prices, dual value) — the lowest value seen, a proven bound."""
    t0 = time.perf_counter()
    y = Prices.zeros(P.T, P.S) if y0 is None else y0.clamp(P)
    best_y, best_v = y, evaluate(P, y).value
    rounds = idle = 0
    while time.perf_counter() < deadline:
        rounds += 1
        y, e = bundle(P, y, deadline, max_evals=evals, stats=stats)
        if e.value < best_v - 1e-9 * max(1.0, abs(best_v)):
            best_y, best_v, idle = y, e.value, 0
        if P.K is None or not P.S:
            break
        y = street_auction(P, y, deadline)
        v = evaluate(P, y).value
        if v < best_v - 1e-9 * max(1.0, abs(best_v)):
            best_y, best_v, idle = y, v, 0
        else:
            idle += 1
            if idle >= 3:
                break
    stats["dual_rounds"] = rounds
    stats["dual_seconds"] = round(time.perf_counter() - t0, 2)
    return best_y, best_v
