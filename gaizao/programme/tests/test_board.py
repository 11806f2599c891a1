"""The planning board through HTTP: totals, locks kept by a re-run, moves,
compare, export, and who may see or change what."""

from io import BytesIO

import pytest
from django.db.models import Sum
from openpyxl import load_workbook

from gaizao.core.models import AuditEntry
from gaizao.programme import kept
from gaizao.programme.models import Assignment, Entry, Run, RunStatus


def board_url(p):
    return f"/programme/{p.pk}/"


def test_fill_takes_the_reserve_with_estimated_costs(world):
    p = world["programme"]
    assert p.entries.count() == 8
    e = p.entries.get(compound=world["compounds"][0])
    assert e.cost_estimated and e.cost_yuan == e.area_m2 * p.cost_per_m2
    assert set(e.score_parts) == {
        "condition",
        "age",
        "willingness",
        "vote",
        "contribution",
        "management",
        "cluster",
    }


def test_board_shows_batches_with_totals(world, client_for, users):
    p = world["programme"]
    b1 = world["batches"][0]
    entries = list(p.entries.order_by("pk")[:1])
    Entry.objects.filter(pk__in=[e.pk for e in entries]).update(batch=b1)
    kept.entries_changed(p)  # a bulk write: the kept totals (programme.kept)
    area = Entry.objects.filter(batch=b1).aggregate(a=Sum("area_m2"))["a"]
    r = client_for(users["district"]).get(board_url(p))
    assert r.status_code == 200
    html = r.content.decode()
    assert "2020年上半年" in html and "2020年下半年" in html and "未入选" in html
    assert f"{int(area):,} / 40,000" in html
    short = 40000 - int(area)
    assert f"差 {short:,} ㎡" in html


def test_board_query_count_does_not_grow(world, client_for, users, django_assert_max_num_queries):
    c = client_for(users["district"])
    with django_assert_max_num_queries(20):
        assert c.get(board_url(world["programme"])).status_code == 200


def test_run_assigns_and_keeps_locks(world, client_for, users):
    p = world["programme"]
    b1, b2 = world["batches"]
    c = client_for(users["district"])
    locked = p.entries.order_by("score", "pk").first()  # lowest score: would not go first
    r = c.post(f"/programme/{p.pk}/entries/{locked.pk}/move/", {"batch": b1.pk})
    assert r.status_code == 302
    locked.refresh_from_db()
    assert locked.batch_id == b1.pk and locked.locked
    r = c.post(f"/programme/{p.pk}/runs/", {"time_limit": "2"})
    assert r.status_code == 302
    run = Run.objects.get(programme=p)
    assert run.status == RunStatus.DONE, run.error
    assert run.objective is not None and run.bound is not None and run.bound >= run.objective - 1e-6
    assert Assignment.objects.filter(run=run).count() == 8
    locked.refresh_from_db()
    assert locked.batch_id == b1.pk
    # a second run keeps the lock too, and the two runs compare
    c.post(f"/programme/{p.pk}/runs/", {"time_limit": "1"})
    run2 = Run.objects.filter(programme=p).latest("id")
    assert run2.status == RunStatus.DONE
    assert Assignment.objects.get(run=run2, entry=locked).batch_id == b1.pk
    r = c.get(f"/programme/{p.pk}/compare/", {"a": run.pk, "b": run2.pk})
    assert r.status_code == 200 and "比较运行" in r.content.decode()
    # explanation per compound
    e = p.entries.exclude(pk=locked.pk).first()
    r = c.get(f"/programme/{p.pk}/entries/{e.pk}/")
    assert r.status_code == 200
    assert "优先级得分" in r.content.decode() and "设施状况差距" in r.content.decode()
    assert AuditEntry.objects.filter(model="programme.run", action="finish").count() == 2


def test_bad_time_limit_is_a_message(world, client_for, users):
    p = world["programme"]
    r = client_for(users["district"]).post(
        f"/programme/{p.pk}/runs/", {"time_limit": "abc"}, follow=True
    )
    assert r.status_code == 200
    assert "时间上限（秒）应为数字" in r.content.decode()
    assert not Run.objects.exists()


def test_cancel_flag(world, client_for, users):
    p = world["programme"]
    run = Run.objects.create(programme=p, time_limit=5)
    r = client_for(users["district"]).post(f"/programme/{p.pk}/runs/{run.pk}/cancel/")
    assert r.status_code == 302
    run.refresh_from_db()
    assert run.cancel_requested
    from gaizao.programme import runner

    runner.execute(run.pk, users["district"])
    run.refresh_from_db()
    assert run.status == RunStatus.CANCELLED


def test_export_lists_batches(world, client_for, users):
    p = world["programme"]
    b1 = world["batches"][0]
    Entry.objects.filter(compound=world["compounds"][0]).update(batch=b1)
    kept.entries_changed(p)  # a bulk write: the kept totals (programme.kept)
    r = client_for(users["district"]).get(f"/programme/{p.pk}/export.xlsx")
    assert r.status_code == 200
    ws = load_workbook(BytesIO(r.content)).active
    rows = list(ws.values)
    assert rows[0][0] == "批次" and len(rows) == 9
    assert rows[1][0] == "2020年上半年" and rows[1][1] == "天祥小区"
    assert rows[1][7] == "按单价估算"


def test_street_sees_only_its_compounds_and_cannot_change(world, client_for, users):
    p = world["programme"]
    c = client_for(users["street_jinchen"])
    html = c.get(board_url(p)).content.decode()
    assert "金辰0号小区" in html and "青云0号小区" not in html
    other = p.entries.get(compound__name="青云0号小区")
    assert c.get(f"/programme/{p.pk}/entries/{other.pk}/").status_code == 404
    mine = p.entries.get(compound__name="金辰0号小区")
    assert c.post(f"/programme/{p.pk}/entries/{mine.pk}/lock/", {"locked": "1"}).status_code == 403
    assert c.post(f"/programme/{p.pk}/runs/", {"time_limit": "1"}).status_code == 403
    rows = list(
        load_workbook(BytesIO(c.get(f"/programme/{p.pk}/export.xlsx").content)).active.values
    )
    assert {r[2] for r in rows[1:]} == {"金辰街道"}


@pytest.mark.parametrize(
    "who,board,plan",
    [
        ("district", 200, 302),
        ("bureau", 200, 302),
        ("street_jinchen", 200, 403),
        ("community_tianxiang", 200, 403),
        ("surveyor", 404, 404),
        ("property_company", 404, 404),
        ("resident_a", 404, 404),
        ("norole", 404, 404),
    ],
)
def test_permission_matrix(world, client_for, users, who, board, plan):
    p = world["programme"]
    c = client_for(users[who])
    assert c.get(board_url(p)).status_code == board
    e = p.entries.get(compound=world["compounds"][0])
    assert c.post(f"/programme/{p.pk}/entries/{e.pk}/lock/", {"locked": "1"}).status_code == plan


def test_street_programme_invisible_to_other_street(areas, users, client_for, cast):
    from gaizao.programme import services

    p = services.programme_create(
        actor=users["street_jinchen"], area=areas["jinchen"], name="金辰街道计划"
    )
    assert client_for(users["street_jinchen"]).get(board_url(p)).status_code == 200
    assert client_for(users["street_qingyun"]).get(board_url(p)).status_code == 404
    assert client_for(users["district"]).get(board_url(p)).status_code == 200
