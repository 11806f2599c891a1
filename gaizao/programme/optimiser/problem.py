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
    # merge clusters
    key_of: dict[str, int] = {}
    members: list[list[int]] = []
    for j, c in enumerate(inst.compounds):
        if c.cluster is None:
            members.append([j])
            continue
        k = "c:" + str(c.cluster)
        if k not in key_of:
            key_of[k] = len(members)
            members.append([])
        members[key_of[k]].append(j)
    n = len(members)
    comp = inst.compounds
    area = np.array([c.area_m2 for c in comp], dtype=float)
    cost = np.array([c.cost_yuan for c in comp], dtype=float)
    hh = np.array([c.households if c.extension else 0 for c in comp], dtype=float)
    sc_ = np.array([c.score for c in comp], dtype=float)
    item_of = np.empty(len(comp), dtype=np.int64)
    for i, ms in enumerate(members):
        item_of[ms] = i
    area_i = np.bincount(item_of, weights=area, minlength=n) if n else np.zeros(0)
    cost_i = np.bincount(item_of, weights=cost, minlength=n) if n else np.zeros(0)
    hh_i = np.bincount(item_of, weights=hh, minlength=n) if n else np.zeros(0)
    s_i = np.bincount(item_of, weights=sc_, minlength=n) if n else np.zeros(0)
    lock = np.full(n, -1, dtype=np.int64)
    for j, c in enumerate(comp):
        if c.locked_period is not None:
            lock[item_of[j]] = pidx[str(c.locked_period)]
    # streets
    names: dict[str, int] = {}
    pairs: dict[tuple[int, int], int] = {}
    for j, c in enumerate(comp):
        if c.street is None:
            continue
        s = names.setdefault(c.street, len(names))
        key = (int(item_of[j]), s)
        pairs[key] = pairs.get(key, 0) + 1
    use_item = np.array([k[0] for k in pairs], dtype=np.int64)
    use_street = np.array([k[1] for k in pairs], dtype=np.int64)
    use_cnt = np.array(list(pairs.values()), dtype=float)

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
