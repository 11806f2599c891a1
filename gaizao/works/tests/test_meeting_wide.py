"""The meeting form above STREET_BOXES street offices (a city, a province, the
country): the street offices attending are typed one a box with suggestions,
never listed (STYLE.md habit 18); a district keeps its tick boxes."""

from datetime import date

import pytest

from gaizao.regions.models import Area, Organisation
from gaizao.testing import make_org
from gaizao.works.organisation import views
from gaizao.works.organisation.models import Meeting

from .test_organisation import _post_meeting, orgs  # noqa: F401 - the fixture

K = Organisation.Kind


def _post_today(client, cast, orgs, users, **extra):  # noqa: F811 - the fixture's value
    today = date.today()
    return _post_meeting(client, cast, orgs, users, held=today, due_a=today, due_b=today, **extra)


@pytest.fixture
def wide(monkeypatch):
    # the fixture's district has two street offices: above one they are typed
    monkeypatch.setattr(views, "STREET_BOXES", 1)


@pytest.mark.django_db
def test_district_ticks_its_street_offices(cast, users, orgs, client_for):  # noqa: F811
    page = client_for(users["district"]).get("/works/organisation/meetings/new/")
    html = page.content.decode()
    assert f'name="attendees" value="{orgs["jinchen"].pk}"' in html
    assert 'name="attendee_name"' not in html


@pytest.mark.django_db
def test_many_street_offices_are_typed_not_listed(
    cast,
    users,
    orgs,  # noqa: F811 - the fixture imported above
    client_for,
    wide,
):
    office = client_for(users["district"])
    html = office.get("/works/organisation/meetings/new/").content.decode()
    assert f'name="attendees" value="{orgs["jinchen"].pk}"' not in html
    assert "金辰街道办事处" not in html
    assert html.count('name="attendee_name"') == views.ATTENDEE_BOXES
    assert "?kind=street_office" in html
    # the departments are still ticked
    assert f'name="attendees" value="{orgs["bureau"].pk}"' in html
    r = _post_today(
        office,
        cast,
        orgs,
        users,
        attendees=[orgs["bureau"].pk],
        attendee_name=["金辰街道办事处", "", "青云街道办事处", "金辰街道办事处"],
    )
    assert r.status_code == 302, r.content.decode()[:400]
    m = Meeting.objects.get()
    assert set(m.attendees.values_list("name", flat=True)) == {
        "盘龙区住房和城乡建设局",
        "金辰街道办事处",
        "青云街道办事处",
    }


@pytest.mark.django_db
def test_a_typed_attendee_unknown_or_out_of_scope_is_refused_whole(
    cast,
    users,
    orgs,  # noqa: F811 - the fixture imported above
    client_for,
    areas,
    wide,
):
    other = Area.objects.create(
        code="530102000000", name="五华区", level="district", parent=areas["city"]
    )
    street = Area.objects.create(code="530102001000", name="华山街道", level="street", parent=other)
    make_org("华山街道办事处", K.STREET_OFFICE, street)
    office = client_for(users["district"])
    for name in ("不存在的街道办事处", "华山街道办事处"):
        r = _post_today(
            office,
            cast,
            orgs,
            users,
            attendee_name=["金辰街道办事处", name],
        )
        assert r.status_code == 400
        html = r.content.decode()
        assert "第2个参会单位" in html
        # what was typed comes back, in its box
        assert f'value="{name}"' in html and 'value="金辰街道办事处"' in html
        assert not Meeting.objects.exists()
