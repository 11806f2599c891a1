"""The optimiser at its boundaries (infeasible floors, ties, zero budget), the
smoothed dual's bound, and the floor trades that restore a short floor."""

import re
import time

import numpy as np
import pytest

from gaizao.programme.optimiser import instance_from_dict, solve
from gaizao.programme.optimiser.highs import build_core, solve_core
from gaizao.programme.optimiser.pricing import penalty_for
from gaizao.programme.optimiser.problem import Prices, build_problem
from gaizao.programme.optimiser.repair import check, floor_trades
from gaizao.programme.optimiser.smooth import smooth_prices
from gaizao.programme.optimiser.synthetic import synthetic

from .test_optimiser import _inst, _keeps_rows, brute_force, random_instance

LATIN_WORD = re.compile(r"[A-Za-z]{3,}")


def test_infeasible_floors_reported_in_chinese_with_amounts():
    comps = [{"id": f"c{i}", "area_m2": 1000, "cost_yuan": 100_000, "score": 5} for i in range(4)]
    data = _inst(
        comps,
        [
            {"id": "2020上", "area_target_m2": 3000, "budget_yuan": 150_000},
            {"id": "2020下", "area_target_m2": 9000, "weight": 0.9},
        ],
    )
    r = solve(instance_from_dict(data), time_limit=5)
    assert r.status == "infeasible-with-shortfall"
    by = {s.period: s for s in r.shortfalls}
    assert set(by) == {"2020上", "2020下"}
    first = by["2020上"]
    assert (first.reason, first.amount) == ("budget", pytest.approx(2000))
    assert (
        first.message
        == "批次 2020上 面积目标 3,000 m² 差 2,000 m²：" + first.message.split("：")[1]
    )
    second = by["2020下"]
    assert second.amount == pytest.approx(9000 - second.achieved)
    for s in r.shortfalls:
        # one Chinese sentence: no English word in what the user reads
        assert not LATIN_WORD.search(s.message.replace("m²", "")), s.message
        assert s.message.startswith(f"批次 {s.period} 面积目标")
    # the bound is that of the targets lowered to what the plan reaches
    assert r.bound >= r.objective
    assert r.as_dict()["shortfalls"][0]["message"] == r.shortfalls[0].message


def test_ties_give_one_optimal_plan_every_time():
    comps = [
        {"id": f"t{i}", "area_m2": 500, "cost_yuan": 1000, "score": 7, "street": "同"}
        for i in range(6)
    ]
    data = _inst(
        comps,
        [
            {"id": "A", "area_target_m2": 1000, "budget_yuan": 2000},
            {"id": "B", "area_target_m2": 1000, "budget_yuan": 2000},
        ],
        K=2,
    )
    runs = [solve(instance_from_dict(data), time_limit=5) for _ in range(2)]
    for r in runs:
        assert r.status == "optimal"
        assert r.objective == pytest.approx(28) and r.gap == pytest.approx(0, abs=1e-9)
        assert sorted(r.assignment.values()) == ["A", "A", "B", "B"]
        assert _keeps_rows(data, r.assignment)
    assert runs[0].assignment == runs[1].assignment
    assert brute_force(data) == pytest.approx(28)


def test_zero_budget_takes_only_free_compounds():
    comps = [
        {"id": "paid", "area_m2": 800, "cost_yuan": 10, "score": 90},
        {"id": "free", "area_m2": 300, "cost_yuan": 0, "score": 1},
    ]
    data = _inst(comps, [{"id": "P", "budget_yuan": 0}])
    r = solve(instance_from_dict(data), time_limit=5)
    assert r.assignment == {"free": "P"} and r.status == "optimal"
    # with a floor the zero budget cannot reach: the shortfall says so, in Chinese
    data["periods"][0]["area_target_m2"] = 1000
    r = solve(instance_from_dict(data), time_limit=5)
    (s,) = r.shortfalls
    assert (s.reason, s.amount) == ("budget", pytest.approx(700))
    assert "预算" in s.message and "差 700 m²" in s.message
    # a locked compound in a zero budget is kept and its overrun reported
    data["compounds"][0]["locked_period"] = "P"
    data["periods"][0]["area_target_m2"] = None
    r = solve(instance_from_dict(data), time_limit=5)
    assert r.assignment["paid"] == "P"
    (s,) = r.shortfalls
    assert (s.constraint, s.reason, s.amount) == ("budget_yuan", "locked", 10)


def test_zero_budget_and_no_compounds():
    data = _inst([], [{"id": "P", "budget_yuan": 0, "area_target_m2": 0}])
    r = solve(instance_from_dict(data), time_limit=2)
    assert r.assignment == {} and r.objective == 0 and not r.shortfalls


@pytest.mark.parametrize("seed", range(8))
def test_smoothed_dual_bound_not_below_enumerated_optimum(seed):
    data = random_instance(seed, n=8 if seed % 2 else 7, T=2 if seed % 4 else 1)
    best = brute_force(data)
    P = build_problem(instance_from_dict(data))
    y, v = smooth_prices(P, Prices.zeros(P.T, P.S), time.perf_counter() + 2.0)
    assert v == pytest.approx(P.dual_value(y), rel=1e-12)
    if best is not None:
        assert P.unscale_objective(v) >= best - 1e-7


def test_smoothed_dual_reaches_the_lp_bound():
    """Street caps included: every price moves at once, so it does not stall above
    the LP the way block-by-block descent did (2.5 % at 50,000)."""
    P = build_problem(instance_from_dict(synthetic(1500, seed=5)))
    m = build_core(
        P, np.flatnonzero(P.free), np.arange(P.T), np.where(P.free, -1, P.lock), penalty_for(P)
    )
    lp = solve_core(m, integer=False, time_limit=60)
    assert lp is not None and lp["status"] == "Optimal"
    lp_value = lp["obj"] + m.offset
    stats = {}
    _, v = smooth_prices(P, Prices.zeros(P.T, P.S), time.perf_counter() + 30, stats)
    assert v >= lp_value - 1e-6 * abs(lp_value)  # weak duality
    assert v <= lp_value * (1 + 1e-5), (v, lp_value, stats)


def test_floor_trades_restore_every_floor_keeping_every_row():
    data = synthetic(3000, seed=7)
    P = build_problem(instance_from_dict(data))
    r = solve(instance_from_dict(data), time_limit=4)
    assign = r.stats["_assign"].copy()
    assert not check(P, assign)["floor"].any()
    # take area out of two batches: the floors are short, the other rows slack
    rng = np.random.default_rng(0)
    for t in (0, 2):
        mine = np.flatnonzero((assign == t) & P.free)
        assign[rng.choice(mine, 40, replace=False)] = -1
    assert check(P, assign)["floor"][[0, 2]].min() > 0
    fixed = floor_trades(P, assign, r.stats["_prices"])
    v = check(P, fixed)
    assert not any(x.any() for x in v.values()), {k: x.sum() for k, x in v.items()}
    assert (fixed[~P.free] == P.lock[~P.free]).all()


def test_floor_trades_count_a_clusters_street_places():
    """A cluster of three replacing one compound of its street needs two more places."""
    comps = [
        {"id": "old", "area_m2": 100, "cost_yuan": 10, "score": 5, "street": "甲"},
        {"id": "o2", "area_m2": 100, "cost_yuan": 10, "score": 5, "street": "甲"},
    ] + [
        {"id": f"k{i}", "area_m2": 200, "cost_yuan": 10, "score": 1, "street": "甲", "cluster": "K"}
        for i in range(3)
    ]
    data = _inst(comps, [{"id": "P", "area_target_m2": 250, "budget_yuan": 100}], K=3)
    P = build_problem(instance_from_dict(data))
    assign = np.full(P.n, -1)
    assign[[0, 1]] = 0  # old and o2 in: 200 m², short of 250
    out = floor_trades(P, assign, Prices.zeros(P.T, P.S))
    assert not check(P, out)["street"].any()
