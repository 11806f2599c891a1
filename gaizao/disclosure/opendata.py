"""Open data (开放数据): the public rows of every compound as CSV, .xlsx and
GeoJSON, with exactly the columns of the data dictionary (public.PUBLIC_FIELDS)."""

import csv
import io
import json
from decimal import Decimal

from gaizao.core.xlsx import workbook_bytes

from . import public


def _plain(v):
    if v is None:
        return ""
    if isinstance(v, Decimal):
        return format(v.normalize() if v == v.to_integral_value() else v, "f")
    return v


def csv_bytes(rows: list[dict]) -> bytes:
    """UTF-8 with BOM (Excel on Chinese Windows opens it right); header row =
    field names, the data dictionary gives the labels."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(public.FIELD_NAMES)
    for r in rows:
        w.writerow([_plain(r[k]) for k in public.FIELD_NAMES])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def xlsx_bytes(rows: list[dict]) -> bytes:
    headers = [str(label) for _k, label, _t, _d in public.PUBLIC_FIELDS]
    return workbook_bytes(
        "open data",
        headers,
        ([r[k] for k in public.FIELD_NAMES] for r in rows),
        sheet_title="compounds",
    )


def _json_value(v):
    if isinstance(v, Decimal):
        return float(v)
    return v


def geojson_bytes(rows: list[dict]) -> bytes:
    """A FeatureCollection of points (WGS-84, [longitude, latitude]); a
    compound without coordinates has geometry null (RFC 7946 §3.2)."""
    feats = []
    for r in rows:
        geom = None
        if r["latitude"] is not None and r["longitude"] is not None:
            geom = {"type": "Point", "coordinates": [float(r["longitude"]), float(r["latitude"])]}
        props = {k: _json_value(r[k]) for k in public.FIELD_NAMES}
        feats.append({"type": "Feature", "id": r["id"], "geometry": geom, "properties": props})
    doc = {"type": "FeatureCollection", "features": feats}
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


FORMATS = {
    "csv": (csv_bytes, "text/csv; charset=utf-8"),
    "xlsx": (
        xlsx_bytes,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    "geojson": (geojson_bytes, "application/geo+json"),
}
