"""The command line never prints a traceback: a file that cannot be read or
written is a CommandError (exit 1) with one message, worded the same in
`import`, `tally` and `eligibility` (STYLE.md habit 8)."""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command


def fails(command, *args):
    """(CommandError message, stdout) of a command that must fail."""
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as exc:
        call_command(command, *args, stdout=out, stderr=err)
    return str(exc.value), out.getvalue()


READERS = [
    ("import",),
    ("import", "--dry-run"),
    ("tally", "--matter", "7"),
    ("eligibility", "--json"),
]


@pytest.mark.parametrize("command", READERS, ids=" ".join)
def test_missing_file_and_folder_read_the_same_everywhere(db, tmp_path, command):
    name, *opts = command
    missing = tmp_path / "没有.xlsx"
    assert fails(name, str(missing), *opts)[0] == f"找不到文件:{missing}"
    assert fails(name, str(tmp_path), *opts)[0] == f"{tmp_path} 是文件夹,不是表格文件"


def test_import_dry_run_exits_non_zero_when_the_file_cannot_be_read(db, tmp_path):
    # The JSON preview still comes first, on stdout, naming the problem.
    message, out = fails("import", str(tmp_path / "a.xlsx"), "--dry-run", "--json")
    assert message == f"找不到文件:{tmp_path / 'a.xlsx'}"
    doc = json.loads(out)
    assert doc["errors"] == [{"row": None, "column": None, "message": message}]
    assert doc["dry_run"] is True and doc["committed"] is False
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64)
    message, out = fails("import", str(old), "--dry-run", "--json")
    assert ".xls" in message and json.loads(out)["errors"][0]["message"] == message
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert fails("import", str(empty), "--dry-run")[0] == "文件为空"


def test_import_dry_run_exits_non_zero_on_row_errors(cast, tmp_path):
    sheet = tmp_path / "bad.csv"
    sheet.write_text("所属街道,小区名称,户数\n金辰街道,甲,许多\n", encoding="utf-8")
    message, out = fails("import", str(sheet), "--dry-run")
    assert message == "发现1处错误,未写入任何数据"
    assert "(--dry-run:未写入)" in out  # the text preview is still printed


def test_export_refuses_a_folder_a_missing_folder_and_other_extensions(db, tmp_path):
    assert fails("export", "-o", str(tmp_path))[0].startswith(f"无法写入 {tmp_path}:")
    target = tmp_path / "nope" / "x.xlsx"
    assert fails("export", "-o", str(target))[0].startswith(f"无法写入 {target}:")
    assert fails("export", "-o", str(tmp_path / "out.txt"))[0].startswith(
        "导出文件名应以 .xlsx 结尾"
    )
    assert not (tmp_path / "out.txt").exists()
    call_command("export", "-o", str(tmp_path / "台账.XLSX"), stdout=io.StringIO())
    assert (tmp_path / "台账.XLSX").stat().st_size > 0


@pytest.mark.skipif(os.name != "posix", reason="permission bits")
def test_export_reports_an_unwritable_file(db, tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root writes anywhere")
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        message = fails("export", "-o", str(locked / "x.xlsx"))[0]
    finally:
        locked.chmod(0o700)
    assert message == f"无法写入 {locked / 'x.xlsx'}:没有写入权限"


def _gaizao(*args, data_dir):
    script = Path(sys.executable).with_name("gaizao")
    cmd = [str(script)] if script.exists() else [sys.executable, "-m", "gaizao.cli"]
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(GAIZAO_TESTING="1", GAIZAO_DATA_DIR=str(data_dir))
    return subprocess.run([*cmd, *args], capture_output=True, text=True, env=env, timeout=120)


def test_console_prints_no_traceback(tmp_path):
    """Through the real `gaizao` console script: exit status 1, one line, no traceback.
    None of these reaches the (empty, unmigrated) database."""
    data = tmp_path / "data"
    sheets = tmp_path / "sheets"
    sheets.mkdir()
    cases = [
        (("import", str(sheets)), f"{sheets} 是文件夹,不是表格文件"),
        (("import", str(sheets / "a.xlsx"), "--dry-run", "--json"), "找不到文件:"),
        (("tally", str(sheets), "--matter", "7"), f"{sheets} 是文件夹,不是表格文件"),
        (("tally", str(sheets / "a.xlsx"), "--matter", "7"), "找不到文件:"),
        (("export", "-o", str(sheets)), f"无法写入 {sheets}:"),
        (("export", "-o", "/nonexistent/x.xlsx"), "无法写入 /nonexistent/x.xlsx:"),
        (("export", "-o", str(sheets / "out.txt")), "导出文件名应以 .xlsx 结尾"),
    ]
    for args, expected in cases:
        r = _gaizao(*args, data_dir=data)
        assert r.returncode == 1, (args, r.stderr)
        assert "Traceback" not in r.stderr, (args, r.stderr)
        assert expected in r.stderr, (args, r.stderr)


def test_fresh_install_says_what_to_run(tmp_path):
    """On an empty database every data command says in one line what to run."""
    data = tmp_path / "data"
    for args in (
        ("export", "-o", str(tmp_path / "x.xlsx")),
        ("eligibility", "--area", "530103"),
        ("feedback_remind",),
    ):
        r = _gaizao(*args, data_dir=data)
        assert r.returncode == 1, (args, r.stdout, r.stderr)
        assert "Traceback" not in r.stderr, (args, r.stderr)
        assert r.stderr.strip() == (
            "数据库尚未建立或不是最新:请先运行 `gaizao migrate`(或 `gaizao demo` 载入演示数据)"
        ), args
    sheet = tmp_path / "台账.csv"
    sheet.write_text("所属街道,小区名称,户数\n金辰街道,甲,10\n", encoding="utf-8")
    for args in (("import", str(sheet)), ("import", str(sheet), "--dry-run")):
        r = _gaizao(*args, data_dir=data)
        assert r.returncode == 1 and "Traceback" not in r.stderr, (args, r.stderr)
        assert r.stderr.strip().endswith("请先运行 `gaizao migrate`(或 `gaizao demo` 载入演示数据)")
    # tally reads only its sheet: it works on a fresh install
    ballots = tmp_path / "表决.csv"
    ballots.write_text("房号,专有部分面积,表决意见\n101,80,同意\n102,60,同意\n", encoding="utf-8")
    r = _gaizao("tally", str(ballots), "--matter", "7", data_dir=data)
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr
    r = _gaizao("--lang", "en", "export", "-o", str(tmp_path / "x.xlsx"), data_dir=data)
    assert r.returncode == 1 and r.stderr.strip().startswith("The database is not set up"), r.stderr
    # After `gaizao migrate` the same command works.
    assert _gaizao("migrate", "-v", "0", data_dir=data).returncode == 0
    r = _gaizao("export", "-o", str(tmp_path / "x.xlsx"), data_dir=data)
    assert r.returncode == 0, r.stderr
    # … and import on a database without any areas says where they come from
    r = _gaizao("import", str(sheet), data_dir=data)
    assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
    assert r.stderr.strip().splitlines()[-1].endswith("或运行 `gaizao demo` 载入演示区划")
    r = _gaizao("eligibility", "--json", str(sheet), data_dir=data)
    assert r.returncode in (0, 1) and "Traceback" not in r.stderr, r.stderr


def test_serve_takes_an_address():
    from gaizao import cli

    assert cli._language(["--lang", "en", "export"]) == ("en", ["export"])
    assert cli._language(["--lang=zh", "tally"])[0] == "zh-hans"
