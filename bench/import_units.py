"""Bench: import a 100,000-unit sheet through the service the web page and
the command line use (inventory.importing.services.commit_units).

    .venv/bin/python bench/import_units.py [--units 100000]

Builds a temporary data dir with a fresh SQLite database (migrated), writes
an .xlsx of N units (buildings × entrances × floors × rooms, owners holding
one to three units, some developer-held units), then times separately:
read (python-calamine, limits checked), parse + resolve (the rest of the
preview) and write (commit), and end to end. Beside them, in the same run,
the old way of reading: openpyxl read-only (skip with --no-baseline).
Target: ≤ 4 s end to end (issue 12; 6.8 s before). --sheet PATH reuses a
generated sheet (generating it takes 20-40 s); --profile FILE writes a
cProfile of the preview and write.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def make_sheet(path: Path, n: int) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("房屋及业主")
    ws.append(["盘龙区某小区房屋及业主清册"])
    ws.append(
        [
            "序号",
            "楼栋",
            "单元",
            "房号",
            "楼层",
            "专有部分面积(㎡)",
            "业主姓名",
            "联系电话",
            "证件号码",
            "开发商未售",
        ]
    )
    i = 0
    owner = 0
    b = 0
    while i < n:
        b += 1
        for entrance in range(1, 5):
            for floor in range(1, 8):
                for room in range(1, 5):
                    if i >= n:
                        break
                    i += 1
                    developer = i % 97 == 0
                    if i % 3 != 0:  # every third unit shares its owner with the previous one
                        owner += 1
                    ws.append(
                        [
                            i,
                            f"{b}栋",
                            str(entrance),
                            f"{floor}0{room}",
                            floor,
                            60 + (i % 50) + 0.5,
                            "" if developer else f"业主{owner}",
                            "" if developer else f"138{owner:08d}",
                            "" if developer else f"530103{owner:012d}",
                            "是" if developer else "否",
                        ]
                    )
    ws.append([None, "合计", None, None, None, None])
    wb.save(path)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, default=100_000)
    ap.add_argument("--no-baseline", action="store_true", help="skip the openpyxl read")
    ap.add_argument(
        "--sheet",
        type=Path,
        help="reuse this generated sheet (written there if missing): generating takes 20-40 s",
    )
    ap.add_argument("--profile", type=Path, help="write a cProfile of the preview and write here")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="gaizao-bench-"))
    os.environ["GAIZAO_DATA_DIR"] = str(tmp)
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gaizao.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from gaizao import testing
    from gaizao.inventory.importing import services, unit_writes
    from gaizao.inventory.models import Owner, Unit

    areas = testing.make_areas()
    compound = testing.make_compound(areas["jinchen"], "基准测试小区")
    user = testing.make_user("bench_bureau", "housing_bureau", area=areas["district"])

    sheet = args.sheet or tmp / "units.xlsx"
    if not sheet.exists():
        t = time.perf_counter()
        make_sheet(sheet, args.units)
        print(
            f"generated {sheet.name}: {sheet.stat().st_size / 1e6:.1f} MB in "
            f"{time.perf_counter() - t:.1f} s (not counted)"
        )

    from django.db import transaction

    from gaizao.inventory.importing.block import paused_gc
    from gaizao.inventory.importing.reading import read_rows

    # Reading alone (the preview below reads again, as the service does), with
    # the cyclic collector paused as preview_units pauses it: otherwise the
    # read is slower here than inside the preview and "parse" below, the
    # preview less this read, comes out too small.
    tr, cr = time.perf_counter(), time.process_time()
    with paused_gc():
        # As the unit parse takes them: by column, in one piece (reading.CalamineRows.rest).
        rows_read = read_rows(sheet)
        n_read = (
            len(rows_read.rest()[0]) if hasattr(rows_read, "rest") else sum(1 for _ in rows_read)
        )
        del rows_read
    read_wall, read_cpu = time.perf_counter() - tr, time.process_time() - cr

    # commit_units is preview_units + raise_if_errors + _write_units in one
    # transaction; the steps are called one by one here to time them apart.
    prof = None
    if args.profile:
        import cProfile

        prof = cProfile.Profile()
        prof.enable()
    t0, c0 = time.perf_counter(), time.process_time()
    with transaction.atomic():
        pv = services.preview_units(sheet, user=user, compound=compound, filename=sheet.name)
        t1, c1 = time.perf_counter(), time.process_time()
        services.raise_if_errors(pv)
        result = unit_writes._write_units(pv, user=user, compound=compound, source="bench")
    t2, c2 = time.perf_counter(), time.process_time()
    if prof:
        prof.disable()
        prof.dump_stats(args.profile)
    rows = len(pv.rows)
    assert Unit.objects.filter(building__compound=compound).count() == rows == args.units
    owners = Owner.objects.filter(compound=compound).count()
    print(
        f"rows: {rows}, units created: {result.created}, owners: {owners}, "
        f"buildings: {result.extra['buildings_created']}"
    )
    print(
        f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (wall > CPU when shared)"
    )
    parse_wall, parse_cpu = (t1 - t0) - read_wall, (c1 - c0) - read_cpu
    print(
        f"read   {read_wall:6.2f} s wall  {read_cpu:6.2f} s CPU  ({n_read:,} sheet rows, calamine)"
    )
    print(f"parse  {parse_wall:6.2f} s wall  {parse_cpu:6.2f} s CPU  (fields, checks, resolve)")
    print(f"write  {t2 - t1:6.2f} s wall  {c2 - c1:6.2f} s CPU  {rows / (t2 - t1):9,.0f} rows/s")
    print(
        f"total  {t2 - t0:6.2f} s wall  {c2 - c0:6.2f} s CPU  {rows / (t2 - t0):9,.0f} rows/s"
        "  end to end (target ≤ 4 s; 6.8 s before)"
    )
    if not args.no_baseline:
        from openpyxl import load_workbook

        tb, cb = time.perf_counter(), time.process_time()
        wb = load_workbook(sheet, read_only=True, data_only=True)
        ws = wb.active
        ws.reset_dimensions()
        n_old = sum(1 for _ in ws.iter_rows(values_only=True))
        wb.close()
        old_wall, old_cpu = time.perf_counter() - tb, time.process_time() - cb
        print(
            f"baseline read, openpyxl read-only: {old_wall:6.2f} s wall  {old_cpu:6.2f} s CPU "
            f"({n_old:,} rows); end to end with it: "
            f"{old_wall + parse_wall + (t2 - t1):6.2f} s wall"
        )

    # Re-import the same file: every unit is found, nothing duplicated.
    t3 = time.perf_counter()
    again = services.commit_units(sheet, user=user, compound=compound, filename=sheet.name)
    t4 = time.perf_counter()
    assert Unit.objects.filter(building__compound=compound).count() == rows
    print(
        f"re-import (commit_units, parse + compare): {t4 - t3:.2f} s, "
        f"unchanged {again.unchanged}, updated {again.updated}"
    )


if __name__ == "__main__":
    main()
