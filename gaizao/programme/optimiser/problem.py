"""The instance as numpy arrays: clusters merged into items, rows scaled.

An *item* is a compound, or a whole cluster (片区) merged: the cluster goes into
one batch or none, so its area, cost, extension households and score add up and
it counts once per member against its street's cap.

Rows (per period t, those present in the instance):
  floor   Σ a_i x_it ≥ A_t        price λ_t ≥ 0
  budget  Σ c_i x_it ≤ B_t        price μ_t ≥ 0
  ext     Σ h_i x_it ≤ H_t        price ν_t ≥ 0   (h = households of extension members)
  street  Σ m_is x_it ≤ K (each s) price π_st ≥ 0
  one     Σ_t x_it ≤ 1 (each item)

Everything is scaled (area by its mean, cost by its mean, ...) so the LP is well
conditioned; `Problem.unscale_objective` turns a scaled objective back.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .model import Instance


@dataclass
class Prices:
    lam: np.ndarray  # (T,) floor prices
    mu: np.ndarray  # (T,) budget prices
    nu: np.ndarray  # (T,) extension-cap prices
    pi: np.ndarray  # (S, T) street-cap prices

    @classmethod
    def zeros(cls, T: int, S: int) -> Prices:
        return cls(np.zeros(T), np.zeros(T), np.zeros(T), np.zeros((S, T)))

    def clamp(self, P: Problem) -> Prices:
        """Non-negative, and zero on rows the instance does not have."""
        return Prices(
            np.where(P.has_floor, np.maximum(self.lam, 0.0), 0.0),
            np.where(P.has_budget, np.maximum(self.mu, 0.0), 0.0),
            np.where(P.has_ext, np.maximum(self.nu, 0.0), 0.0),
            np.maximum(self.pi, 0.0) if P.K is not None else np.zeros_like(self.pi),
        )


@dataclass
class Problem:
    inst: Instance
    T: int
    n: int  # items
    S: int  # streets
    w: np.ndarray  # (T,) weights
    a: np.ndarray  # (n,) scaled area
    c: np.ndarray  # scaled cost
    h: np.ndarray  # scaled extension households
    s: np.ndarray  # scaled score (sum over members)
    lock: np.ndarray  # (n,) locked period or -1
    members: list[list[int]]  # item → compound indices
    use_item: np.ndarray  # street incidence: item, street, count (members in that street)
    use_street: np.ndarray
    use_cnt: np.ndarray
    street_names: list[str]
    has_floor: np.ndarray  # (T,) bool
    has_budget: np.ndarray
    has_ext: np.ndarray
    A: np.ndarray  # (T,) scaled RHS (0 where absent)
    B: np.ndarray
    H: np.ndarray
    K: int | None
    Kst: np.ndarray  # (S, T) street caps (K everywhere; raised only to bound a relaxed plan)
    sa: float
    sc: float
    sh: float
    ss: float
    # unscaled per-item figures for exact checks and messages
    area_raw: np.ndarray
    cost_raw: np.ndarray
    hh_raw: np.ndarray

    @property
    def free(self) -> np.ndarray:
        return self.lock < 0

    def profit(self) -> np.ndarray:
        """(n, T) scaled objective coefficients w_t · s_i."""
        return self.s[:, None] * self.w[None, :]

    def unscale_objective(self, v: float) -> float:
        return float(v) * self.ss

    # ------------------------------------------------------------ usage

    def usage(self, assign: np.ndarray, raw: bool = False):
        """Per-period area, cost, ext households (T,) and street counts (S, T) of a plan."""
        T = self.T
        on = assign >= 0
        t = assign[on]
        a, c, h = (self.area_raw, self.cost_raw, self.hh_raw) if raw else (self.a, self.c, self.h)
        area = np.bincount(t, weights=a[on], minlength=T)
        cost = np.bincount(t, weights=c[on], minlength=T)
        hh = np.bincount(t, weights=h[on], minlength=T)
        st = np.zeros((self.S, T))
        if self.S:
            tu = assign[self.use_item]
            m = tu >= 0
            flat = np.bincount(
                self.use_street[m] * T + tu[m], weights=self.use_cnt[m], minlength=self.S * T
            )
            st = flat.reshape(self.S, T).astype(float)
        return area.astype(float), cost.astype(float), hh.astype(float), st

    def street_pen(self, pi: np.ndarray) -> np.ndarray:
        """(n, T): Σ_s m_is π_st."""
        out = np.zeros((self.n, self.T))
        if self.S == 0 or self.K is None:
            return out
        for t in range(self.T):
            out[:, t] = np.bincount(
                self.use_item, weights=self.use_cnt * pi[self.use_street, t], minlength=self.n
            )
        return out

    def reduced(self, y: Prices) -> np.ndarray:
        """(n, T) reduced profits r_it at prices y."""
        r = self.profit()
        r += self.a[:, None] * y.lam[None, :]
        r -= self.c[:, None] * y.mu[None, :]
        r -= self.h[:, None] * y.nu[None, :]
        r -= self.street_pen(y.pi)
        return r

    def dual_value(self, y: Prices, r: np.ndarray | None = None) -> float:
        """Lagrangian / LP dual objective at non-negative prices y (scaled).

        By weak duality this bounds every plan that keeps all rows, for any y ≥ 0:
        each free item takes its best option (a period or none) at the prices,
        each locked item its locked period.
        """
        y = y.clamp(self)
        if r is None:
            r = self.reduced(y)
        free = self.free
        best = np.maximum(r[free].max(axis=1), 0.0).sum() if free.any() else 0.0
        lk = ~free
        locked = r[lk, self.lock[lk]].sum() if lk.any() else 0.0
        rows = -(y.lam @ self.A) + y.mu @ self.B + y.nu @ self.H
        if self.K is not None:
            rows += float((self.Kst * y.pi).sum())
        return float(rows + best + locked)

    def objective(self, assign: np.ndarray) -> float:
        """Scaled objective Σ w_t s_i of a plan."""
        on = assign >= 0
        return float((self.w[assign[on]] * self.s[on]).sum())


def build_problem(inst: Instance) -> Problem:
    T = len(inst.periods)
    pidx = {str(p.id): k for k, p in enumerate(inst.periods)}
    comp = inst.compounds
    # one pass over the compounds; everything after it is numpy (at 220,000
    # compounds the per-compound loops this replaces took 2–3 s of a 20 s run)
    rows = [
        (
            c.area_m2,
            c.cost_yuan,
            c.score,
            c.households if c.extension else 0,
            ("c:" + str(c.cluster)) if c.cluster is not None else j,
            c.street,
        )
        for j, c in enumerate(comp)
    ]
    if rows:
        area, cost, sc_, hh = (np.array(x, dtype=float) for x in list(zip(*rows, strict=True))[:4])
    else:
        area = cost = sc_ = hh = np.zeros(0)
    # items: a compound, or a cluster merged, numbered by first appearance
    first: dict = {}
    item_of = np.array([first.setdefault(r[4], len(first)) for r in rows], dtype=np.int64)
    n = len(first)
    members: list[list[int]] = [[] for _ in range(n)]
    for j, i in enumerate(item_of.tolist()):
        members[i].append(j)
    area_i = np.bincount(item_of, weights=area, minlength=n) if n else np.zeros(0)
    cost_i = np.bincount(item_of, weights=cost, minlength=n) if n else np.zeros(0)
    hh_i = np.bincount(item_of, weights=hh, minlength=n) if n else np.zeros(0)
    s_i = np.bincount(item_of, weights=sc_, minlength=n) if n else np.zeros(0)
    lock = np.full(n, -1, dtype=np.int64)
    for j, c in enumerate(comp):
        if c.locked_period is not None:
            lock[item_of[j]] = pidx[str(c.locked_period)]
    # streets: (item, street, members there), one row per pair
    names: dict[str, int] = {}
    st_of = np.array(
        [-1 if r[5] is None else names.setdefault(r[5], len(names)) for r in rows], dtype=np.int64
    )
    on = st_of >= 0
    code = item_of[on] * max(len(names), 1) + st_of[on]
    uniq, cnt = np.unique(code, return_counts=True)
    use_item = (uniq // max(len(names), 1)).astype(np.int64)
    use_street = (uniq % max(len(names), 1)).astype(np.int64)
    use_cnt = cnt.astype(float)

    def mean_pos(x):
        x = x[x > 0]
        return float(x.mean()) if x.size else 1.0

    sa, sc, sh = mean_pos(area_i), mean_pos(cost_i), mean_pos(hh_i)
    ss = mean_pos(np.abs(s_i))
    per = inst.periods
    has_floor = np.array([p.area_target_m2 is not None for p in per])
    has_budget = np.array([p.budget_yuan is not None for p in per])
    has_ext = np.array([p.household_cap_extension is not None for p in per])
    return Problem(
        inst=inst,
        T=T,
        n=n,
        S=len(names),
        w=np.array([p.weight for p in per], dtype=float),
        a=area_i / sa,
        c=cost_i / sc,
        h=hh_i / sh,
        s=s_i / ss,
        lock=lock,
        members=members,
        use_item=use_item,
        use_street=use_street,
        use_cnt=use_cnt,
        street_names=list(names),
        has_floor=has_floor,
        has_budget=has_budget,
        has_ext=has_ext,
        A=np.array([(p.area_target_m2 or 0.0) / sa for p in per]),
        B=np.array([(p.budget_yuan or 0.0) / sc for p in per]),
        H=np.array([(p.household_cap_extension or 0.0) / sh for p in per]),
        K=inst.max_concurrent_per_street,
        Kst=np.full((len(names), T), float(inst.max_concurrent_per_street or 0)),
        sa=sa,
        sc=sc,
        sh=sh,
        ss=ss,
        area_raw=area_i,
        cost_raw=cost_i,
        hh_raw=hh_i,
    )
