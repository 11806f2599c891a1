"""Hostile spreadsheets (issue 9.2): each finding refused before the work,
with a clear message in the user's language, and the worker still alive.
Each test failed on the hand-written .xlsx reader (fastxlsx.py)."""

import io
import time
import zipfile

import pytest
from django.utils import translation

from gaizao.inventory.importing import limits, parse_compound_sheet
from gaizao.inventory.importing.reading import read_rows

from .sheets import raw_xlsx, xls

HEADER = '<row r="1"><c r="A1" t="inlineStr"><is><t>小区名称</t></is></c><c r="B1" t="inlineStr"><is><t>户数</t></is></c></row>'


def parse(data, name="t.xlsx"):
    return parse_compound_sheet(io.BytesIO(data), filename=name)


def only_error(p) -> str:
    assert p.rows == [] and len(p.errors) == 1, p.errors
    return p.errors[0].message


def test_cell_reference_padding_is_refused_not_allocated():
    # "ZZZZZZZ2" asked the old reader to pad a row to 8 billion cells
    # (MemoryError); calamine would abort the whole process.
    data = raw_xlsx(
        HEADER
        + '<row r="2"><c r="A2" t="inlineStr"><is><t>x</t></is></c><c r="ZZZZZZZ2"><v>1</v></c></row>'
    )
    msg = only_error(parse(data))
    assert "列数过多" in msg and "256" in msg


@pytest.mark.parametrize(
    "cell", ['<c\tr="ZZZZZZZ2">', '<c\nr="ZZZZZZZ2">', '<c s="0" r="ZZZZZZZ2">']
)
def test_reference_not_written_first_is_not_missed(cell):
    # A tab instead of the space before r= hid the reference from the scan:
    # calamine then allocated 8 billion cells and aborted the whole process.
    data = raw_xlsx(HEADER + f'<row r="2">{cell}<v>1</v></c></row>')
    msg = only_error(parse(data))
    assert "列数过多" in msg or "内存" in msg


def test_wide_reference_with_a_far_row_is_refused():
    data = raw_xlsx(HEADER + '<row r="2"><c r="AB9999999"><v>1</v></c></row>')
    msg = only_error(parse(data))
    assert "行数过多" in msg and "9999999" in msg


def test_far_corner_cell_is_refused():
    data = raw_xlsx(HEADER + '<row r="1048576"><c r="C1048576"><v>1</v></c></row>')
    msg = only_error(parse(data))
    assert "行数过多" in msg and "1048576" in msg


def test_rows_columns_and_cells_limits(monkeypatch):
    rows = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(2, 40))
    monkeypatch.setattr(limits, "MAX_ROWS", 20)
    assert "行数过多" in only_error(parse(raw_xlsx(HEADER + rows)))
    monkeypatch.setattr(limits, "MAX_ROWS", 200_000)
    monkeypatch.setattr(limits, "MAX_CELLS", 100)
    assert "单元格过多" in only_error(parse(raw_xlsx(HEADER + rows)))


def test_unclosed_cells_do_not_take_minutes():
    # 5.8 KB of cells without </c> made the old cell regex quadratic (98 s).
    body = '<row r="2">' + '<c r="A2"><v>1</v>' * 300
    data = raw_xlsx(HEADER + body)
    t = time.monotonic()
    msg = only_error(parse(data))
    assert time.monotonic() - t < 5
    assert "无法读取" in msg


def zip_bomb(unpacked: int) -> bytes:
    """A few hundred KB that inflate to `unpacked` bytes of one sheet."""
    chunk = b"<row/>" * (1 << 16)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, body in (("[Content_Types].xml", b""), ("xl/workbook.xml", b"<workbook/>")):
            z.writestr(name, body)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            written = 0
            while written < unpacked:
                f.write(chunk)
                written += len(chunk)
    return buf.getvalue()


def test_zip_bomb_refused_before_inflating():
    data = zip_bomb(limits.MAX_UNPACKED_BYTES + (1 << 20))
    assert len(data) < 2_000_000
    t = time.monotonic()
    msg = only_error(parse(data))
    assert time.monotonic() - t < 2  # only the headers were read
    assert "解压后过大" in msg and "300" in msg


def test_zip_member_lying_about_its_size_is_caught(monkeypatch):
    monkeypatch.setattr(limits, "MAX_UNPACKED_BYTES", 1 << 20)
    data = bytearray(zip_bomb(3 << 20))
    # Claim 10 bytes in both headers of the sheet: the declared total passes,
    # the bytes really inflated do not.
    name = b"xl/worksheets/sheet1.xml"
    for sig, size_at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        i = data.find(sig + b"")
        while i >= 0:
            n = int.from_bytes(data[i + (26 if sig == b"PK\x03\x04" else 28) :][:2], "little")
            start = i + (30 if sig == b"PK\x03\x04" else 46)
            if (
                bytes(data[start : start + n]) == name
                and data[i + size_at : i + size_at + 4] != b"\xff\xff\xff\xff"
            ):
                data[i + size_at : i + size_at + 4] = (10).to_bytes(4, "little")
            i = data.find(sig, i + 4)
    msg = only_error(parse(bytes(data)))
    assert "解压后过大" in msg or "损坏" in msg


def test_file_size_checked_before_reading(monkeypatch, tmp_path):
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 1000)
    path = tmp_path / "big.csv"
    path.write_bytes(b"x" * 2000)
    msg = only_error(parse_compound_sheet(path))
    assert "文件过大" in msg


def test_time_limit(monkeypatch):
    monkeypatch.setattr(limits, "MAX_SECONDS", -1)
    msg = only_error(parse(raw_xlsx(HEADER)))
    assert "超时" in msg


def test_nul_in_csv_refused_with_row_and_column():
    # Passed the preview and crashed the commit on PostgreSQL (500).
    data = "小区名称,户数\n金辰小区,10\n天\x00祥小区,20\n".encode()
    msg = only_error(parse(data, "t.csv"))
    assert "第3行第A列" in msg and "NUL" in msg


@pytest.mark.parametrize("ref", ["&#0;", "&#x1;", "_x0002_"])
def test_control_character_in_xlsx_refused_with_row_and_column(ref):
    data = raw_xlsx(
        HEADER + f'<row r="2"><c r="A2" t="inlineStr"><is><t>a</t></is></c></row>'
        f'<row r="3"><c r="A3" t="inlineStr"><is><t>天{ref}祥</t></is></c><c r="B3"><v>5</v></c></row>'
    )
    msg = only_error(parse(data))
    assert "第3行第A列" in msg and "控制字符" in msg


def test_nul_in_xls_refused_with_row_and_column():
    msg = only_error(parse(xls([["小区名称", "户数"], ["金辰\x00小区", 3]]), "t.xls"))
    assert "第2行第A列" in msg


def test_binary_formats_read_in_a_capped_child(monkeypatch):
    data = xls([["小区名称", "户数"]] + [[f"小区{i}", i] for i in range(30)])
    monkeypatch.setattr(limits, "MAX_ROWS", 10)
    assert "行数过多" in only_error(parse(data, "t.xls"))
    monkeypatch.setattr(limits, "MAX_ROWS", 200_000)
    monkeypatch.setattr(limits, "CHILD_MEMORY_BYTES", 8 * limits.MiB)
    assert "内存" in only_error(parse(data, "t.xls"))


def test_refusals_in_english_when_the_ui_is_english():
    data = raw_xlsx(HEADER + '<row r="2"><c r="ZZZZZZZ2"><v>1</v></c></row>')
    with translation.override("en"):
        msg = only_error(parse(data))
    assert "columns" in msg.lower() and "列" not in msg


def test_read_rows_gives_whole_numbers_as_int():
    data = raw_xlsx(HEADER + '<row r="2"><c r="A2"><v>101</v></c><c r="B2"><v>2.5</v></c></row>')
    rows = list(read_rows(io.BytesIO(data), "t.xlsx"))
    assert rows[1] == (2, (101, 2.5)) and type(rows[1][1][0]) is int


def test_nul_upload_never_reaches_the_database(cast, users, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from gaizao.inventory.models import Compound

    c = client_for(users["bureau"])
    data = "所属街道,小区名称,户数\n金辰街道,天\x00祥新村,20\n".encode()
    resp = c.post(
        reverse("inventory:import"),
        {"kind": "compounds", "file": SimpleUploadedFile("t.csv", data, content_type="text/csv")},
    )
    url = resp["Location"]
    page = c.get(url).content.decode()
    assert "第2行第B列含有不可见的控制字符(NUL)" in page and "确认导入" not in page
    resp = c.post(url, {"confirm": "1"})  # a crafted confirm: refused, not a 500
    assert resp.status_code == 400
    assert not Compound.objects.filter(name__contains="祥新村").exists()
