"""Read the rows of an uploaded .xlsx or .csv: pure, no ORM.

`read_rows(file_or_path, filename)` yields (spreadsheet row number, tuple of
cell values). .xlsx goes through openpyxl in read-only mode (a 100,000-row
sheet stays out of memory as a DOM); .csv is decoded as UTF-8 (with or
without BOM) and falls back to GB18030, the superset of GBK that Excel on a
Chinese Windows writes.
"""

import csv
import io
import os
import zipfile
from collections.abc import Iterator
from pathlib import Path

from django.utils.translation import gettext as _

from .cells import CellError
from .fastxlsx import read_xlsx

SUPPORTED = (".xlsx", ".xlsm", ".csv", ".txt")


def _name_of(file_or_path, filename) -> str:
    if filename:
        return str(filename)
    if isinstance(file_or_path, str | os.PathLike):
        return str(file_or_path)
    return str(getattr(file_or_path, "name", "") or "")


def _open_bytes(file_or_path) -> bytes:
    if isinstance(file_or_path, bytes | bytearray):
        return bytes(file_or_path)
    if isinstance(file_or_path, str | os.PathLike):
        return _read_path(Path(file_or_path))
    if hasattr(file_or_path, "seek"):
        file_or_path.seek(0)
    data = file_or_path.read()
    return data if isinstance(data, bytes) else data.encode("utf-8")


def _read_path(path: Path) -> bytes:
    """The file's bytes; a path that is not a readable file is a CellError with
    a message naming it, which the web page, `gaizao import`, `tally` and
    `eligibility` show as it is (never an OS error text or a traceback)."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise CellError(_("找不到文件:%(path)s") % {"path": path}) from None
    except IsADirectoryError:
        raise CellError(_("%(path)s 是文件夹,不是表格文件") % {"path": path}) from None
    except PermissionError:
        if path.is_dir():  # Windows says "permission denied" for a folder
            raise CellError(_("%(path)s 是文件夹,不是表格文件") % {"path": path}) from None
        raise CellError(_("没有权限读取文件:%(path)s") % {"path": path}) from None
    except OSError as e:
        raise CellError(
            _("无法读取文件 %(path)s:%(error)s") % {"path": path, "error": e.strerror or e}
        ) from None


def detect_kind(data: bytes, name: str) -> str:
    ext = os.path.splitext(name.lower())[1]
    if data[:4] == b"PK\x03\x04":
        return "xlsx"
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" or ext == ".xls":
        raise CellError(_("不支持旧版 .xls 文件,请在 Excel 中“另存为” .xlsx 或 .csv 后再导入"))
    if ext in (".xlsx", ".xlsm"):
        raise CellError(_("文件不是有效的 .xlsx 表格(可能已损坏)"))
    if ext and ext not in SUPPORTED:
        raise CellError(_("不支持的文件类型“%(ext)s”,请上传 .xlsx 或 .csv") % {"ext": ext})
    return "csv"


def decode_csv(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise CellError(_("无法识别文件编码,请以 UTF-8 或 GBK 编码保存 CSV"))


def _csv_rows(data: bytes) -> Iterator[tuple[int, tuple]]:
    content = decode_csv(data)
    sample = content[:8192]
    delimiter = ","
    counts = {d: sample.count(d) for d in (",", "\t", ";")}
    if counts[","] == 0 and max(counts.values()) > 0:
        delimiter = max(counts, key=counts.get)
    reader = csv.reader(io.StringIO(content, newline=""), delimiter=delimiter)
    for i, row in enumerate(reader, start=1):
        yield i, tuple(row)


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, tuple]]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            fast = read_xlsx(z)
    except zipfile.BadZipFile as e:
        raise CellError(_("无法读取 .xlsx 文件:%(error)s") % {"error": e})
    except (ValueError, IndexError, KeyError, UnicodeDecodeError):
        fast = None  # unusual layout: openpyxl decides
    if fast is not None:
        yield from fast
        return
    yield from _openpyxl_rows(data)


def _openpyxl_rows(data: bytes) -> Iterator[tuple[int, tuple]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises many kinds for a broken file
        raise CellError(
            _("无法读取 .xlsx 文件(文件可能已损坏或不是 Excel 表格):%(error)s") % {"error": e}
        )
    try:
        ws = _pick_sheet(wb)
        # Files written by other tools often carry a wrong <dimension>; without
        # resetting, read-only mode would cut the sheet to it.
        ws.reset_dimensions()
        yield from enumerate(ws.iter_rows(values_only=True), start=1)
    finally:
        wb.close()


def _pick_sheet(wb):
    ws = wb.active
    return ws if ws is not None else wb.worksheets[0]


def read_rows(file_or_path, filename=None) -> Iterator[tuple[int, tuple]]:
    name = _name_of(file_or_path, filename)
    data = _open_bytes(file_or_path)
    if not data:
        raise CellError(_("文件为空"))
    if detect_kind(data, name) == "xlsx":
        return _xlsx_rows(data)
    return _csv_rows(data)
