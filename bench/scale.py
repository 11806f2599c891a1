"""Synthetic province or country for scale measurements (issue 14, item 6).

    .venv/bin/python bench/scale.py --compounds 50000 [--units-per-compound 150]
        [--database postgres://postgres@127.0.0.1:5432/gz_scale] [--fresh]

Builds, separately from the demo, a realistic jurisdiction: a province of
cities, districts, streets and communities with 12-digit statistics codes,
compounds with buildings, units, owners and a survey with a rating for every
facility. Writes straight to the tables: COPY on PostgreSQL, executemany in
large transactions on SQLite; no model instances, so memory stays flat
(one chunk of compounds at a time) and 50,000 compounds with 7.5 million
units take minutes. Ids are assigned here (after the current maximum), so
every foreign key is known without reading rows back; PostgreSQL sequences
are reset at the end.

Without --database it writes to a throw-away SQLite file in a temp folder
and prints its path. Prints rows per table, seconds and peak memory.
`generate()` is importable by other bench scripts.
"""

import argparse
import json
import operator
import os
import random
import resource
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

NOW = datetime(2026, 6, 1, 9, 0, 0)


def _setup(database: str | None) -> str | None:
    """Point Django at the target database before it is configured."""
    tmp = None
    if database:
        os.environ["DATABASE_URL"] = database
    else:
        tmp = tempfile.mkdtemp(prefix="gaizao-scale-")
        os.environ["GAIZAO_DATA_DIR"] = tmp
        os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 40)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gaizao.settings")
    import django

    django.setup()
    return tmp


class Writer:
    """Rows in the model's column order → the table, by COPY or executemany."""

    def __init__(self, connection):
        self.conn = connection
        self.pg = connection.vendor == "postgresql"
        self.counts: dict[str, int] = {}
        self._ids: dict[str, int] = {}
        self._plans: dict = {}

    def next_id(self, model) -> int:
        table = model._meta.db_table
        if table not in self._ids:
            with self.conn.cursor() as c:
                c.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
                self._ids[table] = c.fetchone()[0]
        self._ids[table] += 1
        return self._ids[table]

    def columns(self, model) -> list:
        return list(model._meta.concrete_fields)

    def _plan(self, model):
        """Per column: its attname and the value when a row does not give one
        (worked out once per model, not per row)."""
        plan = self._plans.get(model)
        if plan is None:
            plan = []
            for f in self.columns(model):
                if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                    # Formatted once for SQLite (its adapter would do it a row).
                    d = NOW if self.pg else NOW.isoformat(" ")
                elif f.has_default():
                    d = f.get_default()
                elif f.null:
                    d = None
                else:
                    d = ""  # CharField/TextField without a default
                plan.append((f.attname, self._db(d)))
            self._plans[model] = plan
        return plan

    def _db(self, v):
        # Decimal, date and datetime pass as they are: psycopg adapts them,
        # and Django registers sqlite3 adapters for them.
        if isinstance(v, (dict, list)):
            return json.dumps(v, ensure_ascii=False)
        return v

    def template(self, model, keys: tuple[str, ...]):
        """A function of the values of `keys` (in that order) -> the full
        row: one itemgetter call a row instead of a loop over columns."""
        plan = self._plan(model)
        missing = set(keys) - {a for a, _ in plan}
        if missing:
            raise ValueError(f"{model.__name__} has no column {missing}")
        consts = tuple(d for _, d in plan)
        idx = [keys.index(a) if a in keys else len(keys) + j for j, (a, _) in enumerate(plan)]
        getter = operator.itemgetter(*idx)
        return lambda *vals: getter(vals + consts)

    def row(self, model, values: dict) -> tuple:
        db = self._db
        return tuple(db(values[a]) if a in values else d for a, d in self._plan(model))

    def write(self, model, rows: list[tuple]) -> None:
        if not rows:
            return
        table = model._meta.db_table
        cols = [f.column for f in self.columns(model)]
        with self.conn.cursor() as c:
            if self.pg:
                raw = c.cursor  # psycopg 3 cursor under Django's wrapper
                with raw.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
                    for r in rows:
                        copy.write_row(r)
            else:
                marks = ", ".join(["%s"] * len(cols))
                c.executemany(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks})", rows)
        self.counts[table] = self.counts.get(table, 0) + len(rows)

    def reset_sequences(self, models) -> None:
        from django.core.management.color import no_style

        if not self.pg:
            return
        with self.conn.cursor() as c:
            for sql in self.conn.ops.sequence_reset_sql(no_style(), models):
                c.execute(sql)


def _areas(w: Writer, Area, n_compounds: int, rng: random.Random):
    """A province (53, 云南) with enough streets for n compounds (~40 a street,
    4 communities a street, 10 streets a district, 8 districts a city)."""
    n_streets = max(1, n_compounds // 40)
    n_districts = max(1, -(-n_streets // 10))
    n_cities = max(1, -(-n_districts // 8))
    rows, streets = [], []

    def add(code, name, level, parent):
        pk = w.next_id(Area)
        digits = {"province": 2, "city": 4, "district": 6, "street": 9, "community": 12}[level]
        rows.append(
            w.row(
                Area,
                {
                    "id": pk,
                    "code": code,
                    "name": name,
                    "level": level,
                    "parent_id": parent,
                    "prefix": code[:digits],
                },
            )
        )
        return pk

    province = add("530000000000", "云南省(模拟)", "province", None)
    made = 0
    for ci in range(1, n_cities + 1):
        city = add(f"53{ci:02d}00000000", f"模拟{ci}市", "city", province)
        for di in range(1, 9):
            if made >= n_districts:
                break
            made += 1
            district = add(f"53{ci:02d}{di:02d}000000", f"模拟{ci}市{di}区", "district", city)
            for si in range(1, 11):
                if len(streets) >= n_streets:
                    break
                code = f"53{ci:02d}{di:02d}{si:03d}"
                street = add(code + "000", f"第{len(streets) + 1}街道", "street", district)
                comms = [
                    add(f"{code}{k:03d}", f"第{len(streets) + 1}街道{k}社区", "community", street)
                    for k in range(1, 5)
                ]
                streets.append((street, comms))
    w.write(Area, rows)
    return streets


def generate(n_compounds: int, *, units_per_compound: int = 150, seed: int = 2020) -> dict:
    """Write the jurisdiction; return counts and timings."""
    from django.db import connection, transaction

    from gaizao.inventory.facilities import FACILITIES
    from gaizao.inventory.models import Building, Compound, Condition, Owner, Survey, Unit
    from gaizao.inventory.scoring import condition_score
    from gaizao.regions.models import Area

    rng = random.Random(seed)
    w = Writer(connection)
    with connection.cursor() as c:
        if w.pg:
            # Bulk load into a benchmark database: ids are consistent by
            # construction, so the foreign-key triggers are skipped (needs a
            # superuser, as the local postgres role is), and commits do not
            # wait for the disk.
            c.execute("SET session_replication_role = replica")
            c.execute("SET synchronous_commit = off")
        else:
            c.execute("PRAGMA synchronous=OFF")
    t0 = time.perf_counter()
    with transaction.atomic():
        streets = _areas(w, Area, n_compounds, rng)
    ratings = ["good", "worn", "broken", "missing"]
    owner_row = w.template(Owner, ("id", "compound_id", "name", "phone"))
    unit_row = w.template(
        Unit, ("id", "building_id", "entrance", "number", "floor", "exclusive_area", "owner_id")
    )
    condition_row = w.template(Condition, ("id", "survey_id", "facility", "rating"))
    chunk = 500
    for start in range(0, n_compounds, chunk):
        comp, bld, own, unit, surv, cond = [], [], [], [], [], []
        for i in range(start, min(start + chunk, n_compounds)):
            street, comms = streets[i % len(streets)]
            cid = w.next_id(Compound)
            n_units = max(6, int(rng.gauss(units_per_compound, units_per_compound / 3)))
            per_building = rng.choice([12, 18, 24, 36])
            n_buildings = max(1, -(-n_units // per_building))
            built = rng.randint(1965, 2005)
            lat = Decimal("25.0") + Decimal(rng.randint(-9000, 9000)) / 10000
            lon = Decimal("102.7") + Decimal(rng.randint(-9000, 9000)) / 10000
            comp.append(
                w.row(
                    Compound,
                    {
                        "id": cid,
                        "name": f"模拟{cid}号小区",
                        "street_id": street,
                        "community_id": rng.choice(comms),
                        "address": f"模拟路{cid}号",
                        "built_year": built,
                        "floor_area": Decimal(n_units * rng.randint(55, 90)),
                        "building_count": n_buildings,
                        "households": n_units,
                        "is_single_building": n_buildings == 1,
                        "in_main_urban_area": rng.random() < 0.8,
                        "management_status": rng.choice(
                            ["none", "property_company", "self_governance", "property_rights_unit"]
                        ),
                        "in_shantytown_plan": False,
                        "is_urban_village": False,
                        "latitude": lat,
                        "longitude": lon,
                    },
                )
            )
            left = n_units
            for b in range(1, n_buildings + 1):
                bid = w.next_id(Building)
                here = min(per_building, left)
                left -= here
                bld.append(
                    w.row(
                        Building,
                        {
                            "id": bid,
                            "compound_id": cid,
                            "number": f"{b}栋",
                            "floors": 6,
                            "entrances": 2,
                            "built_year": built,
                        },
                    )
                )
                for k in range(here):
                    oid = w.next_id(Owner)
                    own.append(owner_row(oid, cid, f"业主{oid}", f"139{oid % 100000000:08d}"))
                    floor = k // 2 % 6 + 1
                    unit.append(
                        unit_row(
                            w.next_id(Unit),
                            bid,
                            str(k % 2 + 1),
                            f"{floor}{k // 12 + 1:02d}",
                            floor,
                            Decimal(rng.randint(4500, 9500)) / 100,
                            oid,
                        )
                    )
            r = {f.code: rng.choice(ratings) for f in FACILITIES}
            sid = w.next_id(Survey)
            surv.append(
                w.row(
                    Survey,
                    {
                        "id": sid,
                        "compound_id": cid,
                        "surveyed_on": date(2026, 6, 1) - timedelta(days=rng.randint(0, 500)),
                        "score": condition_score(r),
                    },
                )
            )
            for code, rating in r.items():
                cond.append(condition_row(w.next_id(Condition), sid, code, rating))
        # One short transaction per chunk: readers (and SQLite's lock) wait
        # for one chunk at most.
        with transaction.atomic():
            for model, rows in (
                (Compound, comp),
                (Building, bld),
                (Owner, own),
                (Unit, unit),
                (Survey, surv),
                (Condition, cond),
            ):
                w.write(model, rows)
    w.reset_sequences([Area, Compound, Building, Owner, Unit, Survey, Condition])
    # The raw writes bypass the services: derive the kept per-compound
    # summary (disclosure.facts) once, in chunks, as `gaizao summaries
    # --rebuild` does.
    from gaizao.disclosure.facts import rebuild
    from gaizao.inventory import latest

    t1 = time.perf_counter()
    latest.refresh()
    rebuild()
    summary_s = time.perf_counter() - t1
    return {
        "summary_seconds": summary_s,
        "seconds": time.perf_counter() - t0,
        "rows": w.counts,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def works_stages(rng, user, area, compounds):
    """A fifth of the compounds with an approved plan and a programme batch
    entry; half of those started, a quarter completed (issue 11's figures).
    Bulk inserts send no signal: the caller derives the kept summaries."""
    from gaizao.plans.models import FundingLine, Plan
    from gaizao.programme.models import Batch, Entry, Programme
    from gaizao.works.models import CostEntry, Milestone, Works, WorksItem

    chosen = rng.sample(compounds, len(compounds) // 5)
    plans = Plan.objects.bulk_create(
        [
            Plan(
                compound=c,
                year=2025,
                status="approved",
                created_by=user,
                total_cost=Decimal(900000),
            )
            for c in chosen
        ],
        batch_size=2000,
    )
    FundingLine.objects.bulk_create(
        [FundingLine(plan=p, source="central_subsidy", amount=Decimal(600000)) for p in plans]
        + [FundingLine(plan=p, source="resident", amount=Decimal(300000)) for p in plans],
        batch_size=5000,
    )
    prog = Programme.objects.create(name="bench", area=area)
    batch = Batch.objects.create(
        programme=prog, name="2025", starts_on=date(2025, 1, 1), ends_on=date(2025, 12, 31)
    )
    Entry.objects.bulk_create(
        [
            Entry(programme=prog, compound=c, batch=batch, cost_yuan=Decimal(900000),
                  area_m2=c.floor_area, households=c.households)
            for c in chosen
        ],
        batch_size=5000,
    )  # fmt: skip
    started = [(c, p) for c, p in zip(chosen, plans, strict=True)][: len(chosen) // 2]
    works = Works.objects.bulk_create(
        [Works(plan=p, compound=c, name=c.name) for c, p in started], batch_size=2000
    )
    ms, items = [], []
    for i, w in enumerate(works):
        ms.append(Milestone(works=w, stage="start", seq=3, actual_on=date(2025, 3, 1 + i % 28)))
        done = date(2025, 9, 1) if i % 2 else None
        ms.append(
            Milestone(
                works=w, stage="completion", seq=4, planned_on=date(2025, 9, 1), actual_on=done
            )
        )
        items.append(WorksItem(works=w, name="供水管", unit="m", quantity=100, budget=100000))
    Milestone.objects.bulk_create(ms, batch_size=5000)
    items = WorksItem.objects.bulk_create(items, batch_size=5000)
    CostEntry.objects.bulk_create(
        [CostEntry(works=it.works, item=it, source="central_subsidy", kind="paid",
                   amount=Decimal(200000), on=date(2025, 4, 1)) for it in items],
        batch_size=5000,
    )  # fmt: skip


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--compounds", type=int, default=5000)
    p.add_argument("--units-per-compound", type=int, default=150)
    p.add_argument("--database", help="DATABASE_URL (default: a temp SQLite file)")
    p.add_argument(
        "--fresh", action="store_true", help="drop and re-create the PostgreSQL database"
    )
    p.add_argument("--seed", type=int, default=2020)
    a = p.parse_args()
    if a.fresh and a.database and a.database.startswith("postgres"):
        import psycopg

        base, name = a.database.rsplit("/", 1)
        with psycopg.connect(base + "/postgres", autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}"')
            c.execute(f'CREATE DATABASE "{name}"')
    tmp = _setup(a.database)
    from django.core.management import call_command

    t = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrate_s = time.perf_counter() - t
    out = generate(a.compounds, units_per_compound=a.units_per_compound, seed=a.seed)
    from django.db import connection

    print(f"database: {connection.vendor} {a.database or Path(tmp) / 'gaizao.sqlite3'}")
    print(f"migrate: {migrate_s:.1f} s")
    for table, n in out["rows"].items():
        print(f"  {table:<24} {n:>12,}")
    total = sum(out["rows"].values())
    print(
        f"generated {total:,} rows in {out['seconds']:.1f} s "
        f"({total / out['seconds']:,.0f} rows/s), peak memory {out['peak_mb']:.0f} MB"
    )
    print(
        f"  of which the kept summary (gaizao summaries --rebuild): {out['summary_seconds']:.1f} s"
    )


if __name__ == "__main__":
    main()
