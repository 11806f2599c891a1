"""The statistical report counts its compound rows in SQL over the kept
summary (CompoundFacts.started_on / completed_on) and its money and effects
from the period's records only (issue 14: no page grows with the
jurisdiction). These tests compare every figure with the straightforward
derivation the report used before (every compound in scope and every
milestone loaded into Python, written out below), before and after writes,
and check that its query count does not grow with the data."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gaizao.disclosure import facts, report
from gaizao.disclosure.models import CompoundFacts
from gaizao.inventory.models import Compound
from gaizao.plans.models import Cluster, ClusterMember, Plan
from gaizao.programme.models import Batch, Entry, Programme
from gaizao.regions.models import Area
from gaizao.regions.scope import compound_area_q
from gaizao.testing import make_compound
from gaizao.works.models import CostEntry, Milestone, Works, WorksItem

ZERO = Decimal(0)


# --- the plain derivation (the report as it was) -------------------------------


def _first_dates(stage: str, until: date) -> dict[int, date]:
    ms = list(
        Milestone.objects.filter(
            stage=stage, actual_on__isnull=False, actual_on__lte=until
        ).values_list("works_id", "actual_on")
    )
    wc = report._works_compounds({w for w, _d in ms})
    out: dict[int, date] = {}
    for wid, d in ms:
        for cid in wc.get(wid, []):
            if cid not in out or d < out[cid]:
                out[cid] = d
    return out


def plain(area: Area, period: report.Period) -> dict:
    cols = report.columns_of(area) or [area]
    compounds = Compound.objects.filter(compound_area_q(area))
    col_of = {}
    for cid, sp in compounds.values_list("id", "street__prefix"):
        for i, c in enumerate(cols):
            if sp.startswith(report._prefix(c)):
                col_of[cid] = i
                break
    hh = dict(compounds.values_list("id", "households"))
    v = {k: [ZERO] * len(cols) for _c, k, _l, _u in report.ALL_ROWS}

    def add(key, cid, amount):
        if cid in col_of:
            v[key][col_of[cid]] += Decimal(amount or 0)

    seen = set()
    for e in Entry.objects.filter(
        batch__starts_on__lte=period.year_end, batch__ends_on__gte=period.year_start
    ).order_by("pk"):
        if e.compound_id in seen:
            continue
        seen.add(e.compound_id)
        add("planned_n", e.compound_id, 1)
        add("planned_hh", e.compound_id, e.households or hh.get(e.compound_id) or 0)
    started = _first_dates("start", period.end)
    completed = _first_dates("completion", period.end)
    for cid, d in started.items():
        h = hh.get(cid) or 0
        if period.start <= d:
            add("new_started_n", cid, 1)
            add("new_started_hh", cid, h)
        if period.year_start <= d:
            add("ytd_started_n", cid, 1)
            add("ytd_started_hh", cid, h)
        done = completed.get(cid)
        if d < period.start and (done is None or done >= period.start):
            add("carried_n", cid, 1)
        if done is None:
            add("open_n", cid, 1)
    for cid, d in completed.items():
        if period.start <= d:
            add("new_completed_n", cid, 1)
            add("new_completed_hh", cid, hh.get(cid) or 0)
        if period.year_start <= d:
            add("ytd_completed_n", cid, 1)
    costs = list(
        CostEntry.objects.filter(on__gte=period.start, on__lte=period.end).values_list(
            "works_id", "kind", "source", "amount"
        )
    )
    wc = report._works_compounds({c[0] for c in costs})
    for wid, kind, source, amount in costs:
        covered = [c for c in wc.get(wid, []) if c in col_of]
        if covered and kind == "spent":
            add("invest", covered[0], amount)
        elif covered and kind == "paid":
            add("funds", covered[0], amount)
            add(f"funds_{source}", covered[0], amount)
    return {k: vals for k, vals in v.items() if k not in report.RATIO_KEYS}


def assert_same(area: Area, period_text: str) -> None:
    period = report.parse_period(period_text)
    got = report.compute(area, period)["values"]
    want = plain(area, period)
    for key, vals in want.items():
        if key in report.TENTHOUSAND_KEYS:
            vals = [x / 10000 for x in vals]
        assert got[key] == vals + [sum(vals, ZERO)], (area.name, period_text, key)


# --- data: own works, a cluster's works, two programmes ------------------------


@pytest.fixture
def more(programme, areas, users):
    """Besides compound_a (started 2024-06-10, completed 2024-10-20): three
    compounds of 青云 in a cluster whose works started 2024-03-05 and one
    compound that is in two programmes (different households)."""
    admin = users["admin"]
    q = areas["qingyun"]
    members = [make_compound(q, f"片区{i}", households=10 * (i + 1)) for i in range(3)]
    members.append(make_compound(areas["jinchen"], "无户数小区", households=None))
    cl = Cluster.objects.create(name="青云片区", area=q, created_by=admin)
    for c in members:
        ClusterMember.objects.create(cluster=cl, compound=c)
    plan = Plan.objects.create(cluster=cl, year=2024, status="approved", created_by=admin)
    works = Works.objects.create(plan=plan, cluster=cl, name="青云片区工程")
    Milestone.objects.create(works=works, stage="start", seq=3, actual_on=date(2024, 3, 5))
    done = Milestone.objects.create(works=works, stage="completion", seq=4)
    item = WorksItem.objects.create(works=works, name="道路", unit="m", quantity=1, budget=1)
    CostEntry.objects.create(
        works=works,
        item=item,
        source="local",
        kind="spent",
        amount=Decimal("50000"),
        on=date(2024, 3, 9),
    )
    prog = Programme.objects.create(name="第二计划", area=areas["district"])
    batch = Batch.objects.create(
        programme=prog, name="二批", starts_on=date(2024, 6, 1), ends_on=date(2025, 6, 30)
    )
    Entry.objects.create(
        programme=prog,
        compound=programme["a"],
        batch=batch,
        cost_yuan=1,
        area_m2=1,
        households=999,
    )
    for c in members[:2]:
        Entry.objects.create(
            programme=prog, compound=c, batch=batch, cost_yuan=1, area_m2=1, households=0
        )
    return {"members": members, "works": works, "done": done, "cluster": cl}


PERIODS = ("2024-03", "2024-06", "2024-Q2", "2024-Q3", "2024-Q4", "2025-Q1", "2025-06")


@pytest.mark.django_db
def test_every_figure_equals_the_plain_derivation(areas, more):
    for period in PERIODS:
        for area in (areas["city"], areas["district"], areas["jinchen"], areas["qingyun"]):
            assert_same(area, period)
    q2 = report.compute(areas["district"], report.parse_period("2024-Q2"))["values"]
    assert q2["ytd_started_n"][-1] == 5  # compound_a and the four cluster members


@pytest.mark.django_db
def test_figures_follow_writes(areas, more):
    done = more["done"]
    done.actual_on = date(2024, 11, 2)  # the cluster completes in Q4
    done.save()
    moved = more["members"][0]
    moved.street = areas["jinchen"]  # a member moves street: its column changes
    moved.save()
    start = Milestone.objects.get(works=more["works"], stage="start")
    start.actual_on = date(2024, 7, 1)  # and started later than first entered
    start.save()
    Entry.objects.filter(compound=more["members"][1]).delete()
    assert facts.mismatches() == []
    for period in PERIODS:
        for area in (areas["district"], areas["jinchen"], areas["qingyun"]):
            assert_same(area, period)
    q4 = report.compute(areas["district"], report.parse_period("2024-Q4"))["values"]
    assert q4["new_completed_n"][-1] == 5
    start.delete()  # no start any more: completed without a start
    assert CompoundFacts.objects.get(compound=moved).started_on is None
    for period in PERIODS:
        assert_same(areas["district"], period)


@pytest.mark.django_db
def test_query_count_does_not_grow_with_the_data(areas, more, users):
    period = report.parse_period("2024-Q4")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            report.compute(areas["district"], period)
        return len(ctx.captured_queries)

    before = count()
    admin = users["admin"]
    for i in range(5):
        c = make_compound(areas["qingyun"], f"增加{i}", households=30)
        plan = Plan.objects.create(compound=c, year=2024, status="approved", created_by=admin)
        w = Works.objects.create(plan=plan, compound=c, name=f"工程{i}")
        Milestone.objects.create(works=w, stage="start", seq=3, actual_on=date(2024, 2, 1 + i))
    assert count() == before
    assert_same(areas["district"], "2024-Q4")
