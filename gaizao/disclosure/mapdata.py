"""The one map's data: compounds inside a viewport (bbox), with the list's
filters (street, batch, stage), clustered on the server on a pixel grid so a
response stays small (a few hundred markers at most, ≤ ~200 KB) whatever the
number of compounds. Coordinates are WGS-84 (stored so; GCJ-02 input is
converted on import, gaizao.core.geo)."""

import math
from decimal import Decimal, InvalidOperation

from . import selectors as sel

CELL_PX = 56  # cluster grid cell, in screen pixels
MAX_POINTS = 20_000


class BadParam(ValueError):
    pass


def parse_bbox(text: str) -> tuple[float, float, float, float]:
    """ "west,south,east,north" in degrees (WGS-84) → floats, validated."""
    try:
        w, s, e, n = (float(Decimal(p.strip())) for p in text.split(","))
    except (ValueError, InvalidOperation):
        raise BadParam("bbox") from None
    if not (-180 <= w < e <= 180 and -90 <= s < n <= 90):
        raise BadParam("bbox")
    return w, s, e, n


def _pixel(lon: float, lat: float, zoom: int) -> tuple[float, float]:
    scale = 256 * (1 << zoom)
    x = (lon + 180) / 360 * scale
    r = math.radians(max(min(lat, 85.0511), -85.0511))
    y = (1 - math.asinh(math.tan(r)) / math.pi) / 2 * scale
    return x, y


def last_stage(flags: dict[str, bool]) -> str:
    out = ""
    for key, _label in sel.STAGES:
        if flags[key]:
            out = key
    return out


def cluster(points, zoom: int) -> list[dict]:
    """points: [(id, name, lat, lon, stage)] → markers. A grid cell holding
    one compound gives a point; several give a cluster at their mean
    position with the count and the count per stage. Pure, tested."""
    cells: dict = {}
    for p in points:
        x, y = _pixel(p[3], p[2], zoom)
        cells.setdefault((int(x // CELL_PX), int(y // CELL_PX)), []).append(p)
    out = []
    for members in cells.values():
        if len(members) == 1:
            cid, name, lat, lon, stage = members[0]
            out.append({"id": cid, "name": name, "lat": lat, "lon": lon, "stage": stage})
            continue
        stages: dict[str, int] = {}
        for m in members:
            stages[m[4]] = stages.get(m[4], 0) + 1
        out.append(
            {
                "n": len(members),
                "lat": round(sum(m[2] for m in members) / len(members), 6),
                "lon": round(sum(m[3] for m in members) / len(members), 6),
                "stages": stages,
                "bbox": [
                    min(m[3] for m in members),
                    min(m[2] for m in members),
                    max(m[3] for m in members),
                    max(m[2] for m in members),
                ],
            }
        )
    return out


def focus(base) -> list[float] | None:
    """The first view: where most compounds are (5th to 95th percentile of
    their coordinates), so a few outlying ones do not zoom the map out."""
    lats, lons = [], []
    for lat, lon in base.filter(latitude__isnull=False, longitude__isnull=False).values_list(
        "latitude", "longitude"
    ):
        lats.append(float(lat))
        lons.append(float(lon))
    if not lats:
        return None
    lats.sort()
    lons.sort()
    lo, hi = int(len(lats) * 0.05), max(0, int(len(lats) * 0.95) - 1)
    return [lons[lo], lats[lo], lons[hi], lats[hi]]


def points(base, bbox, *, stage="", street=None, batch=None) -> list[tuple]:
    """[(id, name, lat, lon, stage)] of the compounds in bbox (annotated,
    filtered like the drill-down list)."""
    w, s, e, n = bbox
    qs = base.filter(latitude__gte=s, latitude__lte=n, longitude__gte=w, longitude__lte=e)
    qs = sel.filter_compounds(sel.annotated_compounds(qs), stage=stage, street=street, batch=batch)
    out = []
    for row in qs.order_by().values_list("id", "name", "latitude", "longitude", *sel.FLAG_FIELDS)[
        :MAX_POINTS
    ]:
        flags = sel.reached_stages(*row[4:])
        out.append((row[0], row[1], float(row[2]), float(row[3]), last_stage(flags)))
    return out
