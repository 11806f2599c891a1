import gzip
import json
from decimal import Decimal
from io import StringIO

import mapbox_vector_tile
import pytest
from django.core.management import CommandError, call_command

from gaizao.disclosure import basemap, mapdata


def test_cluster_groups_near_points_and_keeps_far_ones_apart():
    pts = [
        (1, "甲", 25.0600, 102.7300, "started"),
        (2, "乙", 25.0601, 102.7301, "started"),
        (3, "丙", 25.0602, 102.7302, "planned"),
        (4, "丁", 25.2000, 102.9000, "managed"),
    ]
    out = mapdata.cluster(pts, 12)
    clusters = [m for m in out if "n" in m]
    singles = [m for m in out if "id" in m]
    assert len(clusters) == 1 and clusters[0]["n"] == 3
    assert clusters[0]["stages"] == {"started": 2, "planned": 1}
    assert [s["id"] for s in singles] == [4] and singles[0]["stage"] == "managed"
    # Zoomed right in, every compound is its own marker.
    assert len(mapdata.cluster(pts, 20)) == 4


@pytest.mark.parametrize("bad", ["", "1,2,3", "a,b,c,d", "102.8,25,102.7,25.1", "0,95,1,96"])
def test_bad_bbox_is_refused(bad):
    with pytest.raises(mapdata.BadParam):
        mapdata.parse_bbox(bad)


@pytest.fixture
def archive(settings, tmp_path, programme):
    settings.GAIZAO_BASEMAP = tmp_path / "bm.pmtiles"
    call_command("basemap", "build", stdout=StringIO())
    return settings.GAIZAO_BASEMAP


@pytest.mark.django_db
def test_map_data_by_viewport_with_the_lists_filters(client_for, users, programme):
    c = client_for(users["district"])
    b, a = programme["b"], programme["a"]
    b.latitude, b.longitude = Decimal("25.0800"), Decimal("102.7100")
    b.save()
    r = c.get("/map/data.json", {"bbox": "102.6,25.0,102.9,25.2", "zoom": "18"})
    assert r.status_code == 200
    d = r.json()
    assert d["count"] == 2
    by_id = {m["id"]: m for m in d["markers"]}
    assert by_id[a.pk]["stage"] == "completed" and by_id[b.pk]["stage"] == "surveyed"
    assert d["detail_url"].replace("{id}", str(a.pk)) == f"/compounds/{a.pk}/"
    # The same filters as the drill-down list: stage, street, batch.
    r = c.get("/map/data.json", {"bbox": "102.6,25.0,102.9,25.2", "zoom": "18", "stage": "started"})
    assert [m["id"] for m in r.json()["markers"]] == [a.pk]
    r = c.get(
        "/map/data.json",
        {"bbox": "102.6,25.0,102.9,25.2", "zoom": "18", "batch": programme["batch"].pk},
    )
    assert r.json()["count"] == 2
    # Outside the viewport: nothing.
    r = c.get("/map/data.json", {"bbox": "100,20,101,21", "zoom": "10"})
    assert r.json()["count"] == 0
    # Far out, the two are drawn together as one cluster.
    r = c.get("/map/data.json", {"bbox": "102.6,25.0,102.9,25.2", "zoom": "8"})
    (m,) = r.json()["markers"]
    assert m["n"] == 2
    bad = c.get("/map/data.json", {"bbox": "x", "zoom": "8"})
    assert bad.status_code == 400 and "bbox" in bad.json()["error"]
    assert c.get("/map/data.json", {"bbox": "1,1,2,2", "zoom": "99"}).status_code == 400


@pytest.mark.django_db
def test_map_is_for_the_leadership_roles_and_scoped(client_for, users, programme):
    r = client_for(users["street_qingyun"]).get(
        "/map/data.json", {"bbox": "102.6,25.0,102.9,25.2", "zoom": "18"}
    )
    assert programme["a"].pk not in [m.get("id") for m in r.json()["markers"]]
    assert client_for(users["surveyor"]).get("/map/").status_code == 403


@pytest.mark.django_db
def test_base_map_built_and_served_offline(client_for, users, archive):
    a = basemap.archive(archive)
    assert a is not None and archive.stat().st_size < 5_000_000
    w, s, e, n = a.bounds()
    assert w < 102.73 < e and s < 25.07 < n
    page = client_for(users["district"]).get("/map/", {"stage": "started"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "vendor/protomaps-leaflet/protomaps-leaflet.js" in html
    assert "/map/tiles/{z}/{x}/{y}.mvt" in html
    assert "/dashboard/compounds/?stage=started" in html  # the list with the same filters
    z = 14
    x, _x1, y, _y1 = basemap.tile_range(z, (102.73, 25.07, 102.73, 25.07))
    r = client_for(users["district"]).get(f"/map/tiles/{z}/{x}/{y}.mvt")
    assert r.status_code == 200 and r["Content-Encoding"] == "gzip"
    tile = mapbox_vector_tile.decode(gzip.decompress(r.content))
    assert {"earth", "boundaries", "places"} <= set(tile)
    names = {f["properties"].get("name") for f in tile["places"]["features"]}
    assert "金辰街道" in names
    # Far away from the district: no tile.
    assert client_for(users["district"]).get("/map/tiles/14/0/0.mvt").status_code == 204


@pytest.mark.django_db
def test_basemap_command_errors_are_clear(settings, tmp_path):
    settings.GAIZAO_BASEMAP = tmp_path / "none.pmtiles"
    with pytest.raises(CommandError, match="没有底图文件"):
        call_command("basemap", "info")
    with pytest.raises(CommandError, match="找不到文件"):
        call_command("basemap", "build", "--roads", str(tmp_path / "missing.geojson"))


@pytest.mark.django_db
def test_supplied_street_boundaries_replace_the_approximate_ones(settings, tmp_path, programme):
    gj = tmp_path / "streets.geojson"
    poly = [[102.70, 25.05], [102.76, 25.05], [102.76, 25.09], [102.70, 25.09], [102.70, 25.05]]
    gj.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"name": "金辰街道"},
                        "geometry": {"type": "Polygon", "coordinates": [poly]},
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    layers = basemap.layers_from_data(boundaries=gj)
    (only,) = layers.layers["boundaries"]
    assert only[1]["name"] == "金辰街道" and "approximate" not in only[1]


def _many_streets(district, n=101):
    from gaizao.regions.models import Area

    for i in range(n):
        Area.objects.create(
            code=f"530103{300 + i:03d}000", name=f"模拟{i}街道", level="street", parent=district
        )


@pytest.mark.django_db
def test_one_map_offers_a_street_list_to_a_district_and_a_typed_box_above(
    client_for, users, areas, programme
):
    c = client_for(users["district"])
    html = c.get("/map/").content.decode()
    assert '<select name="street">' in html and "金辰街道</option>" in html
    _many_streets(areas["district"])
    r = c.get("/map/")
    html = r.content.decode()
    assert '<select name="street">' not in html and "模拟7街道" not in html
    assert 'input name="street"' in html
    # Typed by name or code: resolved within the user's area, the map's data
    # carries its id.
    for typed in ("金辰街道", "530103005000"):
        r = c.get("/map/", {"street": typed})
        assert r.context["f"]["street"] == areas["jinchen"].pk
        assert f"street={areas['jinchen'].pk}" in r.context["params"]
    r = c.get("/map/", {"street": "没有的街道"})
    assert r.status_code == 200 and "您的辖区内没有街道“没有的街道”" in r.content.decode()
    assert r.context["f"]["street"] is None
    # Another user's street is not resolved for a street office.
    r = client_for(users["street_qingyun"]).get("/map/", {"street": "金辰街道"})
    assert r.context["f"]["street"] is None


@pytest.mark.django_db
def test_focus_reads_a_bounded_sample_of_a_wide_scope(areas, monkeypatch):
    from gaizao.inventory import mapgrid
    from gaizao.inventory.models import Compound
    from gaizao.testing import make_compound

    for i in range(30):
        make_compound(
            areas["jinchen"], f"小区{i}", latitude=Decimal("25.0") + i, longitude=Decimal("102.0")
        )
    exact = mapgrid.focus(Compound.objects.all())
    monkeypatch.setattr(mapgrid, "FOCUS_SAMPLE", 10)
    sampled = mapgrid.focus(Compound.objects.all())
    assert exact[1] == 26.0 and sampled is not None
    # Every third id across the whole range, not the first ten rows.
    assert 25.0 <= sampled[1] < 30.0 and 45.0 < sampled[3] <= 54.0
