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
moved at once within y ≥ 0 by projected Newton (`_newton`; L-BFGS-B from SciPy
with `method="lbfgs"`); τ is lowered step by step, each step warm-started from
the last. Its gradient is one O(nT) numpy pass (the rows' use by the soft choice
minus their right-hand sides). Its Hessian is an arrowhead — a dense block over
the 3T coupling prices, one T × T block a street, and the blocks between them —
so the Newton step costs S small inverses and one 3T × 3T solve. The bound reported is never
the smoothed value: the exact L is evaluated at every point visited and the
lowest is kept, valid for any y ≥ 0 by weak duality.
"""

from __future__ import annotations

import time

import numpy as np
from scipy import sparse
from scipy.optimize import minimize
from threadpoolctl import threadpool_limits

from .problem import Prices, Problem

TEMPERATURES = (3e-2, 3e-3, 3e-4, 3e-5)  # relative to the largest profit w_t·s_i (L-BFGS-B)
# Newton: a finer schedule keeps each temperature's start within its quadratic reach
NEWTON_TEMPERATURES = (3e-2, 1e-2, 3e-3, 1e-3, 3e-4, 1e-4, 3e-5)
F32_FROM = 100_000


class _Stop(Exception):
    pass


def smooth_prices(
    P: Problem,
    y0: Prices,
    deadline: float,
    stats: dict | None = None,
    temperatures: tuple[float, ...] | None = None,
    method: str = "newton",
) -> tuple[Prices, float]:
    """Prices minimising the smoothed dual, and the lowest exact dual value seen
    (by projected Newton, or L-BFGS-B with `method="lbfgs"`)."""
    T, S = P.T, P.S
    if temperatures is None:
        temperatures = NEWTON_TEMPERATURES if method == "newton" else TEMPERATURES
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
    # the free items in street order: a street's items are then contiguous, which
    # the Hessian's per-street sums (sparse products) need to stay in cache
    first_s = np.full(P.n, S, dtype=np.int64)
    first_s[P.use_item[::-1]] = P.use_street[::-1]
    nfree = nfree[np.argsort(first_s[nfree], kind="stable")]
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
    F = np.stack([af, -cf, -hf])
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

    # street incidence for the Hessian: the single-street items (a cluster across
    # streets is left out of it — the Hessian only steers the step, the line
    # search uses the exact smoothed value)
    n_f = len(nfree)
    inc_f = pos[P.use_item] >= 0
    E = sparse.csr_matrix(
        (P.use_cnt[inc_f].astype(dt), (P.use_street[inc_f], pos[P.use_item[inc_f]])),
        shape=(max(S, 1), n_f),
    )
    E2 = E.multiply(E).tocsc()  # column slices (the items still uncertain) are cheap in CSC
    gk = np.stack([P.a[nfree], -P.c[nfree], -P.h[nfree]])  # ∂r/∂(λ, μ, ν) per item
    # the cross blocks: −Σ_i m_is g_ik W_i, as sparse (S, n) matrices of −m_is g_ik
    Eg = [E.multiply(-gk[k][None, :].astype(dt)).tocsc() for k in range(3)]
    hess_items: list[int] = []
    GG = np.ascontiguousarray((gk[:, None, :] * gk[None, :, :]).reshape(9, n_f).T, dtype=dt)
    # a floor under the curvature, per price (1/τ × this): a thousandth of an
    # average item's (a street whose items are all decided has none, and its
    # Newton step would be unbounded)
    floor_c = 1e-3 * np.concatenate(
        [np.repeat((gk**2).mean(axis=1) if n_f else np.ones(3), T), np.ones(S * T)]
    )

    def fg(u, tau, order=1):
        z = u * D
        lam, mu, nu, pi = split(z)
        # r = w·s + λa − μc − νh: the price part as one (T, 3) × (3, n) product
        r = np.stack([lam, mu, nu], axis=1).astype(dt) @ F
        r += profT
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
        if time.perf_counter() > deadline:
            raise _Stop
        if order == 0:
            return value
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
        if order == 1:
            return value, g * D
        return value, g * D, lambda: _hessian(e, tau)

    def _hessian(p, tau):
        """Hessian of the smoothed dual in u (z = D·u): (1/τ) Σ_i J_iᵀ (diag p_i − p_i p_iᵀ) J_i,
        as its dense coupling block, the (S, T, T) street blocks and the (S, 3T, T)
        cross blocks (a street price touches only its own items)."""
        # only the items whose soft choice is not yet one-hot carry curvature (the
        # others' W_i is below 10⁻⁶): at the low temperatures a small share of them
        pmax = np.maximum.reduce([*p, 1.0 - np.add.reduce([*p])])
        act = np.flatnonzero(pmax < 1.0 - 1e-6)
        p = p[:, act]
        k_ = len(act)
        # W_i = diag(p_i) − p_i p_iᵀ built over rows of n (numpy is slow on short
        # last axes), then one transpose to item-major for the sparse and BLAS products
        W = np.empty((T, T, k_), dtype=dt)
        for t in range(T):
            np.multiply(p, -p[t], out=W[t])
            W[t, t] += p[t]
        Wn = np.ascontiguousarray(W.reshape(T * T, k_).T)
        hess_items.append(k_)
        Hc = (
            (GG[act].T @ Wn)
            .astype(np.float64)
            .reshape(3, 3, T, T)
            .transpose(0, 2, 1, 3)
            .reshape(3 * T, 3 * T)
        )
        if streets:
            Ds = np.asarray(E2[:, act] @ Wn, dtype=np.float64).reshape(-1, T, T)[:S]
            Bx = np.empty((S, 3, T, T))
            for k in range(3):
                Bx[:, k] = np.asarray(Eg[k][:, act] @ Wn, dtype=np.float64).reshape(-1, T, T)[:S]
            Bx = Bx.reshape(S, 3 * T, T)
        else:
            Ds = np.zeros((S, T, T))
            Bx = np.zeros((S, 3 * T, T))
        inv = 1.0 / tau
        Dc, Dst = D[: 3 * T], D[3 * T :].reshape(S, T)
        Hc = Hc * inv * Dc[:, None] * Dc[None, :]
        Ds = Ds * inv * Dst[:, :, None] * Dst[:, None, :]
        Bx = Bx * inv * Dc[None, :, None] * Dst[:, None, :]
        return Hc, Ds, Bx

    z = np.concatenate([y0.lam, y0.mu, y0.nu, y0.pi.ravel()]).astype(float)
    z = np.where(mask, np.maximum(z, 0.0), 0.0)
    steps = []
    # one BLAS thread: L-BFGS-B's BLAS threads spin-wait between calls and took
    # 60 % of the time on the shared 2-core machine
    with threadpool_limits(limits=1, user_api="blas"):
        if method == "newton":
            # float32 sums carry noise of about n·10⁻⁷ in the value: below it the
            # Newton decrement and the line search's test mean nothing
            noise = 1e-7 * len(nfree) * (dt == np.float32)
            _newton(fg, z / D, mask, scale, steps, temperatures, floor_c * D**2, T, S, noise)
        else:
            _descend(fg, z / D, bounds, scale, steps, temperatures)

    if stats is not None:
        stats["smooth_steps"] = steps
        stats["smooth_evals"] = best["evals"]
        stats["hessian_items"] = hess_items[:: max(1, len(hess_items) // 8)]
    zb = best["z"] if best["z"] is not None else z
    lam, mu, nu, pi = split(zb)
    y = Prices(lam.copy(), mu.copy(), nu.copy(), pi.copy()).clamp(P)
    return y, P.dual_value(y)


def _descend(fg, z, bounds, scale, steps, temperatures):
    try:
        for tau_rel in temperatures:
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


def _newton(fg, u, mask, scale, steps, temperatures, floor, T, S, noise=0.0):
    """Projected Newton (Bertsekas) on the smoothed dual, τ by τ.

    The prices at 0 whose gradient pushes them below stay put; on the others the
    Newton step is solved through the arrowhead structure of the Hessian (the
    street blocks eliminated, a 3T × 3T Schur complement), then a projected
    backtracking line search (Armijo) on the smoothed value. Each temperature
    ends when the Newton decrement is negligible."""
    nc = 3 * T
    try:
        for k, tau_rel in enumerate(temperatures):
            tau = tau_rel * scale
            ridge = floor / tau
            # a temperature before the last only starts the next: a loose stop
            rel = 1e-12 if k == len(temperatures) - 1 else 1e-8
            f, g, hess = fg(u, tau, 2)
            Hc, Ds, Bx = hess()
            its = backtracks = 0
            for _ in range(60):
                its += 1
                fixed = ~mask | ((u <= 1e-14) & (g > 0))
                d = _newton_step(g, Hc, Ds, Bx, fixed, ridge, nc, T, S)
                dec = -float(g @ d)
                if dec <= rel * max(1.0, abs(f)) + noise:
                    break
                alpha, moved = 1.0, False
                for _ in range(30):
                    un = np.where(mask, np.maximum(u + alpha * d, 0.0), 0.0)
                    fn, gn, Hn = fg(un, tau, 2)
                    if fn <= f + 1e-4 * float(g @ (un - u)) + noise:
                        moved = True
                        break
                    alpha *= 0.3
                if not moved:
                    break
                done = f - fn <= 1e-14 * max(1.0, abs(f))
                u, f, g = un, fn, gn
                if done:
                    break
                backtracks += alpha != 1.0
                if alpha != 1.0 or its % 2 == 0 or k == len(temperatures) - 1:
                    # after a full step the Hessian is kept for one more (it costs
                    # about twice an evaluation; the step stays a descent direction)
                    Hc, Ds, Bx = Hn()
            steps.append((tau_rel, its, backtracks))
    except _Stop:
        pass


def _newton_step(g, Hc, Ds, Bx, fixed, ridge, nc, T, S):
    """Solve H d = −g on the variables not fixed (d = 0 on those), H arrowhead."""
    fc = fixed[:nc]
    fs = fixed[nc:].reshape(S, T)
    gc = np.where(fc, 0.0, g[:nc])
    gs = np.where(fs, 0.0, g[nc:].reshape(S, T))
    A = Hc.copy()
    A[fc, :] = 0.0
    A[:, fc] = 0.0
    A[np.diag_indices(nc)] += np.where(fc, 1.0, ridge[:nc])
    if S:
        keep_s = ~fs
        Dm = Ds * keep_s[:, :, None] * keep_s[:, None, :]
        idx = np.arange(T)
        Dm[:, idx, idx] += np.where(fs, 1.0, ridge[nc:].reshape(S, T))
        Bm = Bx * (~fc)[None, :, None] * keep_s[:, None, :]
        Dinv = np.linalg.inv(Dm)
        BD = Bm @ Dinv  # (S, nc, T)
        A -= np.einsum("sij,skj->ik", BD, Bm)
        rhs = -gc + np.einsum("sij,sj->i", BD, gs)
    else:
        rhs = -gc
    try:
        dc = np.linalg.solve(A, rhs)
    except np.linalg.LinAlgError:
        dc = np.linalg.lstsq(A, rhs, rcond=None)[0]
    dc[fc] = 0.0
    d = np.zeros(len(g))
    d[:nc] = dc
    if S:
        ds = np.einsum("sij,sj->si", Dinv, -gs - np.einsum("sij,i->sj", Bm, dc))
        ds[fs] = 0.0
        d[nc:] = ds.ravel()
    return d
