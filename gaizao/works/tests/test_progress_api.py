"""GET /api/v1/works-progress: started / completed / accepted compounds,
households and m² under an area, grouped one level below it
(regions.scope.breakdown_of; STYLE.md habit 18), scoped to the caller."""

from datetime import date
from decimal import Decimal

import pytest

from gaizao.accounts.models import Role
from gaizao.plans.models import Plan, PlanStatus
from gaizao.testing import make_user, make_works
from gaizao.works.models import Milestone

from .conftest import approved_plan


@pytest.fixture
def progress_data(cast):
    a, b = cast["compound_a"], cast["compound_b"]
    make_works(approved_plan(a), done_through="completion")
    make_works(
        Plan.objects.create(compound=b, year=2026, status=PlanStatus.APPROVED),
        done_through="start",
    )
    return a, b


def _get(client, area):
    r = client.get("/api/v1/works-progress", {"area_id": area.pk})
    return r.status_code, (r.json() if r.status_code == 200 else None)


@pytest.mark.django_db
def test_a_district_gets_its_streets(progress_data, users, areas, client_for):
    a, b = progress_data
    status, body = _get(client_for(users["district"]), areas["district"])
    assert status == 200 and body["level"] == "street"
    rows = {r["area"]: r for r in body["by_area"]}
    assert set(rows) == {"金辰街道", "青云街道"}
    assert rows["金辰街道"]["start"]["compounds"] == "1"
    assert rows["金辰街道"]["completion"]["compounds"] == "1"
    assert rows["青云街道"]["completion"]["compounds"] == "0"
    assert body["totals"]["start"]["compounds"] == "2"
    assert Decimal(body["totals"]["start"]["households"]) == a.households + b.households


@pytest.mark.django_db
def test_a_city_gets_its_districts_not_every_street(progress_data, areas, client_for):
    city_user = make_user("city_leader", Role.LEADERSHIP, area=areas["city"])
    status, body = _get(client_for(city_user), areas["city"])
    assert status == 200 and body["level"] == "district"
    assert [(r["area"], r["start"]["compounds"]) for r in body["by_area"]] == [("盘龙区", "2")]
    # a street asked for directly: its communities
    status, body = _get(client_for(city_user), areas["jinchen"])
    assert body["level"] == "community"
    assert [(r["area"], r["completion"]["compounds"]) for r in body["by_area"]] == [
        ("天祥社区居委会", "1")
    ]


@pytest.mark.django_db
def test_a_street_office_cannot_ask_for_the_district_or_another_street(
    progress_data, users, areas, client_for
):
    c = client_for(users["street_jinchen"])
    assert _get(c, areas["district"])[0] == 404
    assert _get(c, areas["qingyun"])[0] == 404
    status, body = _get(c, areas["jinchen"])
    assert status == 200 and body["totals"]["start"]["compounds"] == "1"


@pytest.mark.django_db
def test_the_kept_answer_changes_with_a_write(progress_data, users, areas, client_for):
    """The answer is cached on the data version (core.apikit.cached_page): a
    milestone marked done shows on the next request."""
    c = client_for(users["district"])
    assert _get(c, areas["district"])[1]["totals"]["completion"]["compounds"] == "1"
    m = Milestone.objects.get(works__compound=progress_data[1], stage="completion")
    m.actual_on = date.today()
    m.save()
    assert _get(c, areas["district"])[1]["totals"]["completion"]["compounds"] == "2"
