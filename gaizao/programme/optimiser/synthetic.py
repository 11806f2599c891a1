"""Synthetic instances for the bench and the tests (seeded, reproducible).

Realistic ranges: floor area 2,000–200,000 m² (log-normal, median ~25,000),
cost 100–400 元/m², ~1 household per 80 m², 4 periods with decreasing weights,
streets of uneven size (~400 compounds on average), clusters of 2–4 neighbours
in one street (~10 % of compounds), ~15 % in the extension window, a few
locked. Targets are set so that the area floors and the budgets both bind: the
budgets buy the floors only if cheap-per-m² compounds are taken, while the
score per yuan favours small, dear ones.
"""

from __future__ import annotations

import numpy as np


def synthetic(
    n: int, periods: int = 4, seed: int = 0, *, locked: float = 0.002, street_size: int = 400
) -> dict:
    rng = np.random.default_rng(seed)
    area = np.clip(rng.lognormal(np.log(25_000), 0.9, n), 2_000, 200_000).round(1)
    per_m2 = rng.uniform(100, 400, n)
    cost = (area * per_m2).round(0)
    households = np.maximum(1, (area / rng.uniform(60, 100, n)).astype(int))
    # score 0–100: condition deficit, age, willingness … loosely tied to cost per m²
    score = np.clip(rng.normal(55, 18, n) + 0.04 * (per_m2 - 250), 1, 100).round(2)
    n_streets = max(3, n // street_size)
    street_w = rng.lognormal(0, 0.6, n_streets)
    street = rng.choice(n_streets, n, p=street_w / street_w.sum())
    order = np.argsort(street, kind="stable")
    cluster = np.full(n, -1)
    k, c_id = 0, 0
    while k < n:
        if rng.random() < 0.04:
            size = int(rng.integers(2, 5))
            grp = order[k : k + size]
            if len(set(street[grp])) == 1 and len(grp) > 1:
                cluster[grp] = c_id
                c_id += 1
            k += size
        else:
            k += 1
    extension = rng.random(n) < 0.15
    total_area = area.sum()
    share = np.array([0.2, 0.17, 0.14, 0.11, 0.09, 0.07][:periods])
    share = share if periods <= 6 else np.full(periods, 0.8 / periods)
    targets = share * total_area
    budgets = targets * 240.0  # below the 250 元/m² average: floors and budgets bind together
    weights = [round(1.0 - 0.1 * t, 2) for t in range(periods)]
    hh_total = households.sum()
    ext_caps = share * hh_total * 0.1
    lock_p = rng.random(n) < locked
    lock_to = rng.integers(0, periods, n)
    # clusters lock together
    cl_lock: dict[int, int] = {}
    for i in np.flatnonzero(lock_p & (cluster >= 0)):
        cl_lock.setdefault(int(cluster[i]), int(lock_to[i]))
    per_street = n / n_streets
    k_cap = max(2, int(per_street * share.max() * 1.3))
    compounds = []
    for i in range(n):
        locked_period = None
        if cluster[i] >= 0 and int(cluster[i]) in cl_lock:
            locked_period = f"P{cl_lock[int(cluster[i])] + 1}"
        elif lock_p[i] and cluster[i] < 0:
            locked_period = f"P{lock_to[i] + 1}"
        compounds.append(
            {
                "id": f"C{i + 1}",
                "area_m2": float(area[i]),
                "households": int(households[i]),
                "cost_yuan": float(cost[i]),
                "score": float(score[i]),
                "street": f"S{street[i] + 1}",
                "cluster": None if cluster[i] < 0 else f"K{cluster[i] + 1}",
                "extension": bool(extension[i]),
                "locked_period": locked_period,
            }
        )
    return {
        "periods": [
            {
                "id": f"P{t + 1}",
                "area_target_m2": float(round(targets[t], 1)),
                "budget_yuan": float(round(budgets[t], 0)),
                "weight": weights[t],
                "household_cap_extension": float(round(ext_caps[t])),
            }
            for t in range(periods)
        ],
        "compounds": compounds,
        "max_concurrent_per_street": k_cap,
    }
