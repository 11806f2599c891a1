"""Hard limits on reading a spreadsheet, in one place (issue 9.2).

Each is checked before the work it guards: the file size before the file is
read, the unpacked size of a zip-based file (.xlsx, .xlsb, .ods) before any
member is inflated, the rows, columns and cells of an .xlsx sheet before the
reader builds its grid, and the time while reading. Binary formats whose
extent cannot be seen without parsing them (.xls, WPS .et, .xlsb, .ods) are
read in a child process under a memory and time cap, and their grid is
checked against the same limits before any row is used.

A refusal is a `CellError` whose message (Chinese, or English when the UI is
English) names the limit and the file's figure. docs/import.md has the table.
"""

from django.utils.translation import gettext as _

from .cells import CellError

MiB = 1024 * 1024

MAX_FILE_BYTES = 50 * MiB  # an upload or a file on disk
MAX_UNPACKED_BYTES = 300 * MiB  # all members of a zip-based workbook, inflated
MAX_MEMBERS = 2_000  # files inside a zip-based workbook
MAX_ROWS = 200_000  # rows of the sheet read (a district's register is ~100,000 units)
MAX_COLUMNS = 256  # columns (IV, the old Excel width; real tables use < 60)
MAX_CELLS = 5_000_000  # rows × columns of the sheet's used range
MAX_SECONDS = 60  # reading and parsing one file
CHILD_MEMORY_BYTES = 2048 * MiB  # address space of the child that reads binary formats


def _mb(n: int) -> str:
    return f"{n / MiB:.1f}".rstrip("0").rstrip(".")


def check_file_size(size: int) -> None:
    if size > MAX_FILE_BYTES:
        raise CellError(
            _("文件过大:%(size)sMB,超过上限%(limit)sMB。请删除多余的工作表或拆分后再导入")
            % {"size": _mb(size), "limit": _mb(MAX_FILE_BYTES)}
        )


def check_unpacked(total: int) -> None:
    if total > MAX_UNPACKED_BYTES:
        raise CellError(
            _(
                "文件解压后过大:%(size)sMB,超过上限%(limit)sMB"
                "(文件可能是压缩炸弹,或含有大量图片、多余的工作表)。没有读取任何内容"
            )
            % {"size": _mb(total), "limit": _mb(MAX_UNPACKED_BYTES)}
        )


def check_members(n: int) -> None:
    if n > MAX_MEMBERS:
        raise CellError(
            _("文件内部包含%(n)s个部件,超过上限%(limit)s个,不像是正常的表格文件")
            % {"n": n, "limit": MAX_MEMBERS}
        )


def check_extent(rows: int, columns: int) -> None:
    """The used range of the sheet: rows, columns, and their product."""
    if rows > MAX_ROWS:
        raise CellError(
            _("表格行数过多:用到第%(rows)s行,上限为%(limit)s行。请拆分后分批导入")
            % {"rows": rows, "limit": MAX_ROWS}
        )
    if columns > MAX_COLUMNS:
        raise CellError(
            _("表格列数过多:用到第%(columns)s列,上限为%(limit)s列。请删除多余的列后再导入")
            % {"columns": columns, "limit": MAX_COLUMNS}
        )
    if rows * columns > MAX_CELLS:
        raise CellError(
            _(
                "表格单元格过多:%(rows)s行×%(columns)s列,超过上限%(limit)s个单元格。"
                "请删除多余的行列或拆分后分批导入"
            )
            % {"rows": rows, "columns": columns, "limit": f"{MAX_CELLS:,}"}
        )


def time_exceeded() -> CellError:
    return CellError(
        _("读取表格超时(超过%(seconds)s秒),已停止。请删除多余内容或拆分后再导入")
        % {"seconds": MAX_SECONDS}
    )


def memory_exceeded() -> CellError:
    return CellError(
        _(
            "读取表格所需内存超过上限(%(limit)sMB),已停止。文件的有效区域可能被撑大,请另存为 .xlsx 后再试"
        )
        % {"limit": _mb(CHILD_MEMORY_BYTES)}
    )
