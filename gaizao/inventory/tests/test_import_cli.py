"""`gaizao import` and `gaizao export` on the command line."""

import io
import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from gaizao.cli import main
from gaizao.inventory.models import Compound, Unit


def write_xlsx(path, rows):
    wb = Workbook()
    for r in rows:
        wb.active.append(list(r))
    wb.save(path)
    return str(path)


ROWS = [
    ["老旧小区台账"],
    [
        "所属街道",
        "小区名称",
        "建设规模(万㎡)",
        "涉及居民(户)",
        "楼宇(栋)",
        "建成年代",
        "投资(万元)",
    ],
    ["金辰街道", "天祥小区", 2.29, "220余", 6, "1990年代", 120.5],
    ["青云街道", "北辰小区", "8000平方米", 90, 2, "1995-06", None],
    ["合计", None, 3.09, 310],
]


def run(*args):
    out = io.StringIO()
    call_command("import", *args, stdout=out)
    return out.getvalue()


def run_failing(*args):
    """The command must exit non-zero; returns what it printed to stdout first."""
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import", *args, stdout=out)
    return out.getvalue()


def test_dry_run_json(cast, tmp_path):
    before = Compound.objects.count()
    doc = json.loads(run(write_xlsx(tmp_path / "a.xlsx", ROWS), "--dry-run", "--json"))
    assert Compound.objects.count() == before
    assert doc["errors"] == [] and doc["header_row"] == 2
    a, b = doc["rows"]
    assert {
        "row",
        "name",
        "street",
        "community",
        "build_year",
        "floor_area_m2",
        "households",
        "buildings",
        "investment_yuan",
    } <= set(a)
    assert a["row"] == 3 and a["name"] == "天祥小区" and a["street"] == "金辰街道"
    assert a["floor_area_m2"] == 22900 and isinstance(a["floor_area_m2"], int)
    assert a["households"] == 220 and a["buildings"] == 6 and a["build_year"] == 1990
    assert a["investment_yuan"] == 1205000 and a["action"] == "update"
    assert b["floor_area_m2"] == 8000 and b["build_date"] == "1995-06-01"
    assert b["investment_yuan"] is None and b["action"] == "create"
    assert doc["skipped"] == [{"row": 5, "reason": "合计行", "text": "合计"}]


def test_errors_exit_non_zero_and_write_nothing(cast, tmp_path):
    rows = [ROWS[1], ["金辰街道", "甲", "许多", 1, 1, 1990, 1]]
    path = write_xlsx(tmp_path / "bad.xlsx", rows)
    doc = json.loads(run_failing(path, "--dry-run", "--json"))  # dry run: errors listed, exit 1
    assert doc["errors"] == [{"row": 2, "column": "建设规模(万㎡)", "message": "“许多”不是数字"}]
    before = Compound.objects.count()
    with pytest.raises(CommandError):
        run(path, "--json")
    assert Compound.objects.count() == before


def test_commit_with_user_checks_jurisdiction(cast, tmp_path):
    path = write_xlsx(tmp_path / "a.xlsx", ROWS)
    with pytest.raises(CommandError):
        run(path, "--user", "street_jinchen")  # 北辰小区 is in 青云街道
    assert not Compound.objects.filter(name="北辰小区").exists()
    with pytest.raises(CommandError):
        run(path, "--user", "community_tianxiang")  # role may not import
    out = run(path, "--user", "bureau")
    assert "新增小区1个" in out and "更新1个" in out
    assert Compound.objects.get(name="天祥小区").floor_area == Decimal("22900.00")


def test_street_option_fills_blank_street(cast, tmp_path):
    rows = [["小区名称", "户数"], ["无街道小区", 10]]
    path = write_xlsx(tmp_path / "s.xlsx", rows)
    doc = json.loads(run_failing(path, "--dry-run", "--json"))
    assert doc["errors"][0]["column"] == "所属街道"
    run(path, "--street", "530103006000")
    assert Compound.objects.get(name="无街道小区").street.name == "青云街道"


def test_units_cli(cast, tmp_path):
    a = cast["compound_a"]
    rows = [
        ["楼号", "单元", "房号", "面积", "业主"],
        [3, 1, 101, 50, "赵六"],
        [3, 1, 102, 51, "赵六"],
    ]
    out = run(write_xlsx(tmp_path / "u.xlsx", rows), "--compound", str(a.pk))
    assert "新增房屋2个" in out
    assert Unit.objects.filter(building__compound=a, building__number="3栋").count() == 2


def test_gaizao_console_maps_to_import(cast, tmp_path, capsys):
    main(["import", write_xlsx(tmp_path / "a.xlsx", ROWS), "--dry-run", "--json"])
    assert json.loads(capsys.readouterr().out)["rows"][0]["name"] == "天祥小区"
