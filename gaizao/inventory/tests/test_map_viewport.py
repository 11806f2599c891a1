"""The compound map loads by viewport with server-side clustering: at any
zoom a response stays under ~200 KB however many compounds there are
(issue 14; STYLE.md habit 18)."""

from decimal import Decimal

from gaizao.inventory.mapgrid import cluster
from gaizao.inventory.models import Compound

DATA = "/compounds/map/data.json"


def _grid(street, n):
    """n compounds on a ~100 m grid over central Kunming."""
    side = int(n**0.5) + 1
    Compound.objects.bulk_create(
        Compound(
            name=f"网格小区{i:05d}",
            street=street,
            latitude=Decimal("25.0") + Decimal(i // side) * Decimal("0.001"),
            longitude=Decimal("102.6") + Decimal(i % side) * Decimal("0.001"),
            built_year=1995,
            households=100,
        )
        for i in range(n)
    )


def test_response_stays_small_at_every_zoom(client_for, cast, areas):
    _grid(areas["jinchen"], 4000)
    c = client_for(cast["users"]["district"])
    for zoom in (8, 11, 14, 16, 18):
        r = c.get(DATA, {"bbox": "102.55,24.95,102.75,25.1", "zoom": str(zoom)})
        body = r.json()
        assert r.status_code == 200 and body["located"] == 4000
        assert len(r.content) < 200_000, (zoom, len(r.content))
        assert sum(m.get("n", 1) for m in body["markers"]) == 4000
    # zoomed out: a few clusters that count by grade, not 4,000 dots
    r = c.get(DATA, {"bbox": "102.55,24.95,102.75,25.1", "zoom": "8"}).json()
    assert len(r["markers"]) <= 4
    assert sum(m["grades"]["unknown"] for m in r["markers"]) == 4000
    # a small viewport reads only what is inside it
    r = c.get(DATA, {"bbox": "102.6,25.0,102.6015,25.0015", "zoom": "18"}).json()
    assert r["located"] == 4 and all("id" in m for m in r["markers"])


def test_a_huge_viewport_is_clustered_coarser(client_for, cast, areas):
    _grid(areas["jinchen"], 400)
    # the whole world at zoom 18 would be billions of cells: clustered as if
    # zoomed out, still every compound counted
    r = client_for(cast["users"]["district"]).get(DATA, {"bbox": "-180,-85,180,85", "zoom": "18"})
    body = r.json()
    assert len(body["markers"]) == 1 and body["markers"][0]["n"] == 400


def test_cluster_counts_by_the_given_kind():
    pts = [(1, "甲", 25.06, 102.73, "good"), (2, "乙", 25.0601, 102.7301, "poor")]
    (m,) = cluster(pts, 10, kind="grade", kinds="grades")
    assert m["n"] == 2 and m["grades"] == {"good": 1, "poor": 1}
    assert {x["grade"] for x in cluster(pts, 22, kind="grade", kinds="grades")} == {"good", "poor"}
