"""Every staff page, the portal and the API lists as a NATIONAL user (issue
14, "Done means"), on a database built by bench/scale.py, beside two
baselines timed in the same run: a view returning "ok" and a naive Django
ListView of the same 50 compounds (bench/site).

    .venv/bin/python bench/scale.py --compounds 50000 --database URL --fresh
    .venv/bin/python bench/national.py --database URL [--requests 30]
        [--cold 8] [--only list,dashboard]

URL is a PostgreSQL URL or sqlite:////abs/path/gaizao.sqlite3. The first run
adds, if the database has none, a country area above the generated province,
a leadership user of that area (`bench_national`), and the works stages of
bench/pages.py (a fifth of the compounds with an approved plan and a
programme entry, half of those started, a quarter completed), then derives
their kept summaries. Requests go through django.test.Client in this process
(DEBUG off, the local-memory cache).

Two timings a page, p50 and p95 in ms:
- warm: the same request again (cached bodies served from the cache);
- cold: the cache cleared before every request, i.e. the first view after
  any write anywhere (every save bumps the data version, so for a national
  user, whose body covers everything, cold is the usual case on a busy day).
A page whose first cold request takes over 3 s is timed 3 times cold.
Target: p95 ≤ 200 ms for every page at any size.
"""

import argparse
import logging
import os
import random
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE / "site"))


def _setup(database: str) -> None:
    os.environ["DATABASE_URL"] = database
    os.environ["DEBUG"] = "0"
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 40)
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench_settings"
    import django

    django.setup()


def prepare(seed: int = 2020, *, summaries_of_works: bool = True):
    """The country area, the national user and the works stages (once)."""
    import scale
    from django.db import connection, transaction

    from gaizao.accounts.models import Role, User
    from gaizao.core import summaries
    from gaizao.disclosure.models import CompoundFacts
    from gaizao.inventory.models import Compound
    from gaizao.plans.models import Plan
    from gaizao.regions.models import Area
    from gaizao.testing import make_user

    country, _ = Area.objects.get_or_create(
        code="000000000000", defaults={"name": "全国(模拟)", "level": Area.Level.COUNTRY}
    )
    Area.objects.filter(level=Area.Level.PROVINCE, parent=None).update(parent=country)
    user = User.objects.filter(username="bench_national").first()
    if user is None:
        user = make_user("bench_national", Role.LEADERSHIP, area=country)
    t = time.perf_counter()
    if not Plan.objects.exists():
        compounds = list(Compound.objects.only("id", "name", "floor_area", "households"))
        with transaction.atomic():
            scale.works_stages(random.Random(seed), user, country, compounds)
        print(f"works stages added in {time.perf_counter() - t:.0f} s")
    # Fresh planner statistics for the new rows (else PostgreSQL plans the
    # summaries' queries as if plans and works were empty: minutes a chunk
    # at 220,000 compounds), then the kept summaries of the compounds whose
    # row does not say their plan yet (a re-run finishes an interrupted one).
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    stale = list(
        Plan.objects.exclude(
            compound_id__in=CompoundFacts.objects.filter(plan_id__isnull=False).values(
                "compound_id"
            )
        ).values_list("compound_id", flat=True)
    )
    if not summaries_of_works:
        stale = []
    for start in range(0, len(stale), 5000):
        summaries.touch(stale[start : start + 5000])
    if stale:
        print(f"summaries of {len(stale):,} compounds in {time.perf_counter() - t:.0f} s")
    return user


def pages(ids: dict) -> list[tuple[str, str, bool]]:
    """(name, path, logged in). Baselines first."""
    c, s, st = ids["compound"], ids["street"], ids["street_name"]
    return [
        ("ok (baseline)", "/bench/ok", False),
        ("naive ListView (baseline)", "/bench/naive", True),
        ("home", "/", True),
        ("compound list", "/compounds/", True),
        ("compound list, filtered", f"/compounds/?street={s}&built_from=1970&built_to=1995", True),
        ("compound list, search", "/compounds/?q=100", True),
        ("compound list, page 500", "/compounds/?page=500", True),
        ("compound suggest", "/compounds/suggest.json?q=模拟1", True),
        ("street → communities", f"/compounds/communities/?street={s}", True),
        ("compound detail", f"/compounds/{c}/", True),
        ("compound map page", "/compounds/map/", True),
        ("compound map data", "/compounds/map/data.json", True),
        ("import page", "/compounds/import/", True),
        ("reserve", "/eligibility/", True),
        ("reserve, street", f"/eligibility/?area={st}", True),
        ("eligibility of a compound", f"/eligibility/compound/{c}/", True),
        ("policies", "/eligibility/policies/", True),
        ("plan list", "/plans/", True),
        ("plan detail", f"/plans/{ids['plan']}/", True),
        ("catalogue", "/plans/catalogue/", True),
        ("funding rules", "/plans/rules/", True),
        ("clusters", "/plans/clusters/", True),
        ("new cluster", "/plans/clusters/new/", True),
        ("new cluster, street", f"/plans/clusters/new/?street={s}", True),
        ("participation", "/participate/staff/", True),
        ("participation, compound", f"/participate/staff/compound/{c}/", True),
        ("feedback list", "/participate/feedback/", True),
        ("feedback new", "/participate/feedback/new/", True),
        ("feedback queue", "/participate/feedback/queue/", True),
        ("satisfaction list", "/participate/satisfaction/", True),
        ("stewardship", "/stewardship/", True),
        ("works list", "/works/", True),
        ("works detail", f"/works/{ids['works']}/", True),
        ("responsibility", "/works/responsibility/", True),
        ("alerts", "/works/alerts/", True),
        ("organisation", "/works/organisation/", True),
        ("meetings", "/works/organisation/meetings/", True),
        ("programme list", "/programme/", True),
        ("programme board", f"/programme/{ids['programme']}/", True),
        ("programme progress", f"/programme/{ids['programme']}/progress/", True),
        ("dashboard", "/dashboard/", True),
        ("dashboard drill-down", "/dashboard/compounds/?stage=started", True),
        ("dashboard report", "/dashboard/report/", True),
        ("1map page", "/map/", True),
        ("1map page, street", f"/map/?street={s}", True),
        ("1map data, country", "/map/data.json?bbox=73,18,135,54&zoom=4", True),
        ("1map data, zoom 15", "/map/data.json?bbox=102.72,25.04,102.74,25.06&zoom=15", True),
        ("audit trail", "/audit/", True),
        ("jobs", "/jobs/", True),
        ("inbox", "/inbox/", True),
        ("users (reset)", "/accounts/users/", True),
        ("public portal", "/public/", False),
        ("public portal, search", "/public/?q=模拟1", False),
        ("public portal, district", f"/public/?area={ids['district']}", False),
        ("public portal, street", f"/public/?area={s}", False),
        ("portal card", f"/public/compounds/{c}/", False),
        ("open data page", "/public/data/", False),
        ("API areas", "/api/v1/areas?limit=50", True),
        ("API compounds", "/api/v1/compounds?limit=50", True),
        ("API reserve", "/api/v1/eligibility/reserve?limit=50", True),
        ("API clusters", "/api/v1/clusters", True),
        ("API votes", "/api/v1/votes", True),
        ("API feedback", "/api/v1/feedback", True),
        ("API satisfaction", "/api/v1/satisfaction", True),
        ("API programmes", "/api/v1/programmes", True),
        ("API works", "/api/v1/works?limit=50", True),
        ("API late", "/api/v1/responsibility/late", True),
        ("API works progress", f"/api/v1/works-progress?area_id={ids['country']}", True),
        ("API meetings", "/api/v1/meetings", True),
        ("API tasks", "/api/v1/tasks", True),
        ("API inbox", "/api/v1/inbox", True),
    ]


def _counter(sink: list):
    def wrapper(execute, sql, params, many, context):
        sink.append(sql)
        return execute(sql, params, many, context)

    return wrapper


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--database", required=True)
    ap.add_argument("--requests", type=int, default=30, help="warm requests a page")
    ap.add_argument("--cold", type=int, default=8, help="cold requests a page")
    ap.add_argument(
        "--skip-summaries",
        action="store_true",
        help="leave the kept summaries of the works stages stale (when time is short)",
    )
    ap.add_argument("--only", help="comma-separated words a page name must contain")
    a = ap.parse_args()
    _setup(a.database)
    logging.getLogger("django.request").setLevel(logging.ERROR)  # 4xx are in the table

    from django.core.cache import cache
    from django.db import connection
    from django.test import Client

    from gaizao.inventory.models import Compound, Unit
    from gaizao.plans.models import Plan
    from gaizao.programme.models import Programme
    from gaizao.works.models import Works

    user = prepare(summaries_of_works=not a.skip_summaries)
    first = Compound.objects.select_related("street").order_by("pk").first()
    ids = {
        "compound": first.pk,
        "street": first.street_id,
        "street_name": first.street.name,
        "district": first.street.parent_id,
        "plan": Plan.objects.order_by("pk").values_list("pk", flat=True).first(),
        "works": Works.objects.order_by("pk").values_list("pk", flat=True).first(),
        "country": user.area_id,
        "programme": Programme.objects.order_by("pk").values_list("pk", flat=True).first(),
    }
    n_units = "?" if connection.vendor == "postgresql" else f"{Unit.objects.count():,}"
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(
                "SELECT reltuples::bigint FROM pg_class WHERE relname = %s",
                [Unit._meta.db_table],
            )
            row = cur.fetchone()
            n_units = f"~{row[0]:,}" if row else "?"
    print(
        f"{connection.vendor}: {Compound.objects.count():,} compounds, {n_units} units, "
        f"{Plan.objects.count():,} plans, {Works.objects.count():,} works; "
        f"national user {user.username} (area {user.area.name})"
    )
    client = Client()
    client.force_login(user)
    anon = Client()
    wanted = [w for w in (a.only or "").split(",") if w]
    anon.get("/bench/ok")  # the URLconf and the first connection, outside the timings
    print(f"load average {os.getloadavg()[0]:.1f} at start")
    print(
        f"{'page':<28}{'status':>7}{'queries':>8}{'KB':>7}"
        f"{'warm p50':>10}{'warm p95':>10}{'cold p50':>10}{'cold p95':>10}{'n cold':>7}"
    )
    over = []
    for name, path, logged_in in pages(ids):
        base = "baseline" in name
        if wanted and not base and not any(w in name for w in wanted):
            continue
        c = client if logged_in else anon
        cache.clear()
        t = time.perf_counter()
        r = c.get(path)
        first_ms = (time.perf_counter() - t) * 1000
        queries: list[str] = []
        with connection.execute_wrapper(_counter(queries)):
            cache.clear()
            r = c.get(path)
        status, size = r.status_code, len(r.content) / 1024
        cold = []
        n_cold = 3 if first_ms > 3000 else a.cold
        for _ in range(n_cold):
            cache.clear()
            t = time.perf_counter()
            c.get(path)
            cold.append((time.perf_counter() - t) * 1000)
        for _ in range(3):
            c.get(path)
        warm = []
        n_warm = 5 if first_ms > 3000 else a.requests
        for _ in range(n_warm):
            t = time.perf_counter()
            c.get(path)
            warm.append((time.perf_counter() - t) * 1000)
        wp95, cp95 = pct(warm, 95), pct(cold, 95)
        if not base and max(wp95, cp95) > 200:
            over.append(name)
        print(
            f"{name:<28}{status:>7}{len(queries):>8}{size:>7.0f}"
            f"{statistics.median(warm):>10.1f}{wp95:>10.1f}"
            f"{statistics.median(cold):>10.1f}{cp95:>10.1f}{n_cold:>7}",
            flush=True,
        )
    print(f"load average {os.getloadavg()[0]:.1f} at end")
    print(f"over 200 ms p95 (warm or cold): {', '.join(over) or 'none'}")


if __name__ == "__main__":
    main()
