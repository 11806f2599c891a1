"""Programme progress against targets (programme.progress.against_targets)
counts started and completed works through the provider works registers in
WorksConfig.ready — a compound's own works and its cluster's — and the
progress page shows the counts."""

from decimal import Decimal

import pytest

from gaizao.plans.models import Cluster, ClusterMember, Plan, PlanStatus
from gaizao.programme import progress
from gaizao.programme import services as programme_services
from gaizao.programme.models import Entry
from gaizao.programme.tests.conftest import _inline_runs, world  # noqa: F401
from gaizao.testing import make_works
from gaizao.works.models import Milestone
from gaizao.works.selectors import works_facts


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
    # the provider is the one works registered
    assert progress.works_facts([entries[0].compound_id]) == works_facts([entries[0].compound_id])

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
