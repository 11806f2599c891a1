"""GCJ-02 coordinates (高德/腾讯 maps) are converted to WGS-84 on import."""

from decimal import Decimal

from gaizao.core.geo import wgs84_to_gcj02

from .test_import_parsing import parse


def test_gcj02_column_converts_to_wgs84_and_wgs84_is_kept():
    wgs = (25.063, 102.733)
    g_lat, g_lon = wgs84_to_gcj02(*wgs)
    p = parse(
        [
            ["小区名称", "纬度", "经度", "坐标系"],
            ["甲", round(g_lat, 6), round(g_lon, 6), "GCJ-02"],
            ["乙", 25.063, 102.733, "WGS-84"],
            ["丙", 25.063, 102.733, ""],
        ]
    )
    assert not p.errors
    a, b, c = p.rows
    assert abs(a["latitude"] - Decimal("25.063")) <= Decimal("0.000002")
    assert abs(a["longitude"] - Decimal("102.733")) <= Decimal("0.000002")
    assert (b["latitude"], b["longitude"]) == (Decimal("25.063000"), Decimal("102.733000"))
    assert c["latitude"] == Decimal("25.063000")


def test_unknown_coordinate_system_is_a_clear_error():
    p = parse([["小区名称", "纬度", "经度", "坐标系"], ["甲", 25.06, 102.73, "百度"]])
    (e,) = p.errors
    assert e.column == "坐标系" and "百度" in e.message and "GCJ-02" in e.message
