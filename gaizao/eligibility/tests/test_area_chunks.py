"""A whole area evaluated in chunks (issue 14 item 3): each chunk its own
transaction and audit entry, progress up to the total, the extension cap
decided across the whole area, a failure half-way that keeps the chunks
done and names the compound, and the page that hands a large area to a job."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gaizao.core.models import AuditEntry, Job
from gaizao.eligibility import rules, selectors, services
from gaizao.eligibility.evaluation import EvaluationFailed
from gaizao.eligibility.models import Verdict
from gaizao.inventory.models import Compound

from .conftest import good_compound


@pytest.fixture
def willing(monkeypatch):
    monkeypatch.setattr(
        selectors, "willingness_shares", lambda ids: dict.fromkeys(ids, Decimal("0.9"))
    )


def _many(areas, n, start=0, **kw):
    return [
        good_compound(areas["qingyun"], f"分块{i:02d}号院", community=areas["yunshan"], **kw)
        for i in range(start, start + n)
    ]


def _run(area, chunk, **kw):
    seen = []
    out = services.evaluate_area(
        actor=None, area=area, chunk=chunk, progress=lambda d, t: seen.append((d, t)), **kw
    )
    return out, seen


def _chunk_entries():
    return AuditEntry.objects.filter(model="regions.area", changes__has_key="eligibility_evaluated")


@pytest.mark.parametrize("n, chunks", [(4, 1), (5, 2), (8, 2), (9, 3)])
def test_chunk_boundaries_store_every_compound_once(policies, areas, willing, n, chunks):
    made = _many(areas, n)
    out, seen = _run(areas["qingyun"], chunk=4)
    assert out.total == n == Verdict.objects.filter(by_default=True).count()
    assert {v.compound_id for v in Verdict.objects.all()} == {c.pk for c in made}
    # progress: once before the first chunk, then after each, up to the total
    assert seen[0] == (0, n) and seen[-1] == (n, n) and len(seen) == chunks + 1
    assert [d for d, _t in seen] == sorted(d for d, _t in seen)
    # one audit entry per chunk, written with the chunk
    entries = list(_chunk_entries().order_by("id"))
    assert len(entries) == chunks
    assert sum(e.changes["eligibility_evaluated"] for e in entries) == n


def test_queries_grow_by_chunk_not_by_compound(policies, areas, willing):
    _many(areas, 4)
    with CaptureQueriesContext(connection) as one:
        _run(areas["qingyun"], chunk=4)
    _many(areas, 8, start=4)  # 12 compounds: three chunks of 4
    Verdict.objects.all().delete()
    with CaptureQueriesContext(connection) as three:
        _run(areas["qingyun"], chunk=4)
    per_chunk = (len(three) - len(one)) / 2
    # ≤ 14 for the evaluation, 5 for re-deriving the chunk's kept summary
    # (savepoint, read, delete, insert, release: disclosure.facts.refresh)
    # and ≤ 10 for its streets' tallies (lock, derive, delete, insert; the
    # kept money: two grouped reads, delete, insert; the kept entry totals:
    # read, delete, insert — disclosure.tally, disclosure.entrytally; an
    # empty insert sends nothing), whatever the number of compounds in it.
    assert per_chunk == int(per_chunk) and per_chunk <= 29


def _extension_compounds(areas):
    """Under the national policy (cut-off 2000, extension window to 2005 for
    at most 20 % of the eligible households): old compounds and newer ones."""
    old = [
        good_compound(areas["qingyun"], f"老院{i}", built_year=1990, households=100)
        for i in range(3)
    ]
    new = [
        good_compound(areas["qingyun"], f"新院{i}", built_year=2001 + i % 4, households=30)
        for i in range(5)
    ]
    return old, new


def test_the_extension_cap_is_decided_across_the_whole_area(policies, areas, willing):
    national = policies["national"]
    assert national.extension_cap_pct is not None
    old, new = _extension_compounds(areas)
    qs = Compound.objects.filter(pk__in=[c.pk for c in old + new])
    one_pass = {
        cid: (v.verdict, [r.as_dict() for r in v.reasons], v.missing)
        for cid, _p, v, _d in selectors.compute(qs, national)
    }
    out, seen = _run(areas["qingyun"], chunk=2, policy=national)
    stored = {
        v.compound_id: (v.verdict, v.reasons, v.missing)
        for v in Verdict.objects.filter(policy=national)
    }
    assert stored == one_pass  # the same verdicts as one pass over everything
    verdicts = [stored[c.pk][0] for c in new]
    assert "eligible" in verdicts and "review" in verdicts  # the cap bit
    assert out.total == 8 and seen[-1] == (8, 8)
    assert out.counts["review"] == verdicts.count("review")


def test_a_failure_half_way_keeps_the_chunks_done_and_names_the_compound(
    policies, areas, willing, monkeypatch
):
    made = _many(areas, 5)
    bad = made[2]
    bad.name = "坏数据院"
    bad.save()
    real = rules.evaluate

    def evaluate(facts, p):
        if facts.name == "坏数据院":
            raise ValueError("建成年份无法解析")
        return real(facts, p)

    monkeypatch.setattr(rules, "evaluate", evaluate)
    with pytest.raises(EvaluationFailed) as e:
        _run(areas["qingyun"], chunk=2)
    assert "坏数据院" in e.value.message and str(bad.pk) in e.value.message
    assert "已保存 2 个" in e.value.message
    # the first chunk stays stored and audited; nothing of the failed one
    assert set(Verdict.objects.values_list("compound_id", flat=True)) == {
        made[0].pk,
        made[1].pk,
    }
    assert _chunk_entries().count() == 1
    # fixed, run again: every compound once (an upsert, not a second copy)
    monkeypatch.setattr(rules, "evaluate", real)
    out, _seen = _run(areas["qingyun"], chunk=2)
    assert out.total == 5 == Verdict.objects.count()
    _run(areas["qingyun"], chunk=2)
    assert Verdict.objects.count() == 5


def _post(client, area, **extra):
    return client.post(reverse("eligibility:evaluate"), {"area": area.code, **extra})


@override_settings(GAIZAO_SYNC_EVALUATE_MAX=2)
def test_a_large_area_runs_as_a_job_with_progress(
    policies, areas, users, client_for, willing, django_capture_on_commit_callbacks
):
    _many(areas, 4)
    client = client_for(users["district"])
    with django_capture_on_commit_callbacks(execute=True):
        r = _post(client, areas["qingyun"])
    job = Job.objects.get()
    assert r.status_code == 302 and r.url == reverse("core:job", args=[job.pk])
    assert job.kind == "eligibility.evaluate" and "青云" in job.title
    n = Compound.objects.filter(street=areas["qingyun"]).count()
    assert job.status == Job.Status.DONE and job.done == job.total == n >= 4
    page = client.get(r.url).content.decode()
    assert f"已评估 {n} 个小区" in page and reverse("eligibility:reserve") in page
    assert Verdict.objects.filter(by_default=True).count() == n
    # only the starter sees it
    other = client_for(users["bureau"])
    assert other.get(reverse("core:job", args=[job.pk])).status_code == 404


@override_settings(GAIZAO_SYNC_EVALUATE_MAX=3)
def test_a_small_area_stays_in_the_request(policies, areas, users, client_for, willing):
    _many(areas, 2)
    n = Compound.objects.filter(street=areas["qingyun"]).count()
    assert n == 3  # exactly the threshold
    r = _post(client_for(users["district"]), areas["qingyun"])
    assert r.status_code == 302 and r.url == reverse("eligibility:reserve")
    assert not Job.objects.exists()
    assert Verdict.objects.filter(by_default=True).count() == n


@override_settings(GAIZAO_SYNC_EVALUATE_MAX=0)
def test_another_jurisdiction_starts_no_job(policies, areas, users, client_for):
    _many(areas, 1)
    r = _post(client_for(users["street_jinchen"]), areas["qingyun"])
    assert r.status_code == 302 and r.url == reverse("eligibility:reserve")
    assert not Job.objects.exists()  # refused with a message (areapick), no job


@override_settings(GAIZAO_SYNC_EVALUATE_MAX=0)
def test_a_job_that_fails_says_which_compound(
    policies,
    areas,
    users,
    client_for,
    willing,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    made = _many(areas, 3)
    real = rules.evaluate
    monkeypatch.setattr(
        rules,
        "evaluate",
        lambda f, p: (
            (_ for _ in ()).throw(TypeError("坏")) if f.name == made[1].name else real(f, p)
        ),
    )
    client = client_for(users["district"])
    with django_capture_on_commit_callbacks(execute=True):
        r = _post(client, areas["qingyun"])
    job = Job.objects.get()
    assert job.status == Job.Status.FAILED and made[1].name in job.message
    assert made[1].name in client.get(r.url).content.decode()


def test_the_command_prints_progress(policies, areas, willing):
    _many(areas, 3)
    out, err = StringIO(), StringIO()
    call_command("eligibility", "--area", areas["qingyun"].code, stdout=out, stderr=err)
    assert "已评估 3 / 3" in err.getvalue()
    assert "已评估 3 个小区" in out.getvalue()
