"""Issue 13 (everyday use) on the compound list: cascading street →
community choice, the map link keeps the filters, reversed years are said,
units sort naturally."""

import io
import re

from openpyxl import load_workbook

from gaizao import testing
from gaizao.inventory import selectors


def _options(html: str, select_id: str) -> list[str]:
    m = re.search(rf'<select[^>]*id="{select_id}"[^>]*>(.*?)</select>', html, re.S)
    return re.findall(r">([^<]+)</option>", m.group(1))


def test_community_choices_follow_the_street(cast, areas, client_for):
    c = client_for(cast["users"]["district"])
    page = c.get("/compounds/").content.decode()
    assert 'hx-get="/compounds/communities/"' in page and 'hx-target="#id_community"' in page
    # No street chosen: no community offered (never every community of the
    # jurisdiction, STYLE.md habit 18), nor by the htmx fragment.
    assert _options(page, "id_community") == ["全部社区"]
    assert c.get("/compounds/communities/").content.decode().count("<option") == 1
    # A link naming only a community keeps it, offered alone.
    page = c.get("/compounds/", {"community": areas["tianxiang"].pk}).content.decode()
    assert _options(page, "id_community") == ["全部社区", "天祥社区居委会"]
    assert "该条件未生效" not in page
    page = c.get("/compounds/", {"street": areas["qingyun"].pk}).content.decode()
    assert _options(page, "id_community") == ["全部社区", "云山社区居委会"]
    # the htmx fragment for the street select
    frag = c.get("/compounds/communities/", {"street": areas["jinchen"].pk}).content.decode()
    assert "天祥社区居委会" in frag and "青龙山社区居委会" in frag and "云山" not in frag
    # a community left from another street is dropped, not an error
    r = c.get("/compounds/", {"street": areas["qingyun"].pk, "community": areas["tianxiang"].pk})
    body = r.content.decode()
    assert r.status_code == 200 and "该条件未生效" not in body and "云山小区" in body
    # a community user is offered only their own
    own = client_for(cast["users"]["community_tianxiang"])
    frag = own.get("/compounds/communities/", {"street": areas["qingyun"].pk}).content.decode()
    assert "云山" not in frag


def test_a_street_office_is_offered_its_communities_without_choosing_its_street(
    cast, areas, client_for
):
    c = client_for(cast["users"]["street_jinchen"])
    page = c.get("/compounds/").content.decode()
    assert _options(page, "id_community") == ["全部社区", "天祥社区居委会", "青龙山社区居委会"]
    # the htmx fragment when the street select goes back to "全部街道"
    frag = c.get("/compounds/communities/", {"street": ""}).content.decode()
    assert "天祥社区居委会" in frag and "青龙山社区居委会" in frag and "云山" not in frag
    r = c.get("/compounds/", {"community": areas["qinglongshan"].pk})
    assert r.status_code == 200 and "该条件未生效" not in r.content.decode()


def test_map_link_keeps_the_filters_in_the_swapped_fragment(cast, areas, client_for):
    c = client_for(cast["users"]["district"])
    q = {"street": areas["jinchen"].pk, "built_from": 1990}
    frag = c.get("/compounds/", q, HTTP_HX_REQUEST="true").content.decode()
    assert f'href="/compounds/map/?street={areas["jinchen"].pk}&amp;built_from=1990"' in frag


def test_reversed_years_are_reported(cast, client_for):
    c = client_for(cast["users"]["district"])
    body = c.get("/compounds/", {"built_from": 2000, "built_to": 1990}).content.decode()
    assert "截止年份 1990 早于起始年份 2000" in body and "该条件未生效" in body
    body = c.get("/compounds/map/", {"built_from": 2000, "built_to": 1990}).content.decode()
    assert "截止年份 1990 早于起始年份 2000" in body
    body = c.get("/compounds/", {"built_from": "abc"}).content.decode()
    assert "该条件未生效" in body


def test_units_sort_naturally(cast, users, client_for):
    a = cast["compound_a"]
    b10 = testing.make_building(a, "10栋")
    b2 = testing.make_building(a, "2栋")
    for b in (b10, b2):
        for e, n in (("2", "101"), ("1", "1001"), ("1", "201")):
            testing.make_unit(b, n, "50", entrance=e)
    rows = selectors.units_of_building(users["district"], b2)
    assert [(r["entrance"], r["number"]) for r in rows] == [
        ("1", "201"),
        ("1", "1001"),
        ("2", "101"),
    ]
    data = client_for(users["street_jinchen"]).get(f"/compounds/{a.pk}/units.xlsx").content
    sheet = load_workbook(io.BytesIO(data)).active
    buildings = [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)]
    order = [b for i, b in enumerate(buildings) if i == 0 or buildings[i - 1] != b]
    assert order == ["1栋", "2栋", "10栋"]
