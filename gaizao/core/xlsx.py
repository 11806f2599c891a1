"""Excel export helper: every list page exports to .xlsx through this."""

from io import BytesIO

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter


def workbook_bytes(title: str, headers: list[str], rows, *, sheet_title: str = "Sheet1") -> bytes:
    wb = Workbook(write_only=False)
    ws = wb.active
    ws.title = sheet_title[:31]
    ws.append(headers)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for cell in ws[1]:
        cell.font = bold
        cell.fill = fill
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    widths = [max(6, len(str(h)) * 2 + 2) for h in headers]
    for row in rows:
        row = list(row)
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
