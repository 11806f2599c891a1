"""Street-cap prices for fixed coupling prices: an ε-scaled auction, vectorised.

With the coupling prices (λ, μ, ν) fixed, what is left of the dual is one small
transportation problem per street: each compound takes one period or none, at
most Kst per street and period. Its optimal prices π_st are found by a Jacobi
forward auction (Bertsekas, "auction for transportation problems with similar
objects"): every compound that holds no place bids for its best period, raising
the price by its margin over the second best plus ε; each (street, period) keeps
its Kst highest bids and its price becomes the lowest kept bid once full. All
bids of a round are settled at once with one sort (numpy). At the end every
compound is within ε of its best choice, so the dual value is within n·ε of the
street sub-problem's optimum; ε shrinks geometrically (ε-scaling, prices kept).

Only compounds in one street with one member there take part (as in the
coordinate sweeps); the others keep the street prices as a fixed charge. The
dual value is evaluated exactly at whatever prices come out, so the bound stays
proven whatever the auction's accuracy.
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np

from .problem import Prices, Problem


def street_auction(
    P: Problem,
    y: Prices,
    deadline: float = float("inf"),
    *,
    eps_final: float = 1e-7,
    max_rounds: int = 4000,
    stats: dict | None = None,
) -> Prices:
    if P.K is None or not P.S:
        return y
    single = np.bincount(P.use_item, minlength=P.n) == 1
    sel = single[P.use_item] & (P.use_cnt == 1) & P.free[P.use_item]
    items, streets = P.use_item[sel], P.use_street[sel]
    if not len(items):
        return y
    locked = np.where(P.free, -1, P.lock)
    st_locked = P.usage(locked)[3]
    cap = np.maximum(P.Kst - st_locked, 0).astype(np.int64)  # (S, T)
    T = P.T
    # values without this street's charge (others held fixed)
    pi = y.pi.copy()
    q = P.reduced(y)[items] + pi[streets]  # (m, T)
    m = len(items)
    scale = float(np.abs(q).max(initial=1.0))
    eps = max(scale * 0.05, eps_final)
    ar = np.arange(m)
    obj = streets[:, None] * T + np.arange(T)[None, :]  # (m, T) object ids
    capf = cap.ravel()
    price = pi.ravel().copy()
    rounds = 0
    phases: list[int] = []
    while True:
        base_price = price.copy()  # unfilled copies keep the phase's starting price
        held = np.full(m, -1, dtype=np.int64)  # object held (−1: none)
        bidp = np.zeros(m)  # price paid for the held place
        # full objects keep their price; objects not full drop to 0 (a free copy)
        while rounds < max_rounds:
            rounds += 1
            v = q - price[obj]
            v_none = np.zeros(m)
            cur = np.where(held >= 0, q[ar, held % T] - bidp, v_none)  # what i has now
            best_t = v.argmax(axis=1)
            b1 = v[ar, best_t]
            v2 = v.copy()
            v2[ar, best_t] = -np.inf
            b2 = np.maximum(v2.max(axis=1), 0.0) if T > 1 else np.zeros(m)
            want = (held < 0) & (b1 > cur + eps)
            if not want.any():
                break
            bidders = np.flatnonzero(want)
            o = obj[bidders, best_t[bidders]]
            p = price[o] + (b1[bidders] - b2[bidders]) + eps
            # holders and new bids, per object the cap highest
            h_idx = np.flatnonzero(held >= 0)
            all_i = np.concatenate([h_idx, bidders])
            all_o = np.concatenate([held[h_idx], o])
            all_p = np.concatenate([bidp[h_idx], p])
            order = np.lexsort((-all_p, all_o))
            so = all_o[order]
            first = np.r_[0, np.flatnonzero(so[1:] != so[:-1]) + 1]
            start = np.repeat(first, np.diff(np.r_[first, len(so)]))
            rank = np.arange(len(so)) - start
            keep = rank < capf[so]
            ki = all_i[order][keep]
            held[:] = -1
            held[ki] = so[keep]
            bidp[ki] = all_p[order][keep]
            # price of an object: lowest kept bid when full, else 0
            cnt = np.bincount(so[keep], minlength=len(price))
            low = np.full(len(price), np.inf)
            np.minimum.at(low, so[keep], all_p[order][keep])
            price = np.where((cnt >= capf) & (cnt > 0), low, base_price)
            if time.perf_counter() > deadline:
                break
        phases.append(rounds)
        if eps <= eps_final or time.perf_counter() > deadline or rounds >= max_rounds:
            break
        eps = max(eps / 8.0, eps_final)
    if stats is not None:
        stats["auction_rounds"] = phases
    new = price.reshape(P.S, T)
    touched = np.zeros(P.S, dtype=bool)
    touched[streets] = True
    pi = np.where(touched[:, None], np.maximum(new, 0.0), pi)
    pi[~np.isfinite(pi)] = 0.0
    # places left empty keep a price nobody pays: settle each street price exactly
    # given the others (one coordinate sweep), which only lowers the dual
    return street_sweeps(P, dataclasses.replace(y, pi=pi).clamp(P), sweeps=3)


def street_sweeps(P: Problem, y: Prices, sweeps: int = 2) -> Prices:
    """Exact coordinate minimisation of the dual in each street price π_st."""
    if P.K is None or not P.S:
        return y
    single = np.bincount(P.use_item, minlength=P.n) == 1
    sel = single[P.use_item] & (P.use_cnt == 1) & P.free[P.use_item]
    items, streets = P.use_item[sel], P.use_street[sel]
    locked = np.where(P.free, -1, P.lock)
    st_locked = P.usage(locked)[3]
    pi = y.pi.copy()
    for _ in range(sweeps):
        for t in range(P.T):
            yy = dataclasses.replace(y, pi=pi)
            r = P.reduced(yy)[items]
            q = r[:, t] + pi[streets, t]
            others = np.delete(r, t, axis=1)
            v = np.maximum(others.max(axis=1), 0.0) if others.shape[1] else np.zeros(len(items))
            d = q - v
            order = np.lexsort((-d, streets))
            s_sorted, d_sorted = streets[order], d[order]
            first = np.searchsorted(s_sorted, np.arange(P.S))
            rank = np.arange(len(order)) - first[s_sorted]
            cap = np.maximum(P.Kst[:, t] - st_locked[:, t], 0).astype(np.int64)
            hit = rank == cap[s_sorted]
            new = np.zeros(P.S)
            new[s_sorted[hit]] = np.maximum(d_sorted[hit], 0.0)
            pi[:, t] = new
    return dataclasses.replace(y, pi=pi).clamp(P)
