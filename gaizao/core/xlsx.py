"""Excel export helper: every list page exports to .xlsx through this, and
every workbook the application writes passes its cells through `safe_row`."""

from io import BytesIO

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

# A text cell starting with one of these is read by Excel, WPS and LibreOffice
# as a formula (or as the start of one: tab and CR are stripped before
# parsing). A resident's feedback "=HYPERLINK(...)" must land as text in the
# staff's export, not as a live link (OWASP "CSV injection"; issue 9 #3).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """`value` as an export cell: text that would start a formula gets a
    leading apostrophe, Excel's own "this is text" marker; numbers, dates
    and everything else pass through."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def safe_row(row) -> list:
    return [safe_cell(v) for v in row]


def workbook_bytes(title: str, headers: list[str], rows, *, sheet_title: str = "Sheet1") -> bytes:
    wb = Workbook(write_only=False)
    ws = wb.active
    ws.title = sheet_title[:31]
    ws.append(safe_row(headers))
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for cell in ws[1]:
        cell.font = bold
        cell.fill = fill
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    widths = [max(6, len(str(h)) * 2 + 2) for h in headers]
    for row in rows:
        row = safe_row(row)
        ws.append(row)
        for i, v in enumerate(row[: len(widths)]):
            n = len(str(v)) if v is not None else 0
            widths[i] = min(40, max(widths[i], n + 2))
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.freeze_panes = "A2"
    wb.properties.title = title
    buf = BytesIO()
    wb.save(buf)
    return buf.getvalue()


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download(data: bytes, filename: str) -> HttpResponse:
    """Workbook bytes as an attachment (the file name may be Chinese)."""
    resp = HttpResponse(data, content_type=XLSX_TYPE)
    resp["Content-Disposition"] = content_disposition_header(True, filename)
    return resp


def xlsx_response(filename: str, title: str, headers: list[str], rows) -> HttpResponse:
    return download(workbook_bytes(title, headers, rows), filename)
