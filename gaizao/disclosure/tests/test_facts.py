"""The kept summary (CompoundFacts) stays equal to what the records say after
every kind of write, including deletes, cluster plans and bulk paths, and the
pages read it rather than recomputing."""

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gaizao.core import summaries
from gaizao.disclosure import facts
from gaizao.disclosure import selectors as sel
from gaizao.disclosure.models import CompoundFacts
from gaizao.feedback.models import Feedback
from gaizao.inventory.models import Compound, Survey
from gaizao.plans.models import Cluster, ClusterMember, Plan
from gaizao.testing import make_compound
from gaizao.works.models import Milestone, Works


def _flags(c):
    return sel.flags_of(sel.annotated_compounds().get(pk=c.pk))


@pytest.mark.django_db
def test_every_write_keeps_the_row_equal_to_the_records(programme, cast):
    a, b = cast["compound_a"], cast["compound_b"]
    assert facts.mismatches() == []
    f = CompoundFacts.objects.get(compound=a)
    assert f.surveyed and f.verdict == "eligible" and f.plan_status == "approved"
    assert f.vote_passed is True and f.vote_result["owners_total"] == 1
    assert _flags(b)["surveyed"] and not _flags(b)["planned"]

    # deletes are seen too
    Survey.objects.filter(compound=b).delete()
    assert not _flags(b)["surveyed"]
    Feedback.objects.filter(compound=a).delete()
    assert CompoundFacts.objects.get(compound=a).feedback_n == 0
    assert facts.mismatches() == []


@pytest.mark.django_db
def test_a_cluster_plan_and_works_speak_for_every_member(cast, users, areas):
    a, b = cast["compound_a"], cast["compound_b"]
    cl = Cluster.objects.create(name="片区一", area=areas["qingyun"])
    ClusterMember.objects.create(cluster=cl, compound=a)
    ClusterMember.objects.create(cluster=cl, compound=b)
    plan = Plan.objects.create(cluster=cl, year=2024, status="approved", created_by=users["admin"])
    assert _flags(a)["approved"] and _flags(b)["approved"]
    # the cluster's plan through each member's one membership (facts.live)
    for c in (a, b):
        row = CompoundFacts.objects.get(compound=c)
        assert (row.plan_id, row.plan_shared, row.plan_status) == (plan.pk, True, "approved")
    c = make_compound(areas["jinchen"], "片区外小区")
    live = facts.live(Compound.objects.filter(pk__in=[a.pk, c.pk])).values_list(
        "pk", "f_plan_shared", "f_plan_id"
    )
    assert sorted(live) == sorted([(a.pk, True, plan.pk), (c.pk, False, None)])
    w = Works.objects.create(plan=plan, cluster=cl, name="片区一工程")
    due = timezone.localdate() - timedelta(days=3)
    m = Milestone.objects.create(works=w, stage="start", seq=1, planned_on=due)
    late = sel.filter_compounds(sel.annotated_compounds(), stage="late")
    assert set(late.values_list("pk", flat=True)) == {a.pk, b.pk}
    m.actual_on = date.today()
    m.save()
    assert _flags(a)["started"] and _flags(b)["started"]
    assert not sel.filter_compounds(sel.annotated_compounds(), stage="late").exists()
    assert facts.mismatches() == []


@pytest.mark.django_db
def test_late_needs_no_refresh_when_a_day_passes(cast, users):
    """`late` is next_due_on < today, computed when read."""
    a = cast["compound_a"]
    plan = Plan.objects.create(compound=a, year=2024, status="approved", created_by=users["admin"])
    w = Works.objects.create(plan=plan, compound=a, name="工程")
    Milestone.objects.create(
        works=w, stage="start", seq=1, planned_on=timezone.localdate() + timedelta(days=1)
    )
    assert not sel.annotated_compounds().get(pk=a.pk).late
    CompoundFacts.objects.filter(compound=a).update(
        next_due_on=timezone.localdate() - timedelta(days=1)
    )
    assert sel.annotated_compounds().get(pk=a.pk).late


@pytest.mark.django_db
def test_a_failed_write_leaves_the_row_as_it_was(cast):
    from django.db import transaction

    a = cast["compound_a"]
    with pytest.raises(RuntimeError), transaction.atomic():
        Survey.objects.create(compound=a, surveyed_on=date(2024, 5, 1))
        raise RuntimeError
    assert not CompoundFacts.objects.filter(compound=a, surveyed=True).exists()


@pytest.mark.django_db
def test_deleting_a_compound_removes_its_row(programme, cast):
    a = cast["compound_b"]
    assert CompoundFacts.objects.filter(compound_id=a.pk, surveyed=True).exists()
    Compound.objects.filter(pk=a.pk).delete()
    assert not CompoundFacts.objects.filter(compound_id=a.pk).exists()


@pytest.mark.django_db
def test_suspended_touches_refresh_each_compound_once(cast):
    a = cast["compound_a"]
    calls = []
    summaries.register(calls.append)
    try:
        with summaries.suspended():
            for d in (1, 2, 3):
                Survey.objects.create(compound=a, surveyed_on=date(2024, 5, d))
        assert calls == [[a.pk]]
    finally:
        summaries._refreshers.remove(calls.append)
    assert _flags(a)["surveyed"]


@pytest.mark.django_db
def test_rebuild_repairs_rows_written_around_the_signals(programme, cast):
    CompoundFacts.objects.all().delete()
    Survey.objects.bulk_create([Survey(compound=cast["compound_b"], surveyed_on=date(2024, 6, 1))])
    assert facts.mismatches() != []
    call_command("summaries", "--rebuild", verbosity=0)
    assert facts.mismatches() == []


@pytest.mark.django_db
def test_summaries_check_command_reports_drift(programme, cast, capsys):
    call_command("summaries", "--check")
    assert "0" in capsys.readouterr().out
    CompoundFacts.objects.filter(compound=cast["compound_a"]).update(surveyed=False)
    with pytest.raises(SystemExit):
        call_command("summaries", "--check")


@pytest.mark.django_db
def test_funnel_reads_one_aggregate_whatever_the_count(programme, cast):
    base = Compound.objects.all()
    with CaptureQueriesContext(connection) as q:
        rows = sel.funnel(sel.annotated_compounds(base))
        streets = sel.by_street(sel.annotated_compounds(base))
    assert len(q.captured_queries) == 2
    got = {r["key"]: r["n"] for r in rows}
    assert got["all"] == Compound.objects.count()
    assert got["approved"] == 1 and got["voted"] == 1
    assert sum(s["total"] for s in streets) == got["all"]
