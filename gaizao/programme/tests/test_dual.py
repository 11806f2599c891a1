"""The Lagrangian dual over the coupling rows: a proven bound, evaluated right."""

import time

import numpy as np
import pytest

from gaizao.programme.optimiser import instance_from_dict
from gaizao.programme.optimiser.dual import bundle, dual_prices, evaluate, evaluate_scalar
from gaizao.programme.optimiser.problem import Prices, build_problem
from gaizao.programme.optimiser.synthetic import synthetic

from .test_optimiser import brute_force, random_instance


def _random_prices(P, rng):
    return Prices(
        rng.uniform(0, 2, P.T),
        rng.uniform(0, 2, P.T),
        rng.uniform(0, 2, P.T),
        rng.uniform(0, 1, (P.S, P.T)),
    )


@pytest.mark.parametrize("seed", range(6))
def test_vectorised_dual_equals_scalar_reference(seed):
    data = synthetic(60, seed=seed, locked=0.05, street_size=15)
    P = build_problem(instance_from_dict(data))
    rng = np.random.default_rng(seed)
    for _ in range(5):
        y = _random_prices(P, rng)
        assert evaluate(P, y).value == pytest.approx(evaluate_scalar(P, y), rel=1e-12)
    # zero prices, and prices on rows the instance lacks are ignored (clamped)
    y = Prices.zeros(P.T, P.S)
    assert evaluate(P, y).value == pytest.approx(evaluate_scalar(P, y), rel=1e-12)


def test_subgradient_is_a_valid_cut():
    P = build_problem(instance_from_dict(synthetic(200, seed=4)))
    rng = np.random.default_rng(0)
    y0 = _random_prices(P, rng)
    y0.pi[:] = 0.0
    e0 = evaluate(P, y0)
    z0 = np.concatenate([y0.lam, y0.mu, y0.nu])
    for _ in range(20):
        y = _random_prices(P, rng)
        y.pi[:] = 0.0
        z = np.concatenate([y.lam, y.mu, y.nu])
        # L convex: L(z) ≥ L(z0) + g·(z − z0)
        assert evaluate(P, y).value >= e0.value + e0.grad @ (z - z0) - 1e-9


@pytest.mark.parametrize("seed", range(14))
def test_dual_bound_not_below_enumerated_optimum(seed):
    data = random_instance(seed, n=8 if seed % 2 else 7, T=2 if seed % 4 else 1)
    best = brute_force(data)
    P = build_problem(instance_from_dict(data))
    y, v = dual_prices(P, time.perf_counter() + 2.0, {})
    assert v == pytest.approx(evaluate(P, y).value)
    if best is not None:
        assert P.unscale_objective(v) >= best - 1e-9
    # any non-negative prices bound it too (weak duality)
    rng = np.random.default_rng(seed)
    for _ in range(10):
        yr = _random_prices(P, rng)
        if best is not None:
            assert P.unscale_objective(evaluate(P, yr).value) >= best - 1e-9


def test_bundle_reaches_the_lp_bound_without_street_caps():
    """Without street caps the coupling rows are the only ones dualised: the bundle
    minimum is the LP relaxation, which HiGHS confirms on the whole instance."""
    from gaizao.programme.optimiser import highs
    from gaizao.programme.optimiser.pricing import penalty_for

    data = synthetic(400, seed=1)
    data["max_concurrent_per_street"] = None
    P = build_problem(instance_from_dict(data))
    y, e = bundle(P, Prices.zeros(P.T, P.S), time.perf_counter() + 10.0, max_evals=600)
    m = highs.build_core(
        P, np.flatnonzero(P.free), np.arange(P.T), np.where(P.free, -1, P.lock), penalty_for(P)
    )
    res = highs.solve_core(m, integer=False, time_limit=20.0)
    lp = res["obj"] + m.offset
    assert e.value >= lp - 1e-7 * abs(lp)
    assert e.value == pytest.approx(lp, rel=1e-6)


def test_street_auction_reaches_the_lp_bound_at_the_lp_coupling_prices():
    """With the coupling prices of the LP optimum fixed, the street auction's prices
    give (nearly) the LP bound; zero street prices are far above it."""
    from gaizao.programme.optimiser import highs
    from gaizao.programme.optimiser.auction import street_auction
    from gaizao.programme.optimiser.pricing import penalty_for

    data = synthetic(600, seed=2, street_size=60)
    for c in data["compounds"]:
        c["cluster"] = None
    P = build_problem(instance_from_dict(data))
    m = highs.build_core(
        P, np.flatnonzero(P.free), np.arange(P.T), np.where(P.free, -1, P.lock), penalty_for(P)
    )
    res = highs.solve_core(m, integer=False, time_limit=20.0)
    lp = res["obj"] + m.offset
    y_lp = highs.prices_from_duals(P, m, res["row_dual"], Prices.zeros(P.T, P.S))
    y0 = Prices(y_lp.lam, y_lp.mu, y_lp.nu, np.zeros_like(y_lp.pi))
    assert (y_lp.pi > 0).any()  # the street caps bind
    far = evaluate(P, y0).value
    y = street_auction(P, y0)
    v = evaluate(P, y).value
    assert v >= lp - 1e-7 * abs(lp)  # still a bound
    assert v - lp <= 1e-2 * abs(lp) and v - lp < 0.2 * (far - lp)
