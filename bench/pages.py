"""Page benchmark: the compound list and detail pages over 5,000 compounds,
and (issue 11) the leadership dashboard, the one map's data by viewport and
the public portal, timed in the same run beside the list/detail baseline.

    .venv/bin/python bench/pages.py [--compounds 5000] [--requests 200]

Builds a throw-away SQLite database in a temp dir (DEBUG off, like
production), fills it with a compact deterministic generator (bulk_create),
then times requests through django.test.Client as a district user and prints
p50/p95 in ms. Target: p95 ≤ 150 ms for each page.
"""

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
TMP = tempfile.mkdtemp(prefix="gaizao-bench-")
os.environ["GAIZAO_DATA_DIR"] = TMP
os.environ["DEBUG"] = "0"
os.environ["ALLOWED_HOSTS"] = "testserver"
os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 40)
os.environ.pop("DATABASE_URL", None)
os.environ["DJANGO_SETTINGS_MODULE"] = "gaizao.settings"

import django  # noqa: E402
import django.conf  # noqa: E402

django.setup()

import scale  # noqa: E402  (bench/scale.py, beside this file)
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

STREETS = ["金辰", "青云", "鼓楼", "东华", "拓东", "联盟"]
UNITS_PER_BUILDING = 50
BASELINE = {"list, page 1", "list, filtered", "list, search (htmx)", "detail"}


def generate(n: int, seed: int = 2020):
    from gaizao import testing
    from gaizao.accounts.models import Role
    from gaizao.inventory import latest
    from gaizao.inventory.facilities import FACILITIES
    from gaizao.inventory.models import Building, Compound, Condition, Owner, Survey, Unit
    from gaizao.inventory.scoring import condition_score
    from gaizao.regions.models import Area

    rng = random.Random(seed)
    city = Area.objects.create(code="530100000000", name="昆明市", level="city")
    district = Area.objects.create(
        code="530103000000", name="盘龙区", level="district", parent=city
    )
    streets, communities = [], {}
    for i, name in enumerate(STREETS, start=1):
        s = Area.objects.create(
            code=f"530103{i:03d}000", name=f"{name}街道", level="street", parent=district
        )
        streets.append(s)
        communities[s.pk] = [
            Area.objects.create(
                code=f"530103{i:03d}{k:03d}",
                name=f"{name}第{k}社区居委会",
                level="community",
                parent=s,
            )
            for k in range(1, 5)
        ]
    compounds = []
    for i in range(n):
        s = rng.choice(streets)
        compounds.append(
            Compound(
                name=f"{s.name[:2]}{i:05d}号小区",
                street=s,
                community=rng.choice(communities[s.pk]),
                address=f"{s.name[:2]}路{i}号",
                built_year=rng.randint(1960, 2004),
                floor_area=Decimal(rng.randint(2000, 60000)),
                households=rng.randint(20, 600),
                building_count=rng.randint(1, 3),
                in_main_urban_area=True,
                management_status=rng.choice(["none", "property_company", "self_governance"]),
                latitude=Decimal("25.05") + Decimal(rng.randint(-300, 300)) / 10000,
                longitude=Decimal("102.73") + Decimal(rng.randint(-300, 300)) / 10000,
            )
        )
    Compound.objects.bulk_create(compounds, batch_size=1000)
    buildings = [
        Building(compound=c, number=f"{k}栋", floors=6, entrances=2)
        for c in compounds
        for k in range(1, c.building_count + 1)
    ]
    Building.objects.bulk_create(buildings, batch_size=2000)
    # 50 units a building, about 100 a compound: 500,000 units at 5,000
    # compounds (issue 11's size), written a thousand buildings at a time.
    per = UNITS_PER_BUILDING
    for start in range(0, len(buildings), 1000):
        part = buildings[start : start + 1000]
        owners = [
            Owner(compound=b.compound, name=f"业主{start + i}", phone="13800000000")
            for i, b in enumerate(part)
            for _ in range(per)
        ]
        Owner.objects.bulk_create(owners, batch_size=5000)
        units = [
            Unit(
                building=b,
                entrance="1",
                number=f"{k + 1:02d}",
                exclusive_area=Decimal("65.5"),
                owner=owners[i * per + k],
            )
            for i, b in enumerate(part)
            for k in range(per)
        ]
        Unit.objects.bulk_create(units, batch_size=5000)
    today = date(2026, 6, 1)
    surveys, ratings_of = [], []
    for c in compounds:
        r = {f.code: rng.choice(["good", "worn", "broken", "missing"]) for f in FACILITIES}
        surveys.append(
            Survey(
                compound=c,
                surveyed_on=today - timedelta(days=rng.randint(0, 500)),
                score=condition_score(r),
            )
        )
        ratings_of.append(r)
    Survey.objects.bulk_create(surveys, batch_size=2000)
    latest.refresh()
    Condition.objects.bulk_create(
        [
            Condition(survey=s, facility=k, rating=v)
            for s, r in zip(surveys, ratings_of, strict=True)
            for k, v in r.items()
        ],
        batch_size=5000,
    )
    user = testing.make_user("bench_district", Role.LEADERSHIP, area=district)
    scale.works_stages(rng, user, district, compounds)
    # Bulk inserts send no signal: derive the kept summary once (gaizao
    # summaries --rebuild), as the demo and bench/scale.py do.
    from gaizao.disclosure.facts import rebuild

    rebuild()
    return user, compounds, streets


def timed(client, urls, n) -> list[float]:
    out = []
    for i in range(n):
        url = urls[i % len(urls)]
        t = time.perf_counter()
        r = client.get(url)
        out.append((time.perf_counter() - t) * 1000)
        if r.status_code != 200:
            raise SystemExit(f"{url}: HTTP {r.status_code}")
    return out


def _counter(sink: list):
    def wrapper(execute, sql, params, many, context):
        sink.append(sql)
        return execute(sql, params, many, context)

    return wrapper


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--compounds", type=int, default=5000)
    ap.add_argument("--requests", type=int, default=200)
    a = ap.parse_args()
    from django.db import connection

    from gaizao.inventory.models import Unit

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    user, compounds, streets = generate(a.compounds)
    print(
        f"database {TMP}: {a.compounds} compounds, {Unit.objects.count():,} units "
        f"generated in {time.perf_counter() - t0:.1f} s"
    )
    c = Client()
    c.force_login(user)
    rng = random.Random(1)
    detail_urls = [f"/compounds/{rng.choice(compounds).pk}/" for _ in range(50)]
    cases = [
        ("list, page 1", ["/compounds/"]),
        (
            "list, filtered",
            [f"/compounds/?street={streets[1].pk}&grade=poor&built_from=1970&built_to=1995&page=2"],
        ),
        ("list, search (htmx)", ["/compounds/?q=00"]),
        ("detail", detail_urls),
        ("map data (all)", ["/compounds/map/data.json"]),
        # Issue 11, measured beside the baseline above.
        ("dashboard", ["/dashboard/"]),
        ("dashboard drill-down", ["/dashboard/compounds/?stage=started"]),
        ("1map data, district", ["/map/data.json?bbox=102.6,24.95,102.9,25.15&zoom=12"]),
        ("1map data, zoom 15", ["/map/data.json?bbox=102.72,25.04,102.74,25.06&zoom=15"]),
        ("1map tile", ["/map/tiles/12/3216/1753.mvt"]),
        ("portal (cached)", ["/public/"]),
        ("portal card (cached)", [f"/public/compounds/{compounds[7].pk}/"]),
        ("open data csv (cached)", ["/public/data/compounds.csv"]),
    ]
    from gaizao.disclosure import basemap

    t1 = time.perf_counter()
    basemap.build(django.conf.settings.GAIZAO_BASEMAP, basemap.layers_from_data())
    print(f"base map built in {time.perf_counter() - t1:.1f} s")
    print(f"{'page':<22}{'n':>5}{'queries':>9}{'p50 ms':>9}{'p95 ms':>9}{'KB':>8}")
    worst = 0.0
    for name, urls in cases:
        timed(c, urls, 5)  # warm caches and the template loader
        q: list[str] = []
        with connection.execute_wrapper(_counter(q)):
            c.get(urls[0])
        n = a.requests if not name.startswith("map") else max(20, a.requests // 10)
        xs = timed(c, urls, n)
        p95 = pct(xs, 95)
        if not name.startswith("map") and name in BASELINE:
            worst = max(worst, p95)
        size = len(c.get(urls[0]).content) / 1024
        print(f"{name:<22}{n:>5}{len(q):>9}{statistics.median(xs):>9.1f}{p95:>9.1f}{size:>8.1f}")
    print(f"worst p95 of list/detail pages: {worst:.1f} ms (target ≤ 150 ms)")
    print("issue 11 targets: p95 ≤ 200 ms; cached portal ≤ 50 ms; map data ≤ ~200 KB")
    connection.close()
    shutil.rmtree(TMP, ignore_errors=True)


if __name__ == "__main__":
    main()
