"""A fast reader for the cell values of one .xlsx sheet.

openpyxl's read-only mode builds an object per cell and reads about 2,500
rows/s on a small server; a 100,000-unit register would take most of a
minute. A sheet's XML is regular enough to scan with compiled regular
expressions (the scanning runs in C), which is ~10× faster. Values come out
as openpyxl's `values_only` would give them: str, int, float, bool,
datetime for date-formatted numbers, None for blanks. Anything unusual
(namespace-prefixed XML) returns None and the caller falls back to openpyxl.
"""

import html
import re
import zipfile
from xml.etree import ElementTree as ET

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.datetime import from_excel

NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
RNS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"

_ROW = re.compile(r"<row\b([^>]*?)(?:/>|>(.*?)</row>)", re.S)
_ROW_R = re.compile(r'\br="(\d+)"')
_CELL = re.compile(r"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.S)
_ATTR = re.compile(r'(\w+)="([^"]*)"')
_V = re.compile(r"<v>(.*?)</v>", re.S)
_T = re.compile(r"<t\b[^>]*>(.*?)</t>", re.S)
_RPH = re.compile(r"<rPh\b.*?</rPh>", re.S)
_REF = re.compile(r"([A-Z]+)(\d*)")


def _col_index(letters: str, cache: dict) -> int:
    i = cache.get(letters)
    if i is None:
        i = 0
        for ch in letters:
            i = i * 26 + (ord(ch) - 64)
        i -= 1
        cache[letters] = i
    return i


def _unescape(s: str) -> str:
    return html.unescape(s) if "&" in s else s


def _shared_strings(z: zipfile.ZipFile, path: str) -> list[str]:
    try:
        data = z.read(path).decode("utf-8")
    except KeyError:
        return []
    out = []
    for si in re.finditer(r"<si>(.*?)</si>|<si/>", data, re.S):
        body = si.group(1) or ""
        if "<rPh" in body:
            body = _RPH.sub("", body)
        out.append(_unescape("".join(_T.findall(body))))
    return out


def _date_styles(z: zipfile.ZipFile) -> set[int]:
    try:
        root = ET.fromstring(z.read("xl/styles.xml"))
    except (KeyError, ET.ParseError):
        return set()
    custom = {}
    fmts = root.find(f"{NS}numFmts")
    if fmts is not None:
        for f in fmts:
            custom[int(f.get("numFmtId", "0"))] = f.get("formatCode", "")
    out = set()
    xfs = root.find(f"{NS}cellXfs")
    for i, xf in enumerate(xfs if xfs is not None else []):
        fid = int(xf.get("numFmtId", "0"))
        code = custom.get(fid) or BUILTIN_FORMATS.get(fid, "")
        if code and is_date_format(code):
            out.add(i)
    return out


def _sheet_paths(z: zipfile.ZipFile) -> list[str]:
    """Sheet XML paths, the active sheet first."""
    wb = ET.fromstring(z.read("xl/workbook.xml"))
    rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{PKG_RELS}Relationship")}
    paths = []
    for s in wb.iter(f"{NS}sheet"):
        t = targets.get(s.get(f"{RNS}id"), "")
        t = t.lstrip("/") if t.startswith("/") else "xl/" + t
        paths.append(t)
    view = wb.find(f"{NS}bookViews/{NS}workbookView")
    active = int(view.get("activeTab", "0")) if view is not None else 0
    if 0 < active < len(paths):
        paths.insert(0, paths.pop(active))
    return paths


def read_xlsx(data_or_zip) -> list[tuple[int, tuple]] | None:
    z = data_or_zip
    try:
        paths = _sheet_paths(z)
    except (KeyError, ET.ParseError):
        return None
    xml = None
    for p in paths:
        try:
            candidate = z.read(p).decode("utf-8")
        except KeyError:
            continue
        if "<row" not in candidate:
            if ":row" in candidate:
                return None  # namespace-prefixed: let openpyxl read it
            continue
        xml = candidate
        break
    if xml is None:
        return []
    shared = _shared_strings(z, "xl/sharedStrings.xml")
    dates = _date_styles(z)
    start = xml.find("<sheetData")
    end = xml.rfind("</sheetData>")
    body = xml[start:end] if start >= 0 and end > start else xml
    cols: dict[str, int] = {}
    rows = []
    rownum = 0
    for m in _ROW.finditer(body):
        r = _ROW_R.search(m.group(1))
        rownum = int(r.group(1)) if r else rownum + 1
        content = m.group(2)
        if not content:
            continue
        values: list = []
        pos = 0
        for c in _CELL.finditer(content):
            attrs = dict(_ATTR.findall(c.group(1)))
            ref = attrs.get("r")
            if ref:
                idx = _col_index(_REF.match(ref).group(1), cols)
            else:
                idx = pos
            pos = idx + 1
            inner = c.group(2)
            if not inner:
                continue
            t = attrs.get("t", "n")
            if t == "inlineStr":
                value = _unescape("".join(_T.findall(_RPH.sub("", inner))))
            else:
                v = _V.search(inner)
                if v is None:
                    continue
                raw = v.group(1)
                if t == "s":
                    value = shared[int(raw)]
                elif t == "n":
                    if not raw:
                        continue
                    if "." in raw or "E" in raw or "e" in raw:
                        value = float(raw)
                    else:
                        value = int(raw)
                    if dates and int(attrs.get("s", "0")) in dates:
                        value = from_excel(value)
                elif t == "b":
                    value = raw == "1"
                else:  # str (formula result), e (error), d (ISO date)
                    value = _unescape(raw)
            if idx >= len(values):
                values.extend([None] * (idx - len(values) + 1))
            values[idx] = value
        rows.append((rownum, tuple(values)))
    return rows
