"""Read one sheet of a binary workbook (.xls, WPS .et, .xlsb, .ods) in a child
process: `python -I isolated.py MAX_ROWS MAX_COLUMNS MAX_CELLS < workbook`.

The extent of these formats cannot be seen without parsing them, and the
reader (calamine) builds the sheet's whole grid in memory and aborts the
process when an allocation fails. So the parent (reading.py) runs this
script under a memory and CPU-time cap; a file that would exhaust them
kills only this child. The grid is checked against the limits before any
row is sent back.

Writes a marshal document to stdout: {"extent": [rows, columns]} when the
sheet is over a limit, {"error": text} when the file cannot be read, else
{"start": row offset, "rows": [[cell, ...], ...]} with dates as tagged
tuples ("\\x00d", iso) — marshal carries only plain values. Imports no
Django: it runs as a script, outside the package.
"""

import datetime
import io
import marshal
import sys


def _plain(v):
    if isinstance(v, datetime.datetime | datetime.date | datetime.time):
        return ("\x00" + type(v).__name__, v.isoformat())
    if isinstance(v, datetime.timedelta):
        return ("\x00timedelta", v.total_seconds())
    return v


def main() -> None:
    max_rows, max_columns, max_cells = (int(x) for x in sys.argv[1:4])
    data = sys.stdin.buffer.read()
    try:
        import python_calamine as pc

        wb = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = None
        for i, meta in enumerate(wb.sheets_metadata):
            if str(meta.typ).endswith("WorkSheet") and str(meta.visible).endswith(".Visible"):
                candidate = wb.get_sheet_by_index(i)
                if candidate.height:
                    sheet = candidate
                    break
        if sheet is None:
            out = {"start": 0, "rows": []}
        else:
            rows = sheet.start[0] + sheet.height
            cols = sheet.start[1] + sheet.width
            if rows > max_rows or cols > max_columns or rows * cols > max_cells:
                out = {"extent": [rows, cols]}
            else:
                out = {
                    "start": sheet.start[0],
                    "rows": [[_plain(v) for v in r] for r in sheet.iter_rows()],
                }
    except Exception as e:  # any reader error goes back as text
        out = {"error": f"{type(e).__name__}: {e}"[:500]}
    sys.stdout.buffer.write(marshal.dumps(out))


if __name__ == "__main__":
    main()
