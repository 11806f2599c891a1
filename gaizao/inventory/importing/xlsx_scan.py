"""Checks on an .xlsx's XML before the reader (calamine) sees it: pure, no ORM.

`xlsx_extent` bounds the grid calamine would allocate for a sheet — it builds
the whole used range in memory and aborts the process when an allocation
fails, so a reference like ZZZZZZZ2 must be refused before it is read.
`refuse_xml_control` names the row and column of a control character, which
calamine would only report as invalid XML. Both run over the whole sheet XML
(51 MB for 100,000 rows), so each is a few passes of C scans.
"""

import re
from functools import lru_cache

from django.utils.translation import gettext as _

from . import limits
from .cells import CellError

# The sheet XML is scanned before the reader sees it (51 MB for 100,000
# rows): a few passes, each a C scan for a literal prefix.
# - a namespace-prefixed cell or row element (<x:c …>, <x:row>);
_PREFIXED = re.compile(rb":(?:c[\s/>]|row)")
# - a cell whose reference is not its first attribute, written ` r="…"`
#   (<c>, <c/>, <c s="1" r="A1">, <c\tr=…>, r='…'): its place is implicit,
#   or not seen by the scan below;
_CELL_WITHOUT_REF = re.compile(rb'<c(?:[\t\n\r/>]| (?!r="))')
# - the references that can be over a limit: two or more column letters
#   (with their row number), or a row number as long as the row limit.
_WIDE_OR_TALL = rb' r="(?:([A-Z]{2,})([0-9]*)|[A-Z]?([0-9]{%d,}))"'


@lru_cache(maxsize=8)
def _refs(digits: int) -> re.Pattern:
    return re.compile(_WIDE_OR_TALL % digits)


def _row_limit(columns: int) -> int:
    return min(limits.MAX_ROWS, limits.MAX_CELLS // max(columns, 1))


def _col_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def xlsx_extent(xml: bytes) -> tuple[int, int] | None:
    """A bound on the (rows, columns) the reader would allocate for this sheet
    XML, found without parsing it: the widest column among the references of
    two or more letters (else 26), and the highest row number among the
    references at least as long as the row limit. None when a cell has no
    reference of its own (its place is implicit) or the XML is
    namespace-prefixed: such a file is read in the child process instead."""
    if _PREFIXED.search(xml) or _CELL_WITHOUT_REF.search(xml):
        return None
    has_cells = b'<c r="' in xml
    digits = len(str(_row_limit(26)))
    found = _refs(digits).findall(xml)
    columns = max(
        (_col_number(w) for w in {w for w, _r, _t in found if w}),
        default=26 if has_cells else 0,
    )
    if columns > limits.MAX_COLUMNS:
        return 0, columns
    row_limit = _row_limit(columns)
    if len(str(row_limit)) < digits:  # a wide sheet has a lower row limit: look again
        digits = len(str(row_limit))
        found = _refs(digits).findall(xml)
    rows = max((int(r or t) for _w, r, t in found if r or t), default=0)
    if rows <= row_limit:  # within the limit: report the bound, not more
        rows = min(row_limit, 10 ** (digits - 1))
    return rows, columns


def control_error(rownum, column: int, char: str) -> CellError:
    from openpyxl.utils import get_column_letter

    return CellError(
        _("第%(row)s行第%(column)s列含有不可见的控制字符(%(char)s),请删除该字符后重新导入")
        % {
            "row": rownum,
            "column": get_column_letter(column),
            "char": "NUL" if char == "\x00" else f"U+{ord(char):04X}",
        }
    )


# Character references a parser would turn into a control character.
_XML_CONTROL = re.compile(
    rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|&#(?:x0*(?:[0-8bcefBCEF]|1[0-9a-fA-F]|7[fF])|0*(?:[0-8]|1[124-9]|2[0-9]|3[01]|127));"
    rb"|_x00(?:0[0-8bcefBCEF]|1[0-9a-fA-F])_"
)


_SAFE_BYTES = bytes(b for b in range(256) if b not in (*range(9), 11, 12, *range(14, 32), 127))


def _has_control(xml: bytes) -> bool:
    """Does this XML hold a control character, raw or escaped? (One pass in C.)"""
    if xml.translate(None, _SAFE_BYTES):
        return True
    return (b"&#" in xml or b"_x00" in xml) and _XML_CONTROL.search(xml) is not None


def refuse_xml_control(members: dict[str, bytes], sheets: list[str]) -> None:
    """An .xlsx cell holding a control character (raw or as &#0;) is refused
    with its row and column; the reader itself would only say "invalid XML"."""
    for name, xml in members.items():
        if not name.endswith(".xml") or not _has_control(xml):
            continue
        m = _XML_CONTROL.search(xml)
        raw = m.group()
        char = (
            chr(int(raw[3:-1], 16) if raw[:3] == b"&#x" else int(raw[2:-1]))
            if raw[:2] == b"&#"
            else (chr(int(raw[2:-1], 16)) if raw[:2] == b"_x" else raw.decode("latin-1"))
        )
        where = None
        if name in sheets:
            start = xml.rfind(b'<c r="', 0, m.start())
            where = (
                re.match(rb'<c r="([A-Z]+)([0-9]+)"', xml[start : start + 30])
                if start >= 0
                else None
            )
        elif name.endswith("sharedStrings.xml"):
            index = xml.count(b"<si>", 0, m.start()) + xml.count(b"<si ", 0, m.start()) - 1
            pattern = re.compile(rb'<c r="([A-Z]+)([0-9]+)"[^>]*t="s"[^>]*>\s*<v>%d</v>' % index)
            for sheet in sheets:
                where = pattern.search(members[sheet]) or where
                if where:
                    break
        if where:
            raise control_error(int(where.group(2)), _col_number(where.group(1)), char)
        raise CellError(
            _("表格中含有不可见的控制字符(%(char)s),请删除后重新导入")
            % {"char": "NUL" if char == "\x00" else f"U+{ord(char):04X}"}
        )
