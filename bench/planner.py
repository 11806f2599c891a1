"""Bench: the batch optimiser beside the previous one and a plain score/cost greedy.

    .venv/bin/python bench/planner.py --n 5000 50000 220000 [--time-limit S]
        [--lp-limit 90] [--baseline main] [--seed 0] [--repeat 1]

For each n, on the same synthetic instance (gaizao/programme/optimiser/synthetic.py:
4 periods, floors and budgets both binding), in the same run:

- the whole-instance LP relaxation solved by HiGHS in a child process (killed after
  --lp-limit seconds), the reference bound when it finishes;
- the plain score/cost greedy;
- the optimiser as it is at git ref --baseline (extracted with `git archive` into a
  temporary package and imported beside this one), then this tree's optimiser.

Each solver runs in a forked child, so the peak memory printed is its own
(process and HiGHS grandchildren, max RSS). The gap is measured against the lowest
proven bound available (the LP when solved, else the lower of the two optimisers'
own bounds, each valid by weak duality). `uptime`'s load average is printed before
and after each n: the machine is shared, and wall-clock figures scale with it.
"""

import argparse
import importlib
import multiprocessing as mp
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from gaizao.programme.optimiser import greedy, highs, instance_from_dict, solve  # noqa: E402
from gaizao.programme.optimiser.pricing import penalty_for  # noqa: E402
from gaizao.programme.optimiser.problem import build_problem  # noqa: E402
from gaizao.programme.optimiser.synthetic import synthetic  # noqa: E402


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def baseline_package(ref: str):
    """The optimiser package at git ref `ref`, imported as `optimiser_baseline`."""
    tmp = Path(tempfile.mkdtemp(prefix="planner-baseline-"))
    path = "gaizao/programme/optimiser"
    tar = subprocess.run(
        ["git", "-C", str(ROOT), "archive", ref, path], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(tmp)], input=tar, check=True)
    (tmp / path).rename(tmp / "optimiser_baseline")
    sys.path.insert(0, str(tmp))
    return importlib.import_module("optimiser_baseline")


def _in_child(fn, send):
    out = fn()
    out["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out["highs_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    send.send(out)
    send.close()


def forked(fn) -> dict:
    ctx = mp.get_context("fork")
    recv, send = ctx.Pipe(duplex=False)
    p = ctx.Process(target=_in_child, args=(fn, send))
    p.start()
    send.close()
    out = recv.recv()
    p.join()
    return out


def summary(res) -> dict:
    return {
        "seconds": res.seconds,
        "objective": res.objective,
        "bound": res.bound,
        "status": res.status,
        "short": [(str(s.period), s.constraint, s.amount) for s in res.shortfalls],
        # a bound for the instance as given (the reported one is for the targets
        # lowered to what the plan reaches when a floor is missed)
        "instance_bound": res.stats.get("instance_bound"),
    }


def full_lp(inst, limit) -> dict:
    P = build_problem(inst)
    m = highs.build_core(
        P, np.flatnonzero(P.free), np.arange(P.T), np.where(P.free, -1, P.lock), penalty_for(P)
    )
    t0 = time.perf_counter()
    res = highs.solve_core(m, integer=False, time_limit=limit, grace=2.0)
    secs = time.perf_counter() - t0
    if res is None or res.get("x") is None or res["status"] != "Optimal":
        return {"lp": None, "seconds": secs}
    return {"lp": P.unscale_objective(res["obj"] + m.offset), "seconds": secs}


def row(name: str, r: dict, ref: float | None) -> str:
    gap = (ref - r["objective"]) / abs(r["objective"]) if ref and r["objective"] else None
    floors = (
        "floors met"
        if not r["short"]
        else "short: " + "; ".join(f"{p} {c} {a:,.0f}" for p, c, a in r["short"])
    )
    mem = f"{r['rss_mb']:,.0f}/{r['highs_mb']:,.0f} MB" if "rss_mb" in r else ""
    return (
        f"  {name:24s} {r['seconds']:6.2f} s  objective {r['objective']:>16,.2f}  "
        f"gap {'—' if gap is None else f'{100 * gap:.5f} %':>10s}  {r['status']:26s} {mem:14s} {floors}"
    )


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, nargs="+", required=True)
    ap.add_argument("--time-limit", type=float, default=None)
    ap.add_argument("--lp-limit", type=float, default=90.0)
    ap.add_argument("--baseline", default="main", help="git ref of the previous optimiser")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()
    old = baseline_package(args.baseline) if args.baseline else None
    for n in args.n:
        limit = args.time_limit or (10.0 if n <= 5000 else 20.0)
        data = synthetic(n, seed=args.seed)
        inst = instance_from_dict(data)
        print(f"n = {n:,} compounds, 4 periods, seed {args.seed}, time limit {limit:g} s")
        print(f"  load average before: {load()}")
        lp = forked(lambda inst=inst: full_lp(inst, args.lp_limit)) if args.lp_limit > 0 else None
        runs = [("greedy score/cost", forked(lambda inst=inst: summary(greedy(inst))))]
        for k in range(args.repeat):
            tag = f" #{k + 1}" if args.repeat > 1 else ""
            if old is not None:
                old_inst = old.instance_from_dict(data)
                runs.append(
                    (
                        f"previous ({args.baseline}){tag}",
                        forked(lambda i=old_inst, s=limit: summary(old.solve(i, time_limit=s))),
                    )
                )
            runs.append(
                (f"optimiser{tag}", forked(lambda i=inst, s=limit: summary(solve(i, time_limit=s))))
            )
        bounds = [r["bound"] for name, r in runs if r.get("bound") is not None and not r["short"]]
        bounds += [r["instance_bound"] for name, r in runs if r.get("instance_bound") is not None]
        if lp and lp["lp"] is not None:
            ref, how = (
                lp["lp"],
                f"LP relaxation {lp['lp']:,.3f} (HiGHS, whole instance, {lp['seconds']:.1f} s)",
            )
        elif bounds:
            ref = min(bounds)
            how = f"lowest optimiser bound {ref:,.3f} (LP not solved in {args.lp_limit:g} s)"
        else:
            ref, how = None, "no proven bound"
        print(f"  reference: {how}")
        for name, r in runs:
            print(row(name, r, ref))
        for name, r in runs[1:]:
            if r.get("bound") is not None:
                print(f"  {name:24s} own bound {r['bound']:,.3f}")
        print(f"  load average after: {load()}", flush=True)


if __name__ == "__main__":
    main()
