"""Throughput of every staff list page, the portal and the API lists at 32
concurrent clients (issue 14), beside two baselines measured in the same
run: a view returning "ok" (the stack's ceiling) and a naive Django
ListView of the same 50 compounds.

    .venv/bin/python bench/throughput.py [--compounds 5000]
        [--database postgres://postgres@127.0.0.1:5432/gz_bench] [--clients 32]
        [--seconds 10] [--workers 2] [--only list,detail]

Builds the data with bench/scale.py (a fresh database), starts gunicorn
(DEBUG off, `--workers` sync workers) and drives each page with wrk
(Debian package wrk) as a province-level leadership user. Prints req/s,
p50 and p95 (ms), and req/s as a multiple of the naive ListView's. The
machine is shared and noisy: read the ratios.
"""

import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE / "site"))

LUA = """
done = function(summary, latency, requests)
  io.write(string.format("P50 %d\\nP95 %d\\nERR %d\\n", latency:percentile(50),
    latency:percentile(95), summary.errors.status + summary.errors.connect
    + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""


def pages(ids: dict) -> list[tuple[str, str, bool]]:
    """(name, path, logged in)."""
    s = ids["street"]
    return [
        ("ok (ceiling)", "/bench/ok", False),
        ("naive ListView", "/bench/naive", True),
        ("compound list", "/compounds/", True),
        ("compound list, filtered", f"/compounds/?street={s}&built_from=1970&built_to=1995", True),
        ("compound list, search", "/compounds/?q=100", True),
        ("compound detail", f"/compounds/{ids['compound']}/", True),
        ("map data", "/compounds/map/data.json", True),
        ("reserve", "/eligibility/", True),
        ("plan list", "/plans/", True),
        ("programme list", "/programme/", True),
        ("works list", "/works/", True),
        ("responsibility", "/works/responsibility/", True),
        ("feedback queue", "/participate/feedback/queue/", True),
        ("dashboard", "/dashboard/", True),
        ("public portal", "/public/", False),
        ("home", "/", True),
        ("API compounds", "/api/v1/compounds?limit=50", True),
    ]


def wrk(url, cookie, clients, seconds, lua) -> dict:
    cmd = ["wrk", "-t2", f"-c{clients}", f"-d{seconds}s", "--timeout", "30s", "-s", lua, url]
    if cookie:
        cmd[1:1] = ["-H", f"Cookie: sessionid={cookie}"]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return {
        "rps": rps,
        "p50": int(re.search(r"P50 (\d+)", out).group(1)) / 1000,
        "p95": int(re.search(r"P95 (\d+)", out).group(1)) / 1000,
        "bad": int(non2xx.group(1)) if non2xx else 0,
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--compounds", type=int, default=5000)
    ap.add_argument("--database")
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--port", type=int, default=8190)
    ap.add_argument("--only", help="comma-separated words a page name must contain")
    a = ap.parse_args()

    if a.database and a.database.startswith("postgres"):
        import psycopg

        base, name = a.database.rsplit("/", 1)
        with psycopg.connect(base + "/postgres", autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}"')
            c.execute(f'CREATE DATABASE "{name}"')
    os.environ["DEBUG"] = "0"
    os.environ["ALLOWED_HOSTS"] = "127.0.0.1,localhost,testserver"
    import scale

    tmp = scale._setup(a.database)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    t0 = time.perf_counter()
    scale.generate(a.compounds)
    print(f"{a.compounds:,} compounds generated in {time.perf_counter() - t0:.0f} s")

    from django.test import Client

    from gaizao.accounts.models import Role
    from gaizao.inventory.models import Compound
    from gaizao.regions.models import Area
    from gaizao.testing import make_user

    province = Area.objects.get(level="province")
    user = make_user("bench_province", Role.LEADERSHIP, area=province)
    c = Client()
    c.force_login(user)
    cookie = c.cookies["sessionid"].value
    first = Compound.objects.order_by("pk").first()
    ids = {"street": first.street_id, "compound": first.pk}
    from django.db import connections

    connections.close_all()

    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "bench_settings"
    env["PYTHONPATH"] = os.pathsep.join([str(HERE / "site"), str(ROOT)])
    if tmp:
        env["GAIZAO_DATA_DIR"] = tmp
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "--workers",
            str(a.workers),
            "--bind",
            f"127.0.0.1:{a.port}",
            "--log-level",
            "warning",
            "gaizao.wsgi:application",
        ],
        env=env,
        cwd=ROOT,
    )
    try:
        base = f"http://127.0.0.1:{a.port}"
        for _ in range(100):
            try:
                import urllib.request

                urllib.request.urlopen(base + "/bench/ok", timeout=1)
                break
            except Exception:
                time.sleep(0.2)
        lua = Path(tempfile.mkstemp(suffix=".lua")[1])
        lua.write_text(LUA)
        load = os.getloadavg()[0]
        print(
            f"gunicorn {a.workers} workers, {a.clients} clients, {a.seconds} s a page, "
            f"load average {load:.1f} at start"
        )
        print(f"{'page':<26}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'× naive':>9}{'non-2xx':>9}")
        naive = None
        wanted = [w for w in (a.only or "").split(",") if w]
        for name, path, logged_in in pages(ids):
            base_page = name.startswith(("ok", "naive"))
            if wanted and not base_page and not any(w in name for w in wanted):
                continue
            wrk(base + path, cookie if logged_in else None, a.clients, 2, str(lua))  # warm up
            r = wrk(base + path, cookie if logged_in else None, a.clients, a.seconds, str(lua))
            if name.startswith("naive"):
                naive = r["rps"]
            ratio = f"{r['rps'] / naive:.2f}" if naive else "—"
            print(
                f"{name:<26}{r['rps']:>8.0f}{r['p50']:>9.1f}{r['p95']:>9.1f}{ratio:>9}{r['bad']:>9}"
            )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
