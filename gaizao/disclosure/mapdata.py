"""The one map's data: compounds inside a viewport (bbox), with the list's
filters (street, batch, stage), clustered on the server on a pixel grid so a
response stays small (a few hundred markers at most, ≤ ~200 KB) whatever the
number of compounds. Coordinates are WGS-84 (stored so; GCJ-02 input is
converted on import, gaizao.core.geo). The grid and the bbox are
gaizao.inventory.mapgrid, shared with the compound map."""

from gaizao.inventory.mapgrid import (  # noqa: F401  (the map's API)
    CELL_PX,
    MAX_POINTS,
    BadParam,
    cluster,
    fit_zoom,
    focus,
    in_bbox,
    parse_bbox,
    parse_zoom,
)

from . import selectors as sel


def last_stage(flags: dict[str, bool]) -> str:
    out = ""
    for key, _label in sel.STAGES:
        if flags[key]:
            out = key
    return out


def points(base, bbox, *, stage="", street=None, batch=None) -> list[tuple]:
    """[(id, name, lat, lon, stage)] of the compounds in bbox (annotated,
    filtered like the drill-down list)."""
    qs = in_bbox(base, bbox)
    qs = sel.filter_compounds(sel.annotated_compounds(qs), stage=stage, street=street, batch=batch)
    out = []
    for row in qs.order_by().values_list("id", "name", "latitude", "longitude", *sel.FLAG_FIELDS)[
        :MAX_POINTS
    ]:
        flags = sel.reached_stages(*row[4:])
        out.append((row[0], row[1], float(row[2]), float(row[3]), last_stage(flags)))
    return out
