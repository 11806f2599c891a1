"""The optional 坐标系 column of a compound sheet: coordinates are stored in
WGS-84 (CGCS2000 agrees to centimetres); points read off a Chinese web map
(高德/腾讯, GCJ-02) are converted with gaizao.core.geo (docs/disclosure.md)."""

from decimal import Decimal

from django.utils.translation import gettext as _

from gaizao.core.geo import gcj02_to_wgs84

from .cells import CellError

Q6 = Decimal("0.000001")
GCJ_NAMES = {"GCJ02", "GCJ", "火星坐标", "国测局坐标", "高德", "腾讯"}
WGS_NAMES = {"WGS84", "WGS", "CGCS2000", "GPS", "北斗"}


def to_wgs84(row: dict, system: str) -> None:
    """Convert row["latitude"/"longitude"] in place when `system` names GCJ-02;
    raise CellError for a system we do not know."""
    crs = (system or "").strip().upper().replace("-", "").replace(" ", "")
    if not crs or crs in WGS_NAMES:
        return
    if crs not in GCJ_NAMES:
        raise CellError(
            _("“%(value)s”不是可识别的坐标系(可填 WGS-84、CGCS2000 或 GCJ-02)") % {"value": system}
        )
    if row.get("latitude") is None or row.get("longitude") is None:
        return
    lat, lon = gcj02_to_wgs84(float(row["latitude"]), float(row["longitude"]))
    row["latitude"] = Decimal(repr(lat)).quantize(Q6)
    row["longitude"] = Decimal(repr(lon)).quantize(Q6)
