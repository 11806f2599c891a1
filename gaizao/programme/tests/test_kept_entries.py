"""The kept entry totals a (programme, batch, street) (disclosure.
entrytally, read through programme.kept): after every kind of write — a
fill and an optimiser result (bulk), an entry moved or deleted, a batch
deleted, a compound moved, started, completed or deleted — the board's
column totals, the progress page, the dashboard's targets and the portal's
batches equal the plain grouping of the entries; a street office's figures
hold its own street only; the pages' query counts do not grow."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gaizao.disclosure import entrytally, public, tally
from gaizao.disclosure import progress as dprog
from gaizao.disclosure import selectors as dsel
from gaizao.plans.models import Plan
from gaizao.programme import kept, progress, selectors, services
from gaizao.programme.models import Batch, Entry
from gaizao.testing import cold_query_count, make_compound
from gaizao.works.models import Milestone, Works


def _live(fn, *args, **kw):
    """fn with no kept totals registered: the plain grouping of entries."""
    saved = dict(kept._hooks)
    kept._hooks.clear()
    try:
        return fn(*args, **kw)
    finally:
        kept._hooks.update(saved)


def _board(user, p):
    cols = selectors.board(user, p)["columns"]
    keys = ("n", "area", "households", "cost", "ext_households", "estimated", "locked")
    return [(c["batch"] and c["batch"].pk, [c[k] for k in keys]) for c in cols]


def assert_agrees(p, users) -> None:
    assert entrytally.mismatches() == []
    assert tally.mismatches() == []
    for name in ("district", "street_jinchen", "street_qingyun", "admin"):
        u = users[name]
        assert _board(u, p) == _live(_board, u, p), name
        assert progress.against_targets(u, p) == _live(progress.against_targets, u, p), name
    u = users["district"]
    kept_rows = entrytally.for_user(u, p)
    assert kept_rows is not None
    scope = dsel.Scope(u)
    assert dprog.targets(p, scope, "street", kept=kept_rows) == dprog.targets(p, scope, "street")
    for area in (None, p.area):
        got = public.programme_public(area)[1]
        assert got == _live_public(area), area


def _live_public(area):
    from unittest import mock

    with mock.patch.object(entrytally, "within", lambda *a: None):
        return public.programme_public(area)[1]


def _start(compound, stage="start"):
    plan = Plan.objects.create(compound=compound, year=2020, status="approved")
    w = Works.objects.create(plan=plan, compound=compound, name="工程")
    Milestone.objects.create(works=w, stage=stage, seq=3, actual_on=date(2020, 5, 1))
    return w


@pytest.mark.django_db
def test_kept_entry_totals_equal_the_entries_after_every_kind_of_write(world, users, areas):
    p = world["programme"]
    b1, b2 = world["batches"]
    actor = users["district"]
    assert Entry.objects.filter(programme=p).exists()
    assert_agrees(p, users)
    # Entries moved one by one (saved), then the optimiser's result (bulk).
    entries = list(p.entries.order_by("pk"))
    services.entry_move(actor=actor, entry=entries[0], batch=b1)
    services.entry_move(actor=actor, entry=entries[1], batch=b2)
    assert_agrees(p, users)
    run = services.run_create(actor=actor, programme=p, time_limit=1)
    assignment = {str(e.pk): b1.pk if i % 2 else b2.pk for i, e in enumerate(entries)}
    services.run_apply(actor=actor, run=run, result={"assignment": assignment}, explanations={})
    assert_agrees(p, users)
    # Works started and completed (the compounds' kept summary rows).
    w = _start(entries[2].compound)
    Milestone.objects.create(works=w, stage="completion", seq=4, actual_on=date(2020, 9, 1))
    _start(entries[3].compound)
    assert_agrees(p, users)
    # A compound moved to the other street; a new eligible one filled in.
    c = entries[3].compound
    c.street = areas["qingyun" if c.street_id == areas["jinchen"].pk else "jinchen"]
    c.save()
    from .conftest import eligible

    eligible(make_compound(areas["jinchen"], "新入选小区", households=77))
    services.programme_fill(actor=actor, programme=p)
    assert_agrees(p, users)
    # An entry deleted, a compound deleted, a batch deleted.
    entries[4].delete()
    entries[5].compound.delete()
    assert_agrees(p, users)
    Batch.objects.filter(pk=b2.pk).first().delete()
    assert_agrees(p, users)


@pytest.mark.django_db
def test_a_street_sees_only_its_own_entries(world, users, areas):
    p = world["programme"]
    for e in p.entries.all():
        services.entry_move(actor=users["district"], entry=e, batch=world["batches"][0])
    mine = progress.against_targets(users["street_jinchen"], p)["batches_progress"][0]
    theirs = progress.against_targets(users["street_qingyun"], p)["batches_progress"][0]
    all_ = progress.against_targets(users["district"], p)["batches_progress"][0]
    assert mine["n"] + theirs["n"] == all_["n"] and mine["n"] and theirs["n"]
    # (a street office's table is by community: counted from its entries)
    theirs_names = {s["street"] for s in theirs["streets"]} - {"—"}
    assert theirs_names and not theirs_names & {s["street"] for s in mine["streets"]}
    district = progress.against_targets(users["district"], p)["batches_progress"][0]
    assert {s["street"] for s in district["streets"]} == {"金辰街道", "青云街道"}
    board = selectors.board(users["street_qingyun"], p)["columns"][0]
    n = Entry.objects.filter(programme=p, compound__street=areas["qingyun"]).count()
    assert board["n"] == n


@pytest.mark.django_db
def test_rebuild_restores_the_kept_entry_totals(world, users):
    from gaizao.disclosure.models import EntryTally

    EntryTally.objects.all().delete()
    assert entrytally.mismatches() != []
    tally.rebuild()
    assert_agrees(world["programme"], users)


@pytest.mark.django_db
def test_board_and_progress_queries_do_not_grow(world, users, areas, client_for):

    from .conftest import eligible

    p = world["programme"]
    c = client_for(users["district"])

    def count(path) -> int:
        return cold_query_count(c, path)

    paths = (f"/programme/{p.pk}/", f"/programme/{p.pk}/progress/")
    before = [count(x) for x in paths]
    for i in range(5):
        eligible(make_compound(areas["qingyun" if i % 2 else "jinchen"], f"再入选{i}"))
    services.programme_fill(actor=users["district"], programme=p)
    assert [count(x) for x in paths] == before


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks")
def test_a_programme_refresh_locks_its_streets_first(world, users):
    """A street's refresh and a programme's (after a bulk write) lock the same
    street rows in id order before deleting their kept rows, so neither
    inserts beside the other's (the street counted twice)."""
    p = world["programme"]
    assert Entry.objects.filter(programme=p).exists()
    with CaptureQueriesContext(connection) as q:
        entrytally.refresh_programme(p.pk)
    sqls = [x["sql"] for x in q.captured_queries]
    lock = next(i for i, s in enumerate(sqls) if "FOR UPDATE" in s and "regions_area" in s)
    delete = next(i for i, s in enumerate(sqls) if s.startswith("DELETE") and "entrytally" in s)
    assert lock < delete
    assert "ORDER BY 1 ASC FOR UPDATE" in sqls[lock]  # values_list('pk'): column 1 is the id
    assert entrytally.mismatches() == []
