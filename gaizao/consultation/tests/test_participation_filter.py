"""The participation overview's "active" filter (a vote, a survey or an
access code) is three EXISTS subqueries, not an OR across joins with
DISTINCT (issue 14; STYLE.md habit 18), and still finds the right compounds."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from gaizao import testing
from gaizao.consultation import selectors_pages
from gaizao.consultation.models import AccessCode, Consultation, Vote


def test_active_filter_uses_exists_and_finds_each_kind(client_for, users, cast, areas):
    now = timezone.now()
    with_survey = testing.make_compound(areas["jinchen"], "有征询小区")
    with_code = testing.make_compound(areas["jinchen"], "有入户码小区")
    testing.make_compound(areas["jinchen"], "无活动小区")
    Consultation.objects.create(
        compound=with_survey, title="意愿征询", opens_at=now, closes_at=now + timedelta(days=3)
    )
    Consultation.objects.create(
        compound=with_survey,
        title="旧征询",
        opens_at=now - timedelta(days=9),
        closes_at=now - timedelta(days=2),
    )
    unit = testing.make_unit(testing.make_building(with_code, "1栋"), "101")
    AccessCode.objects.create(unit=unit, code_hash="x" * 64)
    AccessCode.objects.create(unit=unit, code_hash="y" * 64, revoked_at=now)
    Vote.objects.create(
        compound=cast["compound_a"],
        matter=7,
        title="表决",
        opens_at=now,
        closes_at=now + timedelta(days=7),
    )
    qs = selectors_pages.staff_compounds(users["district"], active=True)
    sql = str(qs.query).upper()
    assert "EXISTS" in sql and "DISTINCT" not in sql
    names = {c.name: c for c in qs}
    assert set(names) == {"天祥小区", "有征询小区", "有入户码小区"}
    # two surveys counted once each (no join fan-out with the codes), one open
    assert (names["有征询小区"].surveys_n, names["有征询小区"].surveys_open) == (2, 1)
    assert names["有入户码小区"].surveys_n == 0
    page = client_for(users["district"]).get(reverse("consultation:staff_home"), {"active": "1"})
    html = page.content.decode()
    assert "有入户码小区" in html and "无活动小区" not in html
