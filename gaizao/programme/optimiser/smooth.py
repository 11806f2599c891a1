"""First prices for large instances: the smoothed Lagrangian dual, minimised jointly.

The dual over every row (floors λ, budgets μ, extension caps ν, street caps π)

    L(y) = Σ_t(−λ_t A_t + μ_t B_t + ν_t H_t) + Σ_st Kst π_st
           + Σ_free max(0, max_t r_it) + Σ_locked r_i,lock

is convex but not smooth, and minimising it block by block (the coupling prices
by a bundle method, then the street prices by an auction) stalls well above the
LP bound: block coordinate descent is not guaranteed to reach the minimum of a
non-smooth function, and measured here it ended 2.5–3 % above the LP at 50,000
compounds with floor prices near 0 (so the priced plan took too little area).

Here the max is replaced by its soft version at temperature τ,

    max(0, r_1 … r_T)  ≤  τ·log(1 + Σ_t exp(r_t / τ))  ≤  max(…) + τ·log(T + 1),

which is smooth, so every price (3T coupling and S·T street prices together) is
moved at once by L-BFGS-B (SciPy) within y ≥ 0; τ is lowered step by step, each
step warm-started from the last. Its gradient is one O(nT) numpy pass (the rows'
use by the soft choice minus their right-hand sides). The bound reported is never
the smoothed value: the exact L is evaluated at every point visited and the
lowest is kept, valid for any y ≥ 0 by weak duality.
"""

from __future__ import annotations

import time

import numpy as np
from scipy.optimize import minimize
from threadpoolctl import threadpool_limits

from .problem import Prices, Problem

TEMPERATURES = (3e-2, 3e-3, 3e-4, 3e-5)  # relative to the largest profit w_t·s_i
F32_FROM = 100_000


class _Stop(Exception):
    pass


def smooth_prices(
    P: Problem, y0: Prices, deadline: float, stats: dict | None = None
) -> tuple[Prices, float]:
    """Prices minimising the smoothed dual, and the lowest exact dual value seen."""
    T, S = P.T, P.S
    streets = P.K is not None and S > 0
    prof = P.profit()
    free = P.free
    lk = np.flatnonzero(~free)
    lock_t = P.lock[lk]
    nfree = np.flatnonzero(free)
    Kst = P.Kst if streets else np.zeros((S, T))
    mask = np.concatenate(
        [P.has_floor, P.has_budget, P.has_ext, np.full(S * T, streets, dtype=bool)]
    )
    bounds = [(0.0, None) if m else (0.0, 0.0) for m in mask]
    scale = float(np.abs(prof).max(initial=1.0))

    def split(z):
        return z[:T], z[T : 2 * T], z[2 * T : 3 * T], z[3 * T :].reshape(S, T)

    # street incidence: items in one street with one member there (nearly all) by
    # a gather; the others (clusters over streets) by small scatter-adds
    n_inc = np.bincount(P.use_item, minlength=P.n)
    one = (n_inc[P.use_item] == 1) & (P.use_cnt == 1)
    sidx_all = np.full(P.n, S, dtype=np.int64)  # S: a zero column appended to π
    sidx_all[P.use_item[one]] = P.use_street[one]
    pos = np.full(P.n, -1, dtype=np.int64)
    pos[nfree] = np.arange(len(nfree))
    many = ~one & (pos[P.use_item] >= 0)
    m_pos, m_street, m_cnt = pos[P.use_item[many]], P.use_street[many], P.use_cnt[many]
    # locked items: their period's use, per street and row, is a constant
    lock_use = P.usage(np.where(free, -1, P.lock))
    lock_r0 = float(prof[lk, lock_t].sum()) if len(lk) else 0.0
    # (T, n) layout over the free items: every reduction over periods is elementwise
    # over rows (numpy's reductions along a short last axis are ~10× slower), and
    # no BLAS call (its threads fight over the cores of a loaded machine)
    # above F32_FROM items the soft part runs in float32 (twice as fast; the
    # bound is evaluated in float64 at the end, so it stays exact)
    dt = np.float32 if len(nfree) > F32_FROM else np.float64
    profT = np.ascontiguousarray(prof[nfree].T, dtype=dt)
    af, cf, hf = P.a[nfree].astype(dt), P.c[nfree].astype(dt), P.h[nfree].astype(dt)
    sidx = sidx_all[nfree]
    zeros_n = np.zeros(len(nfree), dtype=dt)
    # diagonal scaling (z = D·u): the curvature of the smoothed dual in a price is
    # about Σ (coefficient)² over the items its row touches — n items for a
    # coupling price, one street's for a street price; without it L-BFGS-B needed
    # hundreds of steps for the first temperature
    n_st = np.bincount(P.use_street, weights=P.use_cnt**2, minlength=S) if S else np.zeros(0)
    D = np.concatenate(
        [
            np.full(T, float((P.a**2).sum())),
            np.full(T, float((P.c**2).sum())),
            np.full(T, float((P.h**2).sum())),
            np.repeat(n_st, T),
        ]
    )
    D = 1.0 / np.sqrt(np.maximum(D, 1.0))
    best = {"v": np.inf, "z": None, "evals": 0}

    def fg(u, tau):
        z = u * D
        lam, mu, nu, pi = split(z)
        lam_, mu_, nu_ = lam.astype(dt), mu.astype(dt), nu.astype(dt)
        r = profT + lam_[:, None] * af
        r -= mu_[:, None] * cf
        r -= nu_[:, None] * hf
        if streets:
            piT = np.hstack([pi.T, np.zeros((T, 1))]).astype(dt)
            r -= np.take(piT, sidx, axis=1)
            for t in range(T):
                np.subtract.at(r[t], m_pos, (m_cnt * pi[m_street, t]).astype(dt))
        # locked items pay their rows at their period: a linear term
        rows = -(lam @ P.A) + mu @ P.B + nu @ P.H + float((Kst * pi).sum())
        locked = lock_r0 + lam @ lock_use[0] - mu @ lock_use[1] - nu @ lock_use[2]
        if streets:
            locked -= float((pi * lock_use[3]).sum())
        top = np.maximum.reduce([*r, zeros_n])
        exact = rows + locked + float(top.sum(dtype=np.float64))
        best["evals"] += 1
        if exact < best["v"]:
            best["v"], best["z"] = exact, z.copy()
        r -= top[None, :]
        r *= dt(1.0 / tau)
        e = np.exp(r, out=r)
        den = np.exp(-top * dt(1.0 / tau)) + np.add.reduce([*e])
        value = rows + locked + float((top + dt(tau) * np.log(den)).sum(dtype=np.float64))
        e /= den[None, :]
        g = np.zeros(len(z))
        g[:T] = (e * af).sum(axis=1, dtype=np.float64) + lock_use[0] - P.A
        g[T : 2 * T] = P.B - (e * cf).sum(axis=1, dtype=np.float64) - lock_use[1]
        g[2 * T : 3 * T] = P.H - (e * hf).sum(axis=1, dtype=np.float64) - lock_use[2]
        if streets:
            use = np.empty((S, T))
            for t in range(T):
                use[:, t] = np.bincount(sidx, weights=e[t], minlength=S + 1)[:S]
                if len(m_pos):
                    use[:, t] += np.bincount(m_street, weights=m_cnt * e[t, m_pos], minlength=S)
            g[3 * T :] = (Kst - use - lock_use[3]).ravel()
        g[~mask] = 0.0
        if time.perf_counter() > deadline:
            raise _Stop
        return value, g * D

    z = np.concatenate([y0.lam, y0.mu, y0.nu, y0.pi.ravel()]).astype(float)
    z = np.where(mask, np.maximum(z, 0.0), 0.0)
    steps = []
    # one BLAS thread: L-BFGS-B's BLAS threads spin-wait between calls and took
    # 60 % of the time on the shared 2-core machine
    with threadpool_limits(limits=1, user_api="blas"):
        _descend(fg, z / D, bounds, scale, steps)

    if stats is not None:
        stats["smooth_steps"] = steps
        stats["smooth_evals"] = best["evals"]
    zb = best["z"] if best["z"] is not None else z
    lam, mu, nu, pi = split(zb)
    y = Prices(lam.copy(), mu.copy(), nu.copy(), pi.copy()).clamp(P)
    return y, P.dual_value(y)


def _descend(fg, z, bounds, scale, steps):
    try:
        for tau_rel in TEMPERATURES:
            tau = tau_rel * scale
            res = minimize(
                fg,
                z,
                args=(tau,),
                jac=True,
                method="L-BFGS-B",
                bounds=bounds,
                options={"maxiter": 400, "ftol": 1e-12, "gtol": 1e-9, "maxcor": 20},
            )
            z = res.x
            steps.append((tau_rel, int(res.nit)))
    except _Stop:
        pass
