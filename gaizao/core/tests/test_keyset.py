"""Issue 14 #1: the API pages by keyset (core.apikit). Walking the cursor
returns every row exactly once even while rows are inserted; a forged or
foreign cursor is a 422 in Chinese; a page costs the same number of queries
whatever the size of the data."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gaizao.feedback.models import Feedback
from gaizao.feedback.services import feedback as svc
from gaizao.inventory.models import Compound, Survey
from gaizao.inventory.selectors import ORDERINGS
from gaizao.regions.models import Area


def _walk(c, url, params, *, between=None):
    seen, after, pages = [], None, 0
    while True:
        q = dict(params, **({"after": after} if after else {}))
        r = c.get(url, q)
        assert r.status_code == 200, r.content
        body = r.json()
        seen += [row["id"] for row in body["items"]]
        after, pages = body["next"], pages + 1
        if not after:
            return seen, pages
        if between:
            between(pages)


def _feedback(cast, n):
    """n feedback items: one through the service, copies of it for the rest."""
    first = svc.feedback_create(
        actor=cast["users"]["resident_a"], category="other", text=f"反馈 {n}", place=""
    )
    copies = []
    for i in range(n - 1):
        fb = Feedback.objects.get(pk=first.pk)
        fb.pk = None
        fb.text = f"反馈{i}"
        fb.due_on = date(2026, 1, 1 + i % 3)
        copies.append(fb)
    Feedback.objects.bulk_create(copies)


def _compounds(areas, n, start=0, *, scored=True):
    objs = Compound.objects.bulk_create(
        [
            Compound(
                name=f"键集{i:03d}",
                street=areas["qingyun"] if i % 2 else areas["jinchen"],
                community=areas["yunshan"] if i % 2 else None,
                # ties and nulls in every sort field
                built_year=None if i % 5 == 0 else 1980 + i % 3,
                floor_area=Decimal(1000 + (i % 4) * 10),
            )
            for i in range(start, start + n)
        ]
    )
    if scored:
        Survey.objects.bulk_create(
            [
                Survey(compound=o, surveyed_on=date(2026, 1, 1), score=Decimal(40 + i % 3))
                for i, o in enumerate(objs)
                if i % 4
            ]
        )
    return objs


@pytest.mark.parametrize("order", list(ORDERINGS))
def test_walking_the_cursor_returns_every_compound_once_despite_inserts(
    cast, areas, client_for, order
):
    _compounds(areas, 23)
    before = set(Compound.objects.values_list("pk", flat=True))
    inserted = []

    def insert(page):
        inserted.extend(o.pk for o in _compounds(areas, 2, start=100 + 2 * page))

    c = client_for(cast["users"]["district"])
    seen, pages = _walk(c, "/api/v1/compounds", {"limit": 4, "order": order}, between=insert)
    assert pages >= 7
    assert len(seen) == len(set(seen)), "a row came twice"
    assert before <= set(seen), "a row was skipped"
    assert set(seen) <= before | set(inserted)


def test_other_lists_walk_to_the_end_once(cast, areas, client_for):
    for i in range(7):
        Area.objects.create(
            code=f"5301030099{i:02d}",
            name=f"测试社区{i}",
            level="community",
            parent=areas["qingyun"],
        )
    _feedback(cast, 7)
    c = client_for(cast["users"]["district"])
    seen, _pages = _walk(c, "/api/v1/areas", {"limit": 3})
    assert sorted(seen) == sorted(Area.objects.values_list("pk", flat=True))
    seen, _pages = _walk(c, "/api/v1/feedback", {"limit": 3})
    assert sorted(seen) == sorted(Feedback.objects.values_list("pk", flat=True))
    seen, _pages = _walk(c, "/api/v1/feedback", {"limit": 2, "overdue": "true"})
    assert len(seen) == len(set(seen))


@pytest.mark.parametrize(
    "cursor",
    [
        "abc",
        "eyJhbGciOiJub25lIn0.W1siMSJdXQ",  # looks like a token, is not ours
        "W10:1tUxyz:forged-signature",
    ],
)
def test_a_forged_cursor_is_a_422_in_chinese(cast, client_for, cursor):
    c = client_for(cast["users"]["district"])
    r = c.get("/api/v1/compounds", {"after": cursor})
    assert r.status_code == 422
    body = r.json()
    assert body["errors"][0]["field"] == "after"
    assert "翻页游标无效" in body["errors"][0]["message"]


def test_a_cursor_of_another_list_or_ordering_is_refused(cast, areas, client_for):
    _compounds(areas, 5)
    c = client_for(cast["users"]["district"])
    nxt = c.get("/api/v1/compounds", {"limit": 2, "order": "name"}).json()["next"]
    assert c.get("/api/v1/compounds", {"after": nxt, "order": "name"}).status_code == 200
    assert c.get("/api/v1/compounds", {"after": nxt, "order": "-score"}).status_code == 422
    assert c.get("/api/v1/areas", {"after": nxt}).status_code == 422
    # an edited cursor (its signature no longer matches) too
    assert c.get("/api/v1/compounds", {"after": "x" + nxt, "order": "name"}).status_code == 422


def _queries(c, url, params):
    with CaptureQueriesContext(connection) as ctx:
        r = c.get(url, params)
    assert r.status_code == 200, r.content
    assert r.json()["next"], "the page must be full for the comparison to mean anything"
    return len(ctx.captured_queries)


LISTS = [
    ("/api/v1/compounds", {"limit": 5}),
    ("/api/v1/compounds", {"limit": 5, "order": "-score"}),
    ("/api/v1/areas", {"limit": 5}),
    ("/api/v1/feedback", {"limit": 5}),
]


def test_a_page_costs_the_same_queries_at_two_sizes(cast, areas, client_for):
    c = client_for(cast["users"]["district"])

    def grow(n, start):
        _compounds(areas, n, start=start)
        Area.objects.bulk_create(
            [
                Area(code=f"5301039{start + i:05d}", name=f"区{i}", level="community")
                for i in range(n)
            ]
        )
        _feedback(cast, n)

    grow(12, 0)
    small = {(u, tuple(p.items())): _queries(c, u, p) for u, p in LISTS}
    # the second page too: a cursor must not cost more than the first page
    nxt = c.get("/api/v1/compounds", {"limit": 5}).json()["next"]
    second_small = _queries(c, "/api/v1/compounds", {"limit": 5, "after": nxt})
    grow(150, 1000)
    large = {(u, tuple(p.items())): _queries(c, u, p) for u, p in LISTS}
    assert small == large
    nxt = c.get("/api/v1/compounds", {"limit": 5}).json()["next"]
    assert _queries(c, "/api/v1/compounds", {"limit": 5, "after": nxt}) == second_small
