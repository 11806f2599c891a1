"""Bench: concurrent online ballots against a PostgreSQL-backed server.

    .venv/bin/python bench/ballots.py [--units 500] [--duplicates 100] [--clients 50]

1. creates the database bench_ballots on 127.0.0.1:5432 if missing, migrates;
2. builds a compound of N units, one resident per unit with an API token, and
   an open vote (matter 7);
3. serves gaizao with gunicorn on 127.0.0.1:8116 (one worker per CPU, 2–8, × 4 threads);
4. sends one ballot per unit plus D deliberate repeats of random units, in a
   shuffled order, from C concurrent clients (threads, http.client);
5. checks that every accepted ballot (201) is in the database exactly once,
   that every repeat was refused (409) and recorded as a BallotConflict, and
   that the tally counts exactly the accepted ballots; prints the figures.

Loopback only; stops the server and exits by itself (non-zero on a failed check).
"""

import argparse
import http.client
import json
import os
import random
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB = "bench_ballots"
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DB}"
HOST, PORT = "127.0.0.1", 8116


def ensure_database():
    q = subprocess.run(
        [
            "psql",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-tAc",
            f"SELECT 1 FROM pg_database WHERE datname = '{DB}'",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    if q.stdout.strip() != "1":
        subprocess.run(
            ["psql", "-h", "127.0.0.1", "-U", "postgres", "-c", f"CREATE DATABASE {DB}"],
            check=True,
            capture_output=True,
        )


def setup(n_units: int):
    """In-process Django: a fresh compound, residents with tokens, an open vote."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    call_command("migrate", interactive=False, verbosity=0)
    from gaizao.accounts.models import ApiToken, Role, User
    from gaizao.consultation.models import Vote
    from gaizao.inventory.models import Building, Compound, Owner, Unit
    from gaizao.testing import make_areas

    areas = make_areas()
    with transaction.atomic():
        old = Compound.objects.filter(name="基准测试小区", street=areas["jinchen"])
        User.objects.filter(unit__building__compound__in=old).delete()
        Vote.objects.filter(compound__in=old).delete()
        old.delete()
        c = Compound.objects.create(
            name="基准测试小区",
            street=areas["jinchen"],
            community=areas["tianxiang"],
            built_year=1995,
        )
        per_building = 50
        units = []
        for b in range((n_units + per_building - 1) // per_building):
            bld = Building.objects.create(compound=c, number=f"{b + 1}栋")
            for k in range(min(per_building, n_units - b * per_building)):
                units.append(
                    Unit(
                        building=bld,
                        entrance=str(k // 25 + 1),
                        number=f"{k // 5 + 1}0{k % 5 + 1}",
                        exclusive_area=Decimal("60") + Decimal(k % 7) * 5,
                    )
                )
        Unit.objects.bulk_create(units)
        units = list(Unit.objects.filter(building__compound=c).order_by("id"))
        owners = Owner.objects.bulk_create(
            [Owner(compound=c, name=f"业主{i}") for i in range(len(units))]
        )
        for u, o in zip(units, owners, strict=True):
            u.owner = o
        Unit.objects.bulk_update(units, ["owner"])
        users = User.objects.bulk_create(
            [
                User(username=f"bench_{u.pk}", role=Role.RESIDENT, unit=u, password="!")
                for u in units
            ]
        )
        tokens = {}
        for u, user in zip(units, users, strict=True):
            _, raw = ApiToken.issue(user, "bench")
            tokens[u.pk] = raw
        now = timezone.now()
        vote = Vote.objects.create(
            compound=c,
            matter=7,
            title="基准测试:加装电梯",
            law="civil_code",
            opens_at=now - timezone.timedelta(hours=1),
            closes_at=now + timezone.timedelta(hours=2),
            status="open",
        )
    return vote.pk, tokens


def serve(env):
    proc = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "gaizao.wsgi",
            "-b",
            f"{HOST}:{PORT}",
            "-w",
            str(min(8, max(2, os.cpu_count() or 2))),
            "--threads",
            "4",
            "--log-level",
            "warning",
            "--timeout",
            "60",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            c = http.client.HTTPConnection(HOST, PORT, timeout=2)
            c.request("GET", "/healthz")
            if c.getresponse().status == 200:
                return proc
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    raise SystemExit("服务器未能启动")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, default=500)
    ap.add_argument("--duplicates", type=int, default=100)
    ap.add_argument("--clients", type=int, default=50)
    a = ap.parse_args()

    env = {
        **os.environ,
        "DATABASE_URL": DATABASE_URL,
        "DJANGO_SETTINGS_MODULE": "gaizao.settings",
        "SECRET_KEY": secrets.token_urlsafe(40),
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "GAIZAO_DATA_DIR": "/tmp/bench_ballots_var",
    }
    env.pop("GAIZAO_TESTING", None)
    os.environ.update(env)
    ensure_database()
    t0 = time.monotonic()
    vote_id, tokens = setup(a.units)
    print(
        f"准备数据:{len(tokens)} 户、{len(tokens)} 个居民令牌,用时 {time.monotonic() - t0:.1f} 秒"
    )

    rng = random.Random(2020)
    unit_ids = list(tokens)
    repeats = [rng.choice(unit_ids) for _ in range(a.duplicates)]
    jobs = [(u, rng.choice(["agree", "agree", "agree", "oppose", "abstain"])) for u in unit_ids]
    jobs += [(u, "oppose") for u in repeats]
    rng.shuffle(jobs)

    proc = serve(env)
    results = []  # (unit, status, latency)
    lock = threading.Lock()
    it = iter(jobs)

    def client():
        conn = http.client.HTTPConnection(HOST, PORT, timeout=30)
        while True:
            with lock:
                job = next(it, None)
            if job is None:
                break
            unit, choice = job
            body = json.dumps({"choice": choice})
            t = time.monotonic()
            try:
                conn.request(
                    "POST",
                    f"/api/v1/votes/{vote_id}/ballots",
                    body=body,
                    headers={
                        "Authorization": f"Bearer {tokens[unit]}",
                        "Content-Type": "application/json",
                    },
                )
                resp = conn.getresponse()
                resp.read()
                status = resp.status
            except OSError:
                status = -1
                conn.close()
                conn = http.client.HTTPConnection(HOST, PORT, timeout=30)
            with lock:
                results.append((unit, status, time.monotonic() - t))
        conn.close()

    try:
        t0 = time.monotonic()
        threads = [threading.Thread(target=client) for _ in range(a.clients)]
        for th in threads:
            th.start()
        for th in threads:
            th.join(timeout=120)
        elapsed = time.monotonic() - t0
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)

    from gaizao.consultation.models import Ballot, BallotConflict, Vote
    from gaizao.consultation.selectors import vote_tally

    accepted = [u for u, s, _ in results if s == 201]
    refused = [u for u, s, _ in results if s == 409]
    errors = [(u, s) for u, s, _ in results if s not in (201, 409)]
    lat = sorted(x for _, _, x in results)
    vote = Vote.objects.get(pk=vote_id)
    db_units = list(Ballot.objects.filter(vote=vote).values_list("unit_id", flat=True))
    tally = vote_tally(vote)
    checks = {
        "每个请求都有回应": len(results) == len(jobs),
        "无错误响应": not errors,
        "每户恰好一张有效票(201 数 = 户数)": sorted(accepted) == sorted(unit_ids),
        "数据库中的票 = 接受的票,无重复": sorted(db_units) == sorted(accepted)
        and len(set(db_units)) == len(db_units),
        "每个重复票都被拒绝(409)": len(refused) == a.duplicates,
        "每个被拒绝的票都记为重复表决票": BallotConflict.objects.filter(vote=vote).count()
        == len(refused),
        "计票只计接受的票": tally.owners_participating == len(accepted),
    }
    q = statistics.quantiles(lat, n=100) if len(lat) >= 2 else [0] * 99
    print(
        json.dumps(
            {
                "sent": len(jobs),
                "accepted": len(accepted),
                "refused_409": len(refused),
                "errors": len(errors),
                "clients": a.clients,
                "elapsed_s": round(elapsed, 2),
                "ballots_per_s": round(len(results) / elapsed, 1) if elapsed else None,
                "latency_ms": {
                    "p50": round(q[49] * 1000, 1),
                    "p95": round(q[94] * 1000, 1),
                    "max": round(lat[-1] * 1000, 1) if lat else None,
                },
                "tally": {
                    "owners_participating": tally.owners_participating,
                    "owners_agreeing": tally.owners_agreeing,
                    "passed": tally.passed,
                },
            },
            ensure_ascii=False,
            indent=2,
        )
    )
    for name, ok in checks.items():
        print(("通过 " if ok else "失败 ") + name)
    if errors:
        print("错误示例:", errors[:5])
    sys.exit(0 if all(checks.values()) else 1)


if __name__ == "__main__":
    main()
