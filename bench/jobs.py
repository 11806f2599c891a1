"""Memory of the long jobs as the jurisdiction grows (issue 14, item 3).

    .venv/bin/python bench/jobs.py [--sizes 2000 10000] [--keep]

For each size, builds a synthetic province with bench/scale.py's generator
in a throw-away SQLite database, then runs each piece of work in a fresh
child process and reads the child's peak resident memory (ru_maxrss) and
wall time:

- `floor`      Django set up, the app's modules and URLs loaded, one query
               (what the worker or a web process holds anyway): the baseline
               every other figure is measured against, in the same run;
- `evaluate`   the whole province's eligibility, as `gaizao eligibility
               --area` and the job run it (chunks of 500, one short
               transaction each);
- `one-pass`   the same evaluation the way it was before: every compound's
               facts and verdicts in memory, stored in one transaction;
- `export`     the compound export job (export_compounds_task: rows
               streamed from the database into a write-only workbook saved
               to a temporary file and copied into the job's file);
- `export-bytes` the export as the in-request download builds it (bytes).

Flat means the figure above the floor does not grow with the data: the
printed ratio (largest size / smallest) should stay near 1 for `evaluate`
and `export`, while `one-pass` grows with the compounds.
"""

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MODES = ["floor", "evaluate", "one-pass", "export", "export-bytes"]
PROVINCE = "530000000000"  # bench/scale.py's province


def _django(data: str):
    os.environ["GAIZAO_DATA_DIR"] = data
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("GAIZAO_TESTING", None)
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 40)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gaizao.settings")
    import django

    django.setup()


def build(data: str, n: int) -> None:
    _django(data)
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from bench.scale import generate
    from gaizao.eligibility.services import ensure_builtin_policies

    call_command("migrate", verbosity=0)
    generate(n, units_per_compound=6)
    ensure_builtin_policies()
    get_user_model().objects.create_superuser("bench", password="x" * 12)


def child(mode: str, data: str) -> dict:
    _django(data)
    import openpyxl  # noqa: F401  (imported by every mode: part of the floor)
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.urls import get_resolver

    from gaizao.core.models import Job
    from gaizao.eligibility import evaluation, selectors
    from gaizao.inventory import exporting, tasks
    from gaizao.inventory.models import Compound
    from gaizao.regions.models import Area

    # The whole app loaded, as in the worker or a web process (the export
    # reverses URLs): imports are part of the floor, not of the work.
    get_resolver().url_patterns  # noqa: B018
    area = Area.objects.get(code=PROVINCE)
    n = Compound.objects.count()
    t = time.perf_counter()
    if mode == "evaluate":
        evaluation.evaluate_area(actor=None, area=area, source="cli")
    elif mode == "one-pass":
        with transaction.atomic():
            results = selectors.compute(evaluation.area_compounds(actor=None, area=area))
            evaluation.store_verdicts(results, actor=None)
    elif mode == "export":
        user = get_user_model().objects.get(username="bench")
        job = Job.objects.create(user=user, kind="inventory.export", title="bench")
        tasks.export_compounds_task.call(job_id=job.pk, user_id=user.pk, query="")
        job.refresh_from_db()
        assert job.status == Job.Status.DONE and job.total == n, job.message
    elif mode == "export-bytes":
        data_ = exporting.export_compounds_xlsx(Compound.objects.all())
        assert data_
    elif mode != "floor":
        raise SystemExit(f"unknown mode {mode}")
    return {
        "n": n,
        "seconds": time.perf_counter() - t,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _run(*args) -> str:
    r = subprocess.run(
        [sys.executable, __file__, *args], capture_output=True, text=True, cwd=ROOT, check=False
    )
    if r.returncode:
        raise SystemExit(f"{' '.join(args)} failed:\n{r.stderr[-3000:]}")
    return r.stdout


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", type=int, nargs="+", default=[2000, 10000])
    p.add_argument("--keep", action="store_true", help="keep the databases")
    p.add_argument("--child", choices=["build", *MODES], help=argparse.SUPPRESS)
    p.add_argument("--data", help=argparse.SUPPRESS)
    p.add_argument("--compounds", type=int, help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.child == "build":
        build(a.data, a.compounds)
        return
    if a.child:
        print(json.dumps(child(a.child, a.data)))
        return

    print(f"load average before: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}")
    figures: dict[int, dict[str, dict]] = {}
    for n in a.sizes:
        data = tempfile.mkdtemp(prefix=f"gaizao-jobs-{n}-")
        try:
            t = time.perf_counter()
            _run("--child", "build", "--data", data, "--compounds", str(n))
            print(f"{n:,} compounds built in {time.perf_counter() - t:.0f} s ({data})")
            figures[n] = {}
            for mode in MODES:
                figures[n][mode] = json.loads(_run("--child", mode, "--data", data))
        finally:
            if not a.keep:
                shutil.rmtree(data, ignore_errors=True)

    print()
    head = f"{'work':<14}" + "".join(f"{f'{n:,} cpds':>26}" for n in a.sizes)
    print(head + f"{'growth above floor':>22}")
    print(f"{'':<14}" + "".join(f"{'peak MB (+floor)   s':>26}" for _n in a.sizes))
    for mode in MODES:
        row = f"{mode:<14}"
        above = []
        for n in a.sizes:
            f, floor = figures[n][mode], figures[n]["floor"]["rss_mb"]
            above.append(f["rss_mb"] - floor)
            extra = "" if mode == "floor" else f"(+{f['rss_mb'] - floor:.0f})"
            row += f"{f['rss_mb']:>11.0f} {extra:>7} {f['seconds']:>6.1f}"
        if mode != "floor":
            ratio = above[-1] / above[0] if above[0] > 0 else float("nan")
            row += f"{ratio:>16.2f}×"
        print(row)
    print(f"load average after: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}")


if __name__ == "__main__":
    main()
