import pytest

from gaizao.core.geo import gcj02_to_wgs84, out_of_china, wgs84_to_gcj02

# The public test vectors of eviltransform (wgs lat, lon → gcj lat, lon).
VECTORS = [
    ((31.1774276, 121.5272106), (31.17530398364597, 121.531541859215)),  # Shanghai
    ((22.543847, 113.912316), (22.540796131694766, 113.9171764808363)),  # Shenzhen
    ((39.911954, 116.377817), (39.91334545536069, 116.38404722455657)),  # Beijing
]


@pytest.mark.parametrize("wgs,gcj", VECTORS)
def test_forward_matches_the_published_vectors(wgs, gcj):
    lat, lon = wgs84_to_gcj02(*wgs)
    assert lat == pytest.approx(gcj[0], abs=1e-9)
    assert lon == pytest.approx(gcj[1], abs=1e-9)


@pytest.mark.parametrize("wgs,gcj", VECTORS)
def test_reverse_recovers_wgs84(wgs, gcj):
    lat, lon = gcj02_to_wgs84(*gcj)
    assert lat == pytest.approx(wgs[0], abs=1e-8)
    assert lon == pytest.approx(wgs[1], abs=1e-8)


def test_kunming_offset_is_hundreds_of_metres_and_round_trips():
    wgs = (25.0630, 102.7330)  # 东华街道
    g = wgs84_to_gcj02(*wgs)
    assert 0.001 < abs(g[0] - wgs[0]) + abs(g[1] - wgs[1]) < 0.01
    back = gcj02_to_wgs84(*g)
    assert back == pytest.approx(wgs, abs=1e-8)


def test_no_offset_outside_china():
    assert out_of_china(48.8566, 2.3522)
    assert wgs84_to_gcj02(48.8566, 2.3522) == (48.8566, 2.3522)
    assert gcj02_to_wgs84(-33.86, 151.21) == (-33.86, 151.21)
