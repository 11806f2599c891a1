"""The plan's bill of items (工程量清单) as .xlsx: title rows saying which plan
this is (compound, version, status, date), then the table. Printed and filed
on its own, a sheet must name its plan."""

from io import BytesIO

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from gaizao.core.xlsx import download, safe_cell, safe_row


def bill_workbook(
    *, sheet_title: str, title: str, meta: list[tuple[str, str]], headers: list[str], rows
) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = sheet_title[:31]
    ws.append([safe_cell(title)])
    ws["A1"].font = Font(bold=True, size=14)
    for label, value in meta:
        ws.append(safe_row([label, value]))
        ws.cell(row=ws.max_row, column=1).font = Font(bold=True)
    ws.append([])
    ws.append(safe_row(headers))
    header_row = ws.max_row
    fill = PatternFill("solid", fgColor="DDEBF7")
    for cell in ws[header_row]:
        cell.font = Font(bold=True)
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
    ws.freeze_panes = f"A{header_row + 1}"
    ws.print_title_rows = f"{header_row}:{header_row}"
    wb.properties.title = title
    buf = BytesIO()
    wb.save(buf)
    return buf.getvalue()


def bill_response(filename: str, **kw) -> HttpResponse:
    return download(bill_workbook(**kw), filename)
