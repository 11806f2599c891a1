"""Maps that load by viewport: a bbox parameter and server-side clustering
on a pixel grid, so a response stays small (a few hundred markers at most,
≤ ~200 KB) whatever the number of compounds (STYLE.md habit 18). Shared by
the compound map (inventory) and the one map (disclosure), hence here, below
both. Pure functions over plain tuples, except `focus`, which reads a
queryset's coordinates. Coordinates are WGS-84 (gaizao.core.geo)."""

import math
from decimal import Decimal, InvalidOperation

from django.db.models import F, Max, Min
from django.db.models.functions import Mod

CELL_PX = 56  # cluster grid cell, in screen pixels
MAX_POINTS = 20_000  # compounds read for one viewport, at most
# Grid cells one answer may hold: a 1920 × 1080 screen is ~660 cells of
# CELL_PX; at ~150 bytes a marker, 900 keep an answer near 135 KB.
MAX_CELLS = 900


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


def parse_zoom(text: str) -> int:
    if not (text or "").isdigit() or not 0 <= int(text) <= 22:
        raise BadParam("zoom")
    return int(text)


def fit_zoom(bbox, zoom: int) -> int:
    """The zoom to cluster at: the one asked, or lower when the bbox is
    larger than a screen at that zoom (a forged or huge viewport), so that
    the grid never holds more than MAX_CELLS cells."""
    w, s, e, n = bbox
    while zoom > 0:
        x0, y0 = _pixel(w, n, zoom)
        x1, y1 = _pixel(e, s, zoom)
        if (abs(x1 - x0) / CELL_PX + 1) * (abs(y1 - y0) / CELL_PX + 1) <= MAX_CELLS:
            break
        zoom -= 1
    return zoom


def _pixel(lon: float, lat: float, zoom: int) -> tuple[float, float]:
    scale = 256 * (1 << zoom)
    x = (lon + 180) / 360 * scale
    r = math.radians(max(min(lat, 85.0511), -85.0511))
    y = (1 - math.asinh(math.tan(r)) / math.pi) / 2 * scale
    return x, y


def cluster(points, zoom: int, *, kind: str = "stage", kinds: str = "stages") -> list[dict]:
    """points: [(id, name, lat, lon, kind value)] → markers. A grid cell
    holding one compound gives a point ({id, name, lat, lon, <kind>}); several
    give a cluster at their mean position with the count, the count per kind
    value (<kinds>) and their bounding box."""
    cells: dict = {}
    for p in points:
        x, y = _pixel(p[3], p[2], zoom)
        cells.setdefault((int(x // CELL_PX), int(y // CELL_PX)), []).append(p)
    out = []
    for members in cells.values():
        if len(members) == 1:
            cid, name, lat, lon, value = members[0]
            out.append({"id": cid, "name": name, "lat": lat, "lon": lon, kind: value})
            continue
        counts: dict[str, int] = {}
        for m in members:
            counts[m[4]] = counts.get(m[4], 0) + 1
        out.append(
            {
                "n": len(members),
                "lat": round(sum(m[2] for m in members) / len(members), 6),
                "lon": round(sum(m[3] for m in members) / len(members), 6),
                kinds: counts,
                "bbox": [
                    min(m[3] for m in members),
                    min(m[2] for m in members),
                    max(m[3] for m in members),
                    max(m[2] for m in members),
                ],
            }
        )
    return out


def in_bbox(qs, bbox):
    w, s, e, n = bbox
    return qs.filter(latitude__gte=s, latitude__lte=n, longitude__gte=w, longitude__lte=e)


FOCUS_SAMPLE = 2_000  # coordinates read for the first view, at most


def focus(base) -> list[float] | None:
    """The first view: where most compounds are (5th to 95th percentile of
    their coordinates), so a few outlying ones do not zoom the map out. A
    scope of more than FOCUS_SAMPLE located compounds is sampled evenly over
    the id range (every k-th id, chosen in SQL), so the rows read into
    Python stay bounded whatever the jurisdiction (STYLE.md habit 18)."""
    located = base.filter(latitude__isnull=False, longitude__isnull=False).order_by()
    rows = list(located.values_list("latitude", "longitude")[: FOCUS_SAMPLE + 1])
    if len(rows) > FOCUS_SAMPLE:
        span = located.aggregate(lo=Min("id"), hi=Max("id"))
        step = (span["hi"] - span["lo"]) // FOCUS_SAMPLE + 1
        rows = list(
            located.alias(k=Mod(F("id") - span["lo"], step))
            .filter(k=0)
            .values_list("latitude", "longitude")[: 2 * FOCUS_SAMPLE]
        )
    lats = [float(lat) for lat, _lon in rows]
    lons = [float(lon) for _lat, lon in rows]
    if not lats:
        return None
    lats.sort()
    lons.sort()
    lo, hi = int(len(lats) * 0.05), max(0, int(len(lats) * 0.95) - 1)
    return [lons[lo], lats[lo], lons[hi], lats[hi]]
