"""Bench: the batch optimiser against a plain score/cost greedy on synthetic instances.

    .venv/bin/python bench/planner.py --n 5000 [--time-limit 10] [--lp-limit 180] [--seed 0]

Prints, for the greedy and the optimiser: seconds, objective, bound, gap and
shortfalls; the optimiser's peak memory (this process and its HiGHS children,
max RSS); and the LP-relaxation bound solved by HiGHS on the whole instance in a
child process (killed after --lp-limit seconds: then the optimiser's own LP dual
bound, which is never below the LP relaxation, is the reference). Synthetic
instances: gaizao/programme/optimiser/synthetic.py (4 periods, floors and
budgets both binding).
"""

import argparse
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gaizao.programme.optimiser import (  # noqa: E402
    greedy,
    highs,  # noqa: E402
    instance_from_dict,
    solve,
)
from gaizao.programme.optimiser.pricing import penalty_for  # noqa: E402
from gaizao.programme.optimiser.problem import build_problem  # noqa: E402
from gaizao.programme.optimiser.synthetic import synthetic  # noqa: E402


def peak_mb():
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return me, kids


def full_lp(inst, limit):
    import numpy as np

    P = build_problem(inst)
    m = highs.build_core(
        P, np.flatnonzero(P.free), np.arange(P.T), np.where(P.free, -1, P.lock), penalty_for(P)
    )
    t0 = time.perf_counter()
    res = highs.solve_core(m, integer=False, time_limit=limit, grace=2.0)
    secs = time.perf_counter() - t0
    if res is None or res.get("x") is None or res["status"] != "Optimal":
        return None, secs
    return P.unscale_objective(res["obj"] + m.offset), secs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, required=True)
    ap.add_argument("--time-limit", type=float, default=None)
    ap.add_argument("--lp-limit", type=float, default=180.0)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    limit = args.time_limit or (10.0 if args.n <= 5000 else 20.0)
    inst = instance_from_dict(synthetic(args.n, seed=args.seed))
    base_me, _ = peak_mb()
    g = greedy(inst)
    r = solve(inst, time_limit=limit)
    me, kids = peak_mb()
    lp, lp_secs = full_lp(inst, args.lp_limit)
    ref = lp if lp is not None else r.bound
    print(f"n = {args.n} compounds, 4 periods, seed {args.seed}, time limit {limit:g} s")
    print(
        "  LP relaxation (HiGHS, whole instance): "
        + (
            f"{lp:,.3f} in {lp_secs:.1f} s"
            if lp is not None
            else f"not solved in {args.lp_limit:g} s"
        )
    )
    for name, res in (("greedy score/cost", g), ("optimiser", r)):
        gap = (ref - res.objective) / abs(res.objective) if res.objective else float("nan")
        short = "; ".join(f"{s.period} {s.constraint} {s.amount:,.0f}" for s in res.shortfalls)
        print(
            f"  {name:18s} {res.seconds:6.2f} s  objective {res.objective:,.3f}  "
            f"gap vs LP {100 * gap:.4f} %  status {res.status}  {('shortfalls: ' + short) if short else ''}"
        )
    print(
        f"  optimiser bound {r.bound:,.3f} ({r.bound_method}), own gap {100 * (r.gap or 0):.4f} %"
    )
    print(
        f"  peak RSS: this process {me:,.0f} MB (after reading the instance {base_me:,.0f} MB), "
        f"largest HiGHS child {kids:,.0f} MB"
    )
    st = {k: v for k, v in r.stats.items() if not k.startswith("_")}
    print(f"  stats {st}")


if __name__ == "__main__":
    main()
