"""The compound list's pages by the kept per-street counts (inventory.
streetwalk): every page, and the count, equal the plain ordered queryset's
for every scope and a street filter, after writes; filtered lists page as
before; a street user's pages hold only that street; and the list's query
count does not grow with the compounds."""

import pytest
from django.core.paginator import Paginator

from gaizao.inventory import selectors, streetwalk
from gaizao.testing import cold_query_count, make_compound


def _pages(rows, per=3):
    p = Paginator(rows, per)
    return p.count, [[c.pk for c in p.page(n).object_list] for n in p.page_range]


def _agree(user, filters=None):
    qs = selectors.compound_list(user, filters or {})
    rows = selectors.pageable(user, filters or {}, qs)
    assert _pages(rows) == _pages(qs), user
    return rows


@pytest.fixture
def many(areas, cast):
    # Names that sort across the two streets and inside them.
    for i, street in enumerate(["jinchen", "qingyun"] * 4):
        make_compound(areas[street], f"{'乙甲丙'[i % 3]}小区{i}")
    return areas


@pytest.mark.django_db
def test_pages_equal_the_plain_query(many, users):
    for name in ("admin", "district", "street_jinchen", "street_qingyun"):
        rows = _agree(users[name])
        assert isinstance(rows, streetwalk.StreetWalk), name
    _agree(users["district"], {"street": many["jinchen"].pk})
    # Another street's filter for a street user: nothing, as the plain query.
    _agree(users["street_qingyun"], {"street": many["jinchen"].pk})
    # A community user's scope is not whole streets: the plain query.
    assert not isinstance(_agree(users["community_yunshan"]), streetwalk.StreetWalk)
    # Any other filter or order: the plain query.
    for f in ({"q": "甲"}, {"built_from": 1990}, {"order": "name"}):
        rows = _agree(users["district"], f)
        assert not isinstance(rows, streetwalk.StreetWalk), f
    # After a move, a delete and a new compound the pages still agree.
    c = make_compound(many["qingyun"], "丁小区")
    c.street = many["jinchen"]
    c.save()
    make_compound(many["jinchen"], "戊小区").delete()
    for name in ("district", "street_jinchen", "street_qingyun"):
        _agree(users[name])
    # Pages past the end and odd slices.
    walk = selectors.pageable(users["district"], {}, selectors.compound_list(users["district"]))
    plain = list(selectors.compound_list(users["district"]))
    assert [c.pk for c in walk[2:7]] == [c.pk for c in plain[2:7]]
    assert walk[0].pk == plain[0].pk and walk[len(plain) : len(plain) + 5] == []


@pytest.mark.django_db
def test_list_queries_do_not_grow(many, users, client_for):
    c = client_for(users["district"])

    def count(path) -> int:
        return cold_query_count(c, path)

    before = count("/compounds/"), count("/compounds/?page=2")
    for i in range(60):
        make_compound(many["qingyun" if i % 2 else "jinchen"], f"加{i:02d}")
    assert (count("/compounds/"), count("/compounds/?page=2")) == before
    body = c.get("/compounds/?page=2").content.decode()
    assert "加" in body
