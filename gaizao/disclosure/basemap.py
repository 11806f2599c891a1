"""The offline base map (底图): one PMTiles archive of vector tiles, served by
the application (`/map/tiles/{z}/{x}/{y}.mvt`), drawn in the browser by
protomaps-leaflet (npm, vendor/protomaps-leaflet). No internet at run time.

The archive uses the layer names and `kind` values of the Protomaps basemap
schema (earth, water, roads, boundaries, places), so the same page draws
either the archive built here or a real extract of a Protomaps build
(docs/disclosure.md, "Base map": `pmtiles extract … --bbox=…`).

What we build from our own data (`gaizao basemap build`), since the server
has no map data and no internet:

- earth: the district's extent (the compounds' bounding box, widened);
- boundaries: each street's boundary where the district supplies one
  (`--boundaries FILE.geojson`, polygons with a `name` property); otherwise
  an approximate extent, the convex hull of its compounds widened by about
  300 m, marked `approximate: true` — a working sketch, not a surveyed line;
- places: each street's name at the centre of its compounds (kind locality);
- roads: only when supplied (`--roads FILE.geojson`, lines with `name` and a
  Protomaps `kind` such as major_road, minor_road).

Tiles: Web Mercator (EPSG:3857), extent 4096, gzip; encoded with
mapbox-vector-tile, written with the pmtiles package (both PyPI, pinned)."""

import gzip
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import mapbox_vector_tile
import numpy as np
import shapely
from pmtiles.reader import MmapSource, Reader
from pmtiles.tile import Compression, TileType, zxy_to_tileid
from pmtiles.writer import Writer
from shapely.geometry import MultiPoint, Point, box, shape

from gaizao.inventory.models import Compound

R = 6378137.0
HALF = math.pi * R
EXTENT = 4096
MIN_ZOOM, MAX_ZOOM = 8, 14
HULL_MARGIN_DEG = 0.003  # ≈ 300 m around the outermost compounds


def lonlat_to_mercator(lon: float, lat: float) -> tuple[float, float]:
    lat = max(min(lat, 85.05112878), -85.05112878)
    x = math.radians(lon) * R
    y = math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) * R
    return x, y


def _merc_array(coords: np.ndarray) -> np.ndarray:
    lon = coords[:, 0]
    lat = np.clip(coords[:, 1], -85.05112878, 85.05112878)
    x = np.radians(lon) * R
    y = np.log(np.tan(np.pi / 4 + np.radians(lat) / 2)) * R
    return np.column_stack([x, y])


def _to_merc(geom):
    return shapely.transform(geom, _merc_array)


def tile_bounds(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    size = 2 * HALF / (1 << z)
    minx = -HALF + x * size
    maxy = HALF - y * size
    return minx, maxy - size, minx + size, maxy


def tile_range(z: int, bbox: tuple[float, float, float, float]):
    """(x0, x1, y0, y1) inclusive tiles at zoom z covering a lon/lat bbox."""
    w, s, e, n = bbox
    n_ = 1 << z

    def tx(lon):
        return min(n_ - 1, max(0, int((lon + 180) / 360 * n_)))

    def ty(lat):
        r = math.radians(lat)
        return min(n_ - 1, max(0, int((1 - math.asinh(math.tan(r)) / math.pi) / 2 * n_)))

    return tx(w), tx(e), ty(n), ty(s)


@dataclass
class Layers:
    """Features in lon/lat (shapely geometries) with their properties, by layer."""

    bbox: tuple[float, float, float, float]
    layers: dict[str, list[tuple]] = field(default_factory=dict)

    def add(self, layer: str, geom, props: dict):
        self.layers.setdefault(layer, []).append((geom, props))


def _read_geojson(path) -> list[tuple]:
    doc = json.loads(Path(path).read_text(encoding="utf-8"))
    feats = doc["features"] if doc.get("type") == "FeatureCollection" else [doc]
    return [(shape(f["geometry"]), dict(f.get("properties") or {})) for f in feats]


def layers_from_data(boundaries=None, roads=None) -> Layers:
    """The base map's features from the compounds in the database (and the
    optional supplied GeoJSON boundaries and roads, WGS-84)."""
    by_street: dict = {}
    for name, lat, lon in Compound.objects.filter(
        latitude__isnull=False, longitude__isnull=False
    ).values_list("street__name", "latitude", "longitude"):
        by_street.setdefault(name or "", []).append((float(lon), float(lat)))
    pts = [p for ps in by_street.values() for p in ps]
    if not pts:
        raise ValueError("no compound has coordinates: nothing to draw a base map around")
    w = min(p[0] for p in pts) - 0.05
    e = max(p[0] for p in pts) + 0.05
    s = min(p[1] for p in pts) - 0.05
    n = max(p[1] for p in pts) + 0.05
    out = Layers(bbox=(w, s, e, n))
    out.add("earth", box(w, s, e, n), {"kind": "earth"})
    supplied = _read_geojson(boundaries) if boundaries else []
    for geom, props in supplied:
        out.add(
            "boundaries",
            geom.boundary if geom.geom_type in ("Polygon", "MultiPolygon") else geom,
            {"kind": "street", "kind_detail": 8, "name": str(props.get("name", ""))},
        )
    for name, ps in sorted(by_street.items()):
        hull = MultiPoint(ps).convex_hull.buffer(HULL_MARGIN_DEG)
        if not supplied:
            out.add(
                "boundaries",
                hull.boundary,
                {"kind": "street", "kind_detail": 8, "name": name, "approximate": True},
            )
        c = MultiPoint(ps).centroid
        out.add(
            "places",
            Point(c.x, c.y),
            {"kind": "locality", "name": name, "min_zoom": 9, "population_rank": 10},
        )
    for geom, props in _read_geojson(roads) if roads else []:
        out.add(
            "roads",
            geom,
            {"kind": str(props.get("kind", "minor_road")), "name": str(props.get("name", ""))},
        )
    return out


def encode_tile(merc_layers: dict, z: int, x: int, y: int) -> bytes | None:
    bounds = tile_bounds(z, x, y)
    pad = (bounds[2] - bounds[0]) * 64 / EXTENT
    clip = box(bounds[0] - pad, bounds[1] - pad, bounds[2] + pad, bounds[3] + pad)
    layers = []
    for name, feats in merc_layers.items():
        out = []
        for geom, props in feats:
            if not geom.intersects(clip):
                continue
            g = geom if geom.geom_type == "Point" else geom.intersection(clip)
            if g.is_empty:
                continue
            out.append({"geometry": g, "properties": props})
        if out:
            layers.append({"name": name, "features": out})
    if not layers:
        return None
    data = mapbox_vector_tile.encode(
        layers, default_options={"quantize_bounds": bounds, "extents": EXTENT}
    )
    return gzip.compress(data, mtime=0)


def build(path, layers: Layers, *, min_zoom: int = MIN_ZOOM, max_zoom: int = MAX_ZOOM) -> dict:
    """Write the archive; returns {"tiles": n, "bytes": size}."""
    merc = {name: [(_to_merc(g), p) for g, p in feats] for name, feats in layers.layers.items()}
    tiles = []
    for z in range(min_zoom, max_zoom + 1):
        x0, x1, y0, y1 = tile_range(z, layers.bbox)
        for x in range(x0, x1 + 1):
            for y in range(y0, y1 + 1):
                data = encode_tile(merc, z, x, y)
                if data is not None:
                    tiles.append((zxy_to_tileid(z, x, y), data))
    tiles.sort(key=lambda t: t[0])
    w, s, e, n = layers.bbox
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        writer = Writer(f)
        for tid, data in tiles:
            writer.write_tile(tid, data)
        writer.finalize(
            {
                "tile_type": TileType.MVT,
                "tile_compression": Compression.GZIP,
                "min_lon_e7": int(w * 1e7),
                "min_lat_e7": int(s * 1e7),
                "max_lon_e7": int(e * 1e7),
                "max_lat_e7": int(n * 1e7),
                "center_zoom": 11,
                "center_lon_e7": int((w + e) / 2 * 1e7),
                "center_lat_e7": int((s + n) / 2 * 1e7),
            },
            {
                "name": "gaizao base map",
                "attribution": "gaizao (built from the district's own data)",
                "vector_layers": [{"id": name, "fields": {}} for name in sorted(layers.layers)],
            },
        )
    return {"tiles": len(tiles), "bytes": Path(path).stat().st_size}


class Archive:
    """A PMTiles archive opened once (memory-mapped) and read by tile."""

    def __init__(self, path):
        self.path = Path(path)
        self._fh = open(self.path, "rb")  # noqa: SIM115 - kept open for the mmap
        self.reader = Reader(MmapSource(self._fh))
        self.header = self.reader.header()
        self.mtime = self.path.stat().st_mtime

    def tile(self, z: int, x: int, y: int) -> bytes | None:
        return self.reader.get(z, x, y)

    def bounds(self) -> tuple[float, float, float, float]:
        h = self.header
        return (
            h["min_lon_e7"] / 1e7,
            h["min_lat_e7"] / 1e7,
            h["max_lon_e7"] / 1e7,
            h["max_lat_e7"] / 1e7,
        )


_open: dict = {}


def archive(path) -> Archive | None:
    """The archive at `path`, reopened when the file changes; None if missing."""
    p = Path(path)
    if not p.is_file():
        return None
    a = _open.get(str(p))
    if a is None or a.mtime != p.stat().st_mtime:
        a = _open[str(p)] = Archive(p)
    return a
