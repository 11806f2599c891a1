"""`gaizao tally SHEET --matter N`: a generated sheet, tolerant headers, errors."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook


def run(path, *args):
    out = StringIO()
    call_command("tally", str(path), *args, stdout=out)
    return json.loads(out.getvalue())


def xlsx(path, rows):
    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def test_generated_xlsx_sheet(tmp_path):
    rows = [
        ["金辰街道天祥小区业主表决统计表"],
        [],
        ["序号", "单元房号", "产权人", "建筑面积(㎡)", "表决意见"],
    ]
    # 30 units: 20 agree (incl. one owner with 2 units), 4 oppose, 2 abstain, 4 no reply
    for i in range(1, 31):
        owner = "张三" if i in (1, 2) else f"业主{i}"
        choice = "同意" if i <= 20 else "反对" if i <= 24 else "弃权" if i <= 26 else None
        rows.append([i, f"{i:03d}", owner, "８０" if i == 5 else 80, choice])
    rows.append(["合计", None, None, 2400, None])
    p = xlsx(tmp_path / "sheet.xlsx", rows)
    r = run(p, "--matter", "7")
    assert {k: r[k] for k in list(r)[:11]} == {
        "matter": 7,
        "law": "civil_code",
        "owners_total": 29,
        "area_total": 2400,
        "owners_participating": 25,
        "area_participating": 2080,
        "owners_agreeing": 19,
        "area_agreeing": 1600,
        "quorum_met": True,
        "passed": True,
        "reasons": r["reasons"],
    }
    assert r["reasons"][-1] == "表决通过"
    # 物权法第七十六条第一款第六项 (改建、重建): 1600/2400 = 2/3 exactly of the
    # area, but 19/29 owners < 2/3
    r = run(p, "--matter", "6", "--law", "property_law")
    assert r["law"] == "property_law" and r["passed"] is False
    assert r["matter_cited"].startswith("《物权法》第七十六条第一款第六项")


def test_csv_with_developer_column(tmp_path):
    p = tmp_path / "s.csv"
    p.write_text(
        "房号,业主,专有部分面积,表决,开发商\n"
        "101,甲,100,同意,\n102,乙,100,同意,否\n201,公司,50,同意,是\n202,公司2,50,,是\n"
        "301,丙,100,反对,\n",
        encoding="gbk",
    )
    r = run(p, "--matter", "1")
    assert r["owners_total"] == 4 and r["owners_participating"] == 4
    assert r["owners_agreeing"] == 3 and r["area_agreeing"] == 250 and r["passed"] is True


def test_errors_name_row_and_column(tmp_path, capsys):
    p = tmp_path / "bad.csv"
    p.write_text("户号,面积,意见\n1,80,同意\n2,八十,同意\n1,70,反对\n3,60,也许\n", encoding="utf-8")
    with pytest.raises(CommandError, match="3 处错误"):
        call_command("tally", str(p), "--matter", "1")
    err = capsys.readouterr().err
    assert "第3行“面积”列" in err and "第4行“户号”列" in err and "与第2行重复" in err
    assert "第5行“意见”列" in err
    nohdr = tmp_path / "nohdr.csv"
    nohdr.write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    with pytest.raises(CommandError, match="未找到表头"):
        call_command("tally", str(nohdr), "--matter", "1")
    with pytest.raises(CommandError, match="找不到文件"):
        call_command("tally", str(tmp_path / "missing.xlsx"), "--matter", "1")


def test_cli_exit_code(tmp_path):
    import os
    import subprocess
    import sys

    p = tmp_path / "bad.csv"
    p.write_text("房号,面积,意见\n1,x,同意\n", encoding="utf-8")
    env = {**os.environ, "GAIZAO_TESTING": "1", "DJANGO_SETTINGS_MODULE": "gaizao.settings"}
    proc = subprocess.run(
        [sys.executable, "-m", "gaizao.cli", "tally", str(p), "--matter", "1"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert proc.returncode != 0 and "第2行“面积”列" in proc.stderr
