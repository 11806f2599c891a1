"""Programme progress against targets (programme.progress.against_targets)
counts started and completed works through the provider disclosure registers
in DisclosureConfig.ready (the kept summary: a compound's own works and its
cluster's), grouped in SQL one level below the user's area, and the progress
page shows the counts."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gaizao.core import summaries
from gaizao.disclosure.facts import progress_flags
from gaizao.plans.models import Cluster, ClusterMember, Plan, PlanStatus
from gaizao.programme import progress
from gaizao.programme import services as programme_services
from gaizao.programme.models import Entry
from gaizao.programme.tests.conftest import _inline_runs, world  # noqa: F401
from gaizao.testing import make_user, make_works
from gaizao.works.models import Milestone


def _plan(compound=None, cluster=None):
    return Plan.objects.create(
        compound=compound,
        cluster=cluster,
        year=2020,
        status=PlanStatus.APPROVED,
        total_cost=Decimal("100000"),
    )


@pytest.mark.django_db
def test_progress_counts_started_and_completed_works(world, users, areas, client_for):  # noqa: F811
    p = world["programme"]
    b1 = world["batches"][0]
    for e in Entry.objects.filter(programme=p).order_by("id")[:3]:
        programme_services.entry_move(actor=users["district"], entry=e, batch=b1)
    entries = list(Entry.objects.filter(programme=p, batch=b1).select_related("compound"))
    assert len(entries) == 3
    # the provider is the one disclosure registered
    assert progress.works_flags("compound__") == progress_flags("compound__")

    before = progress.against_targets(users["district"], p)
    assert before["works_connected"] is True
    row = next(r for r in before["batches_progress"] if r["batch"].pk == b1.pk)
    assert (row["started"], row["completed"]) == (0, 0)

    started, completed, clustered = (e.compound for e in entries[:3])
    make_works(_plan(started), done_through="start")
    make_works(_plan(completed), done_through="completion")
    cl = Cluster.objects.create(name="测试片区", area=areas["district"])
    ClusterMember.objects.create(cluster=cl, compound=clustered)
    make_works(_plan(cluster=cl), done_through="tender")  # designed and tendered: not started
    mid = progress.against_targets(users["district"], p)
    row = next(r for r in mid["batches_progress"] if r["batch"].pk == b1.pk)
    assert (row["started"], row["completed"]) == (2, 1)
    # the cluster's works start: its member compound counts as started
    Milestone.objects.filter(works__cluster=cl, stage="start").update(actual_on="2020-05-01")
    summaries.touch([clustered.pk])  # a bulk update keeps no summary by itself
    after = progress.against_targets(users["district"], p)
    row = next(r for r in after["batches_progress"] if r["batch"].pk == b1.pk)
    assert (row["started"], row["completed"]) == (3, 1)
    hh = sum(e.households for e in entries[:3])
    assert row["started_households"] == hh
    assert row["rate_n"] == (Decimal(3) / Decimal(row["n"]) * 100).quantize(Decimal("0.1"))

    page = client_for(users["district"]).get(f"/programme/{p.pk}/progress/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "施工(开工、竣工)数据尚未接入" not in html
    assert f"<td>{row['started']}</td><td>{row['completed']}</td>" in html


@pytest.mark.django_db
def test_progress_groups_one_level_below_the_users_area(world, users, areas):  # noqa: F811
    """Issue 14: a city user gets one row per district a batch, a district
    user one per street, with the same batch totals; the page runs a fixed
    number of queries however many entries there are."""
    p = world["programme"]
    b1 = world["batches"][0]
    for e in Entry.objects.filter(programme=p).order_by("id"):
        programme_services.entry_move(actor=users["district"], entry=e, batch=b1)
    entries = list(Entry.objects.filter(programme=p, batch=b1).select_related("compound"))
    make_works(_plan(entries[0].compound), done_through="start")
    city = make_user("city_lead", "leadership", area=areas["city"])
    by_city = progress.against_targets(city, p)
    by_district = progress.against_targets(users["district"], p)
    row_c = next(r for r in by_city["batches_progress"] if r["batch"].pk == b1.pk)
    row_d = next(r for r in by_district["batches_progress"] if r["batch"].pk == b1.pk)
    assert by_city["area_label"] == "区" and by_district["area_label"] == "街道"
    assert [s["street"] for s in row_c["streets"]] == ["盘龙区"]
    streets = {e.compound.street.name for e in entries}
    assert {s["street"] for s in row_d["streets"]} == streets
    keys = ("n", "households", "area", "started", "started_households", "completed")
    assert {k: row_c[k] for k in keys} == {k: row_d[k] for k in keys}
    assert row_c["streets"][0]["n"] == len(entries) == sum(s["n"] for s in row_d["streets"])
    assert row_c["started"] == 1
    assert row_c["households"] == sum(e.households for e in entries)
    with CaptureQueriesContext(connection) as ctx:
        progress.against_targets(city, p)
    assert len(ctx.captured_queries) <= 3


@pytest.mark.django_db
def test_progress_page_is_kept_and_fresh_after_a_write(world, users, client_for):  # noqa: F811
    """The page body is cached (core.pagecache): the same request again runs no
    grouping query, and a write shows on the next request."""
    p = world["programme"]
    b1 = world["batches"][0]
    client = client_for(users["district"])
    url = f"/programme/{p.pk}/progress/"

    def planned(html):
        return int(html.split(b1.name, 1)[1].split("安排", 1)[1].split("个小区", 1)[0])

    first = client.get(url).content.decode()
    n = planned(first)
    with CaptureQueriesContext(connection) as again:
        # the frame (CSRF token) is rendered anew, the body is the kept one
        assert client.get(url).content.decode().split("<h1>")[1] == first.split("<h1>")[1]
    assert not any("programme_entry" in q["sql"] for q in again.captured_queries)
    e = Entry.objects.filter(programme=p).exclude(batch=b1).order_by("id").first()
    programme_services.entry_move(actor=users["district"], entry=e, batch=b1)
    assert planned(client.get(url).content.decode()) == n + 1
