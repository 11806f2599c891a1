"""The command line: recorded compounds and a spreadsheet that is not imported."""

import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from gaizao.eligibility import selectors
from gaizao.eligibility.models import Verdict

from .conftest import good_compound


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("eligibility", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_area_table_and_json(policies, areas, cast, monkeypatch):
    monkeypatch.setattr(
        selectors, "willingness_shares", lambda ids: dict.fromkeys(ids, Decimal("0.9"))
    )
    good_compound(areas["jinchen"], "命令行老院")
    out, _ = run("--area", "530103000000")
    assert "命令行老院" in out and "符合改造范围" in out
    assert "已评估 3 个小区" in out
    out, _ = run("--area", "530103005000", "--policy", "national-2020", "--json")
    d = json.loads(out)
    assert d["summary"]["total"] == 2
    names = {c["name"]: c for c in d["compounds"]}
    assert names["命令行老院"]["verdict"] == "eligible"
    assert names["命令行老院"]["policy"] == "national-2020"
    assert Verdict.objects.filter(policy__code="national-2020").count() == 2


def test_bad_arguments(policies):
    with pytest.raises(CommandError, match="区划代码"):
        run("--area", "000")
    with pytest.raises(CommandError, match="没有名为"):
        run("--area", "530103000000", "--policy", "nope")
    with pytest.raises(CommandError, match="--area"):
        run()


def test_install_policies(areas):
    out, _ = run("--install-policies")
    assert "盘龙区老旧小区改造范围(2020)" in out
    out, _ = run("--install-policies")
    assert "内置政策已齐全" in out


def _sheet(tmp_path, rows):
    wb = Workbook()
    ws = wb.active
    ws.append(
        [
            "小区名称",
            "所属街道",
            "建成年份",
            "建筑面积(㎡)",
            "户数",
            "楼栋数",
            "主城区",
            "已纳入棚户区改造计划",
            "拟拆除新建或改扩翻建(年内)",
            "居民自建住房面积(㎡)",
            "城中村",
            "管理状况",
        ]
    )
    for r in rows:
        ws.append(r)
    path = tmp_path / "sheet.xlsx"
    wb.save(path)
    return str(path)


def test_sheet_json_not_imported(policies, areas, tmp_path):
    pytest.importorskip("gaizao.inventory.importing")
    path = _sheet(
        tmp_path,
        [
            ["老院一", "金辰街道", 1995, 20000, 200, 4, "是", "否", "否", 0, "否", "无"],
            ["城中村院", "金辰街道", 1990, 8000, 80, 3, "是", "否", "否", 0, "是", "无"],
            ["新院", "青云街道", 2003, 9000, 90, 3, "是", "否", "否", 0, "否", "无"],
            ["拆迁院", "青云街道", 1985, 5000, 50, 2, "是", "否", 3, 0, "否", "物业"],
            ["坏行", "青云街道", "很久以前", 5000, 50, 2, "是", "否", "否", 0, "否", "无"],
            # Blank demolition cell: not checked, so 待核实 (not "no plan").
            ["空白院", "金辰街道", 1992, 6000, 60, 2, "是", "否", "", 0, "否", "无"],
            # "2000年左右" straddles Panlong's cut-off (before 2000-01-01).
            ["约数院", "金辰街道", "2000年左右", 6000, 60, 2, "是", "否", "否", 0, "否", "无"],
        ],
    )
    before = Verdict.objects.count()
    out, err = run(path, "--json")
    rows = {r["name"]: r for r in json.loads(out)}
    assert rows["老院一"]["row"] == 2 and rows["老院一"]["policy"] == "panlong-2020"
    # Panlong needs the willingness survey before a compound enters the reserve.
    assert rows["老院一"]["verdict"] == "review" and rows["老院一"]["missing"] == ["意愿征询"]
    assert rows["城中村院"]["verdict"] == "ineligible"
    assert rows["新院"]["verdict"] == "ineligible"
    assert rows["拆迁院"]["verdict"] == "ineligible"
    assert any(
        r["criterion"] == "exclusion.demolition" and r["passed"] is False
        for r in rows["拆迁院"]["reasons"]
    )
    assert rows["坏行"]["errors"], rows["坏行"]
    assert rows["坏行"]["verdict"] == "review" and "建成年份" in rows["坏行"]["missing"]
    assert rows["空白院"]["verdict"] == "review"
    assert "是否拟拆除新建或改扩翻建" in rows["空白院"]["missing"]
    assert rows["约数院"]["verdict"] == "review" and "确切建成年份" in rows["约数院"]["missing"]
    assert Verdict.objects.count() == before  # nothing written
    out, _ = run(path, "--json", "--policy", "national-2020")
    rows = {r["name"]: r for r in json.loads(out)}
    assert rows["老院一"]["verdict"] == "eligible"
    # 2003: in the extension window, but its 90 households would be 31% of
    # the eligible households (200 + 90), over the 20% cap.
    assert rows["新院"]["verdict"] == "review"
    cap = next(r for r in rows["新院"]["reasons"] if r["criterion"] == "extension_cap")
    assert cap["passed"] is False and "20%" in cap["detail"]


def test_sheet_unknown_streets_use_national(policies, areas, tmp_path):
    pytest.importorskip("gaizao.inventory.importing")
    path = _sheet(
        tmp_path, [["外地小区", "不存在街道", 1995, 20000, 200, 4, "否", "否", "否", 0, "否", "无"]]
    )
    out, _ = run(path, "--json")
    (row,) = json.loads(out)
    assert row["policy"] == "national-2020" and row["verdict"] == "eligible"
    out, _ = run(path, "--json", "--area", "530103000000")
    (row,) = json.loads(out)
    assert row["policy"] == "panlong-2020" and row["verdict"] == "ineligible"


def test_sheet_unreadable(policies, tmp_path):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a spreadsheet")
    with pytest.raises(CommandError):
        run(str(bad), "--json")
