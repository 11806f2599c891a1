"""The programme API (scoped) and `gaizao plan PROGRAMME --json` on the database."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from gaizao.programme import kept
from gaizao.programme.models import Entry, Run, RunStatus


def test_api_programme_batches_runs_assignments(world, client_for, users):
    p = world["programme"]
    c = client_for(users["district"])
    r = c.get("/api/v1/programmes")
    assert r.status_code == 200 and [x["id"] for x in r.json()["items"]] == [p.pk]
    r = c.get(f"/api/v1/programmes/{p.pk}")
    assert [b["name"] for b in r.json()["batches"]] == ["2020年上半年", "2020年下半年"]
    r = c.post(
        f"/api/v1/programmes/{p.pk}/batches",
        {"name": "2021年", "starts_on": "2021-01-01", "ends_on": "2020-12-31"},
        content_type="application/json",
    )
    assert r.status_code == 400 and r.json()["error"] == "结束日期早于开始日期"
    r = c.post(
        f"/api/v1/programmes/{p.pk}/runs", {"time_limit": 1}, content_type="application/json"
    )
    assert r.status_code == 201, r.content
    run = r.json()
    assert run["status"] == "done" and run["bound"] >= run["objective"] - 1e-6
    r = c.get(f"/api/v1/programmes/{p.pk}/runs/{run['id']}/assignments")
    assert len(r.json()) == 8
    e = p.entries.first()
    r = c.patch(
        f"/api/v1/programmes/{p.pk}/entries/{e.pk}",
        {"batch_id": world["batches"][1].pk},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["locked"] is True


def test_api_scoped_for_another_street(world, client_for, users):
    p = world["programme"]
    c = client_for(users["street_qingyun"])
    run = Run.objects.create(programme=p, status=RunStatus.DONE)
    mine = p.entries.get(compound__name="青云0号小区")
    other = p.entries.get(compound__name="金辰0号小区")
    from gaizao.programme.models import Assignment

    Assignment.objects.bulk_create(
        [Assignment(run=run, entry=mine), Assignment(run=run, entry=other)]
    )
    r = c.get(f"/api/v1/programmes/{p.pk}/runs/{run.pk}/assignments")
    assert [a["compound"] for a in r.json()] == ["青云0号小区"]
    r = c.patch(
        f"/api/v1/programmes/{p.pk}/entries/{other.pk}",
        {"locked": True},
        content_type="application/json",
    )
    assert r.status_code == 404
    r = c.patch(
        f"/api/v1/programmes/{p.pk}/entries/{mine.pk}",
        {"locked": True},
        content_type="application/json",
    )
    assert r.status_code == 403
    assert (
        c.post(f"/api/v1/programmes/{p.pk}/runs", {}, content_type="application/json").status_code
        == 403
    )
    assert client_for(users["resident_a"]).get(f"/api/v1/programmes/{p.pk}").status_code == 404


def test_cli_on_the_database(world):
    p = world["programme"]
    locked = p.entries.order_by("score").first()
    Entry.objects.filter(pk=locked.pk).update(batch=world["batches"][1], locked=True)
    kept.entries_changed(p)  # a bulk write: the kept totals (programme.kept)
    out = io.StringIO()
    call_command("plan", str(p.pk), "--time-limit", "1", "--json", stdout=out)
    got = json.loads(out.getvalue())
    assert got["status"] in ("optimal", "feasible", "time-limit", "infeasible-with-shortfall")
    assert got["bound"] >= got["objective"] - 1e-6
    assert got["assignment"][str(locked.compound_id)] == world["batches"][1].pk
    # objective = Σ weight × score over assigned compounds
    weights = {b.pk: float(b.weight) for b in world["batches"]}
    scores = {e.compound_id: float(e.score) for e in p.entries.all()}
    assert got["objective"] == pytest.approx(
        sum(weights[b] * scores[int(c)] for c, b in got["assignment"].items())
    )
    out = io.StringIO()
    call_command("plan", p.name, "--time-limit", "1", stdout=out)
    assert json.loads(out.getvalue())["programme"] == p.pk


@pytest.mark.django_db
def test_cli_unknown_programme():
    with pytest.raises(CommandError, match="找不到改造计划") as e:
        call_command("plan", "没有这个计划")
    assert e.value.returncode == 2
