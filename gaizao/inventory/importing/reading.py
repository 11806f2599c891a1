"""Read the rows of a spreadsheet: pure, no ORM.

`read_rows(file_or_path, filename)` yields (spreadsheet row number, tuple of
cell values). The format is decided by the file's bytes, not its name:

- zip with xl/workbook.xml → .xlsx/.xlsm (also WPS files saved as .et or
  .xlsx); xl/workbook.bin → .xlsb; an OpenDocument mimetype → .ods;
- an OLE2 compound file with a Workbook/Book stream → .xls (Excel 97–2003,
  and WPS .et, which is the same format); encrypted → a message;
- text → CSV: UTF-8 with or without BOM, else GB18030 (the superset of GBK
  that Excel on a Chinese Windows writes); comma, tab or semicolon. An
  ".xls" that is really tab-separated text (exported by web systems) reads
  as text; one that is an HTML page gets a message.

Sheets are read with python-calamine (a maintained Rust reader). Every limit
in limits.py is checked before the work it guards (see there). Values come
out once normalised: whole-number floats → int, blank strings → None, and a
cell holding a control character (NUL …) is refused with its row and column.
"""

import csv
import io
import marshal
import os
import re
import resource
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from datetime import time as dtime
from itertools import zip_longest
from pathlib import Path

from django.utils.translation import gettext as _

from . import limits
from .cells import CellError
from .xlsx_scan import control_error, refuse_xml_control, xlsx_extent

TEXT_EXTENSIONS = (".csv", ".txt", ".tsv", "")
SHEET_EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods", ".et", ".ett")
SUPPORTED = SHEET_EXTENSIONS + TEXT_EXTENSIONS[:-1]
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# C0 controls except tab, LF, CR, and DEL: PostgreSQL refuses NUL in text,
# and none of them belongs in a register.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _name_of(file_or_path, filename) -> str:
    if filename:
        return str(filename)
    if isinstance(file_or_path, str | os.PathLike):
        return str(file_or_path)
    return str(getattr(file_or_path, "name", "") or "")


def _open_bytes(file_or_path) -> bytes:
    """The file's bytes, its size checked before it is read."""
    if isinstance(file_or_path, bytes | bytearray):
        limits.check_file_size(len(file_or_path))
        return bytes(file_or_path)
    if isinstance(file_or_path, str | os.PathLike):
        return _read_path(Path(file_or_path))
    size = getattr(file_or_path, "size", None)
    if size is not None:
        limits.check_file_size(size)
    if hasattr(file_or_path, "seek"):
        file_or_path.seek(0)
    data = file_or_path.read(limits.MAX_FILE_BYTES + 1)
    data = data if isinstance(data, bytes) else data.encode("utf-8")
    limits.check_file_size(len(data))
    return data


def _read_path(path: Path) -> bytes:
    """The file's bytes; a path that is not a readable file is a CellError with
    a message naming it, which the web page, `gaizao import`, `tally` and
    `eligibility` show as it is (never an OS error text or a traceback)."""
    try:
        if path.is_file():
            limits.check_file_size(path.stat().st_size)
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


# ---------------------------------------------------------------- sniffing


def detect_kind(data: bytes, name: str) -> str:
    """xlsx | xlsb | ods | xls | csv, from the bytes; a CellError otherwise."""
    ext = os.path.splitext(name.lower())[1]
    if data[:4] == b"PK\x03\x04":
        return _zip_kind(data)
    if data[:8] == OLE2:
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise CellError(_("文件设置了打开密码,请取消密码后另存为 .xlsx 再导入"))
        if "Workbook".encode("utf-16-le") in data or "Book".encode("utf-16-le") in data:
            return "xls"
        if ext in (".xls", ".et", ".ett"):
            raise CellError(
                _("文件不是有效的%(ext)s表格(可能已损坏,或是其他文档改了扩展名)") % {"ext": ext}
            )
        raise CellError(_("文件不是表格(可能是 Word 等其他文档),请上传 Excel、WPS 表格或 CSV 文件"))
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<html", b"<!doctype", b"<table", b"<?xml", b"<meta")):
        raise CellError(
            _(
                "文件是网页(HTML/XML)格式,只是扩展名为“%(ext)s”。请用 Excel 或 WPS 打开后另存为 .xlsx"
            )
            % {"ext": ext or "?"}
        )
    if ext in (".xlsx", ".xlsm", ".xlsb", ".ods"):
        raise CellError(_("文件不是有效的%(ext)s表格(可能已损坏)") % {"ext": ext})
    if ext in (".et", ".ett"):
        raise CellError(_("无法识别这个 WPS 表格文件的格式,请在 WPS 中“另存为” .xlsx 后再导入"))
    if ext and ext not in SUPPORTED:
        raise CellError(
            _("不支持的文件类型“%(ext)s”,请上传 .xlsx、.xls、.ods、WPS 表格或 .csv 文件")
            % {"ext": ext}
        )
    return "csv"  # text; an old .xls that is really tab-separated text too


def _zip_kind(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = set(z.namelist())
            if "mimetype" in names and z.getinfo("mimetype").file_size < 200:
                if b"opendocument.spreadsheet" in z.read("mimetype"):
                    return "ods"
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as e:
        raise CellError(_("无法读取表格文件(压缩结构已损坏):%(error)s") % {"error": e})
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "xl/workbook.bin" in names:
        return "xlsb"
    if "content.xml" in names:
        return "ods"
    raise CellError(
        _("无法读取表格文件:这是压缩包,但不是 .xlsx 或 .ods 表格(可能是其他文档改了扩展名)")
    )


# ---------------------------------------------------------------- zip checks


def _unpacked(data: bytes) -> dict[str, bytes]:
    """Every member inflated here, under the unpacked-size limit: the sum of
    the declared sizes is checked before anything is inflated, and each
    member is inflated in bounded steps counting what really comes out, so a
    member that lies about its size is caught as well."""
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as e:
        raise CellError(_("无法读取表格文件(压缩结构已损坏):%(error)s") % {"error": e})
    infos = z.infolist()
    limits.check_members(len(infos))
    limits.check_unpacked(sum(i.file_size for i in infos))
    out: dict[str, bytes] = {}
    total = 0
    try:
        for info in infos:
            if info.is_dir():
                continue
            parts = []
            with z.open(info) as f:
                while chunk := f.read(4 * limits.MiB):
                    total += len(chunk)
                    if total > limits.MAX_UNPACKED_BYTES:
                        limits.check_unpacked(total)
                    parts.append(chunk)
            out[info.filename] = b"".join(parts)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as e:
        raise CellError(_("无法读取表格文件(压缩结构已损坏):%(error)s") % {"error": e})
    return out


def _write_stored_zip(members: dict[str, bytes], f) -> None:
    """The members again, uncompressed, into the file `f`: the reader then
    reads exactly the bytes that were measured, whatever the original
    headers claimed."""
    with zipfile.ZipFile(f, "w", zipfile.ZIP_STORED) as z:
        for name, body in members.items():
            z.writestr(name, body)


def _stored_zip(members: dict[str, bytes]) -> bytes:
    """_write_stored_zip into bytes (for the child process)."""
    buf = io.BytesIO()
    _write_stored_zip(members, buf)
    return buf.getvalue()


_ACTIVE_TAB = re.compile(rb'activeTab="(\d+)"')
_SHEET = re.compile(rb"<(?:\w+:)?sheet\b[^>]*>")
_STATE_HIDDEN = re.compile(rb'state="(?:hidden|veryHidden)"')


def _xlsx_sheet_index(members: dict[str, bytes]) -> int:
    wb = members.get("xl/workbook.xml", b"")
    m = _ACTIVE_TAB.search(wb)
    active = int(m.group(1)) if m else 0
    sheets = _SHEET.findall(wb)
    if active < len(sheets) and _STATE_HIDDEN.search(sheets[active]):
        active = 0
    return active


# ---------------------------------------------------------------- reading


def _normalise(cells) -> tuple:
    """Whole-number floats → int (the one place this happens), empty strings
    → None. Readers give every number as a float: 3.0 households, 101.0."""
    return tuple(
        [
            (int(v) if v.is_integer() else v) if v.__class__ is float else None if v == "" else v
            for v in cells
        ]
    )


def _normalise_column(cells) -> list:
    """_normalise for one column of a whole sheet."""
    return [
        (int(v) if v.is_integer() else v) if v.__class__ is float else None if v == "" else v
        for v in cells
    ]


class CalamineRows:
    """The rows of the sheet calamine reads, (row number, normalised cells)
    one by one, or everything not yet taken at once, by column (`rest`): the
    column-wise walk of a 100,000-row sheet (block.py) then spends nothing per
    row on reading.

    The workbook is read in a thread started here, while the caller checks
    the XML: the thread writes the re-stored copy of the members, then waits
    until the caller lets calamine read it (`proceed`, once the extent limits
    passed: calamine allocates the whole grid) or drops it (`cancel`).
    Calamine parses without holding the GIL (about a second for 100,000
    rows), so the control-character scan runs meanwhile. Whatever the thread
    raises is raised where the rows are first used, as with the other
    readers, and the message is made there, in the caller's language
    (translations are per thread)."""

    def __init__(self, members: dict[str, bytes], index: int, deadline: float):
        self.deadline = deadline
        self.first = 0
        self.data: list | None = None
        self.pos = 0
        self._outcome: tuple | None = None
        self._go = threading.Event()
        self._cancelled = False
        self._thread = threading.Thread(
            target=self._work, args=(members, index), name="gaizao-calamine", daemon=True
        )
        self._thread.start()

    def proceed(self) -> "CalamineRows":
        self._go.set()
        return self

    def cancel(self) -> None:
        self._cancelled = True
        self._go.set()

    def _work(self, members: dict[str, bytes], index: int) -> None:
        try:
            self._outcome = ("ok", self._read(members, index))
        except Exception as e:  # calamine's errors have several types
            self._outcome = ("error", e)

    def _load(self) -> list:
        if self.data is None:
            self._thread.join()
            kind, value = self._outcome or ("error", RuntimeError("no result"))
            self._outcome = None
            if kind == "error":
                raise CellError(_("无法读取表格文件(文件可能已损坏):%(error)s") % {"error": value})
            if time.monotonic() > self.deadline:
                raise limits.time_exceeded()
            self.first, self.data = value
        return self.data

    def _read(self, members: dict[str, bytes], index: int) -> tuple[int, list]:
        import python_calamine as pc

        # From a file, not a BytesIO: calamine takes a file-like object in
        # through Python reads, 0.1–0.2 s more for a 50 MB sheet. The file is
        # the re-stored copy of the members checked in read_rows, written
        # straight into it and removed as soon as it is read.
        with tempfile.NamedTemporaryFile(prefix="gaizao-import-", suffix=".xlsx") as f:
            _write_stored_zip(members, f)
            f.flush()
            self._go.wait(limits.MAX_SECONDS)
            if self._cancelled or not self._go.is_set():
                return 0, []
            wb = pc.CalamineWorkbook.from_path(f.name)
            sheet = _first_sheet(pc, wb, index)
        if sheet is None:
            return 0, []
        return sheet.start[0] + 1, list(sheet.iter_rows())

    def __iter__(self):
        return self

    def __next__(self) -> tuple[int, tuple]:
        data = self._load()
        i = self.pos
        if i >= len(data):
            raise StopIteration
        self.pos = i + 1
        if i & 1023 == 0 and time.monotonic() > self.deadline:
            raise limits.time_exceeded()
        return self.first + i, _normalise(data[i])

    def rest(self) -> tuple[list[int], list[list]]:
        """The rows not yet taken: (their row numbers, their normalised
        columns, as wide as the widest row, short rows padded with None)."""
        data = self._load()
        rows = data[self.pos :]
        start = self.first + self.pos
        self.pos = len(data)
        columns = [_normalise_column(col) for col in zip_longest(*rows)]
        if time.monotonic() > self.deadline:
            raise limits.time_exceeded()
        return list(range(start, start + len(rows))), columns


def _first_sheet(pc, wb, index: int):
    """The sheet at `index` (the active one), else the first worksheet with data."""
    names = wb.sheet_names
    for i in [index] + [i for i in range(len(names)) if i != index]:
        if i >= len(names) or wb.sheets_metadata[i].typ != pc.SheetTypeEnum.WorkSheet:
            continue
        candidate = wb.get_sheet_by_index(i)
        if candidate.height and candidate.start is not None:
            return candidate
    return None


def _from_child(value):
    if value.__class__ is tuple and value and value[0][:1] == "\x00":
        kind, v = value
        if kind == "\x00timedelta":
            return timedelta(seconds=v)
        return {"\x00datetime": datetime, "\x00date": date, "\x00time": dtime}[kind].fromisoformat(
            v
        )
    return value


def _child_rows(data: bytes, deadline: float) -> Iterator[tuple[int, tuple]]:
    """Read in a child process under a memory and CPU cap (see isolated.py)."""
    script = Path(__file__).with_name("isolated.py")

    def cap():  # runs in the child before it starts
        resource.setrlimit(
            resource.RLIMIT_AS, (limits.CHILD_MEMORY_BYTES, limits.CHILD_MEMORY_BYTES)
        )
        resource.setrlimit(resource.RLIMIT_CPU, (limits.MAX_SECONDS, limits.MAX_SECONDS + 1))

    args = [str(x) for x in (limits.MAX_ROWS, limits.MAX_COLUMNS, limits.MAX_CELLS)]
    try:
        done = subprocess.run(
            [sys.executable, "-I", str(script), *args],
            input=data,
            capture_output=True,
            timeout=max(1.0, deadline - time.monotonic()),
            preexec_fn=cap,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise limits.time_exceeded()
    if done.returncode != 0:
        if done.returncode in (-9, -24, 152) or b"Timeout" in done.stderr:
            raise limits.time_exceeded()
        raise limits.memory_exceeded()
    try:
        out = marshal.loads(done.stdout)
    except (EOFError, ValueError, TypeError):
        raise limits.memory_exceeded()
    if "extent" in out:
        limits.check_extent(*out["extent"])
    if "error" in out:
        raise CellError(_("无法读取表格文件(文件可能已损坏):%(error)s") % {"error": out["error"]})
    first = out["start"] + 1
    for i, cells in enumerate(out["rows"]):
        yield first + i, _normalise([_from_child(v) for v in cells])


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
    lines = content.count("\n") + 1
    if lines > limits.MAX_ROWS:
        limits.check_extent(lines, 1)
    # The delimiter most used on the first line that has one: a header such as
    # "建设规模(约,万平方米)" in a tab-separated file holds a comma.
    sample = next((line for line in content[:8192].splitlines() if line.strip()), "")
    delimiter = ","
    counts = {d: sample.count(d) for d in (",", "\t", ";")}
    if max(counts.values()) > 0:
        delimiter = max(counts, key=counts.get)  # a tie keeps the comma
    reader = csv.reader(io.StringIO(content, newline=""), delimiter=delimiter)
    for i, row in enumerate(reader, start=1):
        if len(row) > limits.MAX_COLUMNS:
            limits.check_extent(i, len(row))
        yield i, tuple(None if not c else c for c in row)


def _checked(rows: Iterator[tuple[int, tuple]], deadline: float, scan: bool):
    """Refuse a cell with a control character, naming its row and column;
    watch the time."""
    for n, (rownum, cells) in enumerate(rows):
        if scan:
            for i, v in enumerate(cells):
                if v.__class__ is str and (m := _CONTROL.search(v)):
                    raise control_error(rownum, i + 1, m.group())
        if n & 1023 == 0 and time.monotonic() > deadline:
            raise limits.time_exceeded()
        yield rownum, cells


def read_rows(file_or_path, filename=None) -> Iterator[tuple[int, tuple]]:
    deadline = time.monotonic() + limits.MAX_SECONDS
    name = _name_of(file_or_path, filename)
    data = _open_bytes(file_or_path)
    if not data:
        raise CellError(_("文件为空"))
    kind = detect_kind(data, name)
    if kind == "csv":
        return _checked(_csv_rows(data), deadline, bool(_CONTROL.search(decode_csv(data))))
    if kind == "xls":
        return _checked(_child_rows(data, deadline), deadline, True)
    members = _unpacked(data)
    if kind == "xlsx":
        index = _xlsx_sheet_index(members)
        sheets = [k for k in members if k.startswith("xl/worksheets/") and k.endswith(".xml")]
        # The re-stored copy is written in a thread meanwhile; calamine reads
        # it only once the extent limits passed.
        rows = CalamineRows(members, index, deadline)
        try:
            extents = [xlsx_extent(members[k]) for k in sheets]
            if all(e is not None for e in extents):
                for e in extents:
                    limits.check_extent(*e)
                rows.proceed()
                # Meanwhile: control characters are refused in the XML (no scan of the cells).
                refuse_xml_control(members, sheets)
                return rows
        except BaseException:
            rows.cancel()
            raise
        rows.cancel()
    return _checked(_child_rows(_stored_zip(members), deadline), deadline, True)
