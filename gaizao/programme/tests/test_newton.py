"""The smoothed dual by projected Newton: its bound, its step, and the vectorised
build_problem that feeds it."""

import time

import numpy as np
import pytest

from gaizao.programme.optimiser import instance_from_dict
from gaizao.programme.optimiser.highs import build_core, solve_core
from gaizao.programme.optimiser.pricing import penalty_for
from gaizao.programme.optimiser.problem import Prices, build_problem
from gaizao.programme.optimiser.smooth import _newton_step, smooth_prices
from gaizao.programme.optimiser.synthetic import synthetic

from .test_optimiser import brute_force, random_instance


@pytest.mark.parametrize("seed", range(10))
@pytest.mark.parametrize("method", ["newton", "lbfgs"])
def test_bound_never_below_the_enumerated_optimum(seed, method):
    data = random_instance(seed, n=8 if seed % 2 else 7, T=2 if seed % 3 else 1)
    if seed % 4 == 3:
        data["max_concurrent_per_street"] = None
    best = brute_force(data)
    P = build_problem(instance_from_dict(data))
    stats: dict = {}
    y, v = smooth_prices(P, Prices.zeros(P.T, P.S), time.perf_counter() + 2.0, stats, method=method)
    assert v == pytest.approx(P.dual_value(y), rel=1e-12)
    assert np.all(y.lam >= 0) and np.all(y.mu >= 0) and np.all(y.nu >= 0) and np.all(y.pi >= 0)
    if best is not None:
        assert P.unscale_objective(v) >= best - 1e-7


def _lp(P):
    m = build_core(
        P, np.flatnonzero(P.free), np.arange(P.T), np.where(P.free, -1, P.lock), penalty_for(P)
    )
    lp = solve_core(m, integer=False, time_limit=60)
    assert lp is not None and lp["status"] == "Optimal"
    return lp["obj"] + m.offset


@pytest.mark.parametrize(
    "drop", [None, "max_concurrent_per_street", "household_cap_extension", "budget_yuan"]
)
def test_newton_reaches_the_lp_bound_whichever_rows_exist(drop):
    data = synthetic(1200, seed=3)
    if drop == "max_concurrent_per_street":
        data[drop] = None
    elif drop:
        for p in data["periods"]:
            p[drop] = None
    P = build_problem(instance_from_dict(data))
    lp_value = _lp(P)
    stats: dict = {}
    _, v = smooth_prices(P, Prices.zeros(P.T, P.S), time.perf_counter() + 30, stats)
    assert v >= lp_value - 1e-6 * abs(lp_value)  # weak duality
    assert v <= lp_value * (1 + 2e-6), (v, lp_value, stats)
    # converged at every temperature, in few Newton steps each
    assert len(stats["smooth_steps"]) == 7
    assert all(its < 40 for _, its, _ in stats["smooth_steps"]), stats


def test_arrowhead_newton_step_equals_the_dense_solve():
    """The step through the street blocks' Schur complement is the dense solve of
    H d = −g on the variables not fixed (d = 0 on those)."""
    rng = np.random.default_rng(0)
    T, S = 3, 5
    nc, n = 3 * T, 3 * T + S * T
    # an arrowhead positive definite H: dense coupling block, T×T street blocks
    M = rng.normal(size=(n, n))
    H = M @ M.T + n * np.eye(n)
    for s in range(S):
        for s2 in range(S):
            if s != s2:
                H[nc + s * T : nc + (s + 1) * T, nc + s2 * T : nc + (s2 + 1) * T] = 0.0
    Hc = H[:nc, :nc]
    Ds = np.stack(
        [H[nc + s * T : nc + (s + 1) * T, nc + s * T : nc + (s + 1) * T] for s in range(S)]
    )
    Bx = np.stack([H[:nc, nc + s * T : nc + (s + 1) * T] for s in range(S)])
    g = rng.normal(size=n)
    fixed = rng.random(n) < 0.25
    ridge = np.full(n, 1e-3)
    d = _newton_step(g, Hc, Ds, Bx, fixed, ridge, nc, T, S)
    keep = ~fixed
    Hk = H[np.ix_(keep, keep)] + np.diag(ridge[keep])
    want = np.zeros(n)
    want[keep] = np.linalg.solve(Hk, -g[keep])
    assert np.allclose(d, want, atol=1e-10)
    assert np.all(d[fixed] == 0.0)
    assert g @ d < 0  # a descent direction


def _reference_problem(inst):
    """build_problem's arrays by plain loops over the compounds (the code it replaced)."""
    pidx = {str(p.id): k for k, p in enumerate(inst.periods)}
    key_of, members = {}, []
    for j, c in enumerate(inst.compounds):
        if c.cluster is None:
            members.append([j])
            continue
        k = "c:" + str(c.cluster)
        if k not in key_of:
            key_of[k] = len(members)
            members.append([])
        members[key_of[k]].append(j)
    item_of = {j: i for i, ms in enumerate(members) for j in ms}
    area = [sum(inst.compounds[j].area_m2 for j in ms) for ms in members]
    hh = [
        sum(inst.compounds[j].households for j in ms if inst.compounds[j].extension)
        for ms in members
    ]
    lock = [-1] * len(members)
    names, pairs = {}, {}
    for j, c in enumerate(inst.compounds):
        if c.locked_period is not None:
            lock[item_of[j]] = pidx[str(c.locked_period)]
        if c.street is not None:
            s = names.setdefault(c.street, len(names))
            pairs[(item_of[j], s)] = pairs.get((item_of[j], s), 0) + 1
    return members, area, hh, lock, list(names), pairs


@pytest.mark.parametrize("seed", range(4))
def test_build_problem_matches_the_loop_reference(seed):
    data = synthetic(400, seed=seed, locked=0.05, street_size=40)
    c = data["compounds"]
    c[0]["street"] = None  # a compound with no street
    c[5]["cluster"] = c[6]["cluster"] = "over-two-streets"
    c[5]["street"], c[6]["street"] = "S1", "S2"
    c[5]["locked_period"] = c[6]["locked_period"] = "P2"
    inst = instance_from_dict(data)
    P = build_problem(inst)
    members, area, hh, lock, names, pairs = _reference_problem(inst)
    assert P.members == members
    assert np.allclose(P.area_raw, area) and np.allclose(P.hh_raw, hh)
    assert P.lock.tolist() == lock
    assert P.street_names == names
    got = {(i, s): c for i, s, c in zip(P.use_item, P.use_street, P.use_cnt, strict=True)}
    assert got == pairs
