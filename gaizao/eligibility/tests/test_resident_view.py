"""A resident sees their own compound's verdict, read-only (QA finding), the
selector the resident portal calls, and the reserve wording on the page."""

from decimal import Decimal

import pytest
from django.urls import reverse

from gaizao.eligibility import selectors, services
from gaizao.eligibility.models import Verdict

from .conftest import complete, good_compound, survey


@pytest.fixture
def willing(monkeypatch):
    monkeypatch.setattr(
        selectors, "willingness_shares", lambda ids: dict.fromkeys(ids, Decimal("0.9"))
    )


def test_resident_sees_own_compound_read_only(policies, cast, users, client_for):
    a, b = cast["compound_a"], cast["compound_b"]
    client = client_for(users["resident_a"])
    r = client.get(reverse("eligibility:compound", args=[a.pk]))
    assert r.status_code == 200
    html = r.content.decode()
    assert "天祥小区" in html and "盘龙区老旧小区改造范围(2020)" in html
    assert "待核实" in html  # no survey, no willingness yet
    # no policy switcher, no re-evaluation, no link to the staff reserve
    assert 'name="policy"' not in html and "重新评估" not in html
    assert f'href="{reverse("eligibility:reserve")}"' not in html
    # a policy in the query is ignored: always the compound's default
    html = client.get(reverse("eligibility:compound", args=[a.pk]) + "?policy=national-2020")
    assert "全国" not in html.content.decode().split("<h2>")[0].split("<h1>")[1]
    assert client.post(reverse("eligibility:compound", args=[a.pk])).status_code == 403
    assert not Verdict.objects.exists()
    # another compound: not there at all
    assert client.get(reverse("eligibility:compound", args=[b.pk])).status_code == 404
    # the reserve stays staff-only
    assert client.get(reverse("eligibility:reserve")).status_code == 403


def test_resident_without_unit_sees_nothing(policies, cast, users, client_for):
    from gaizao.testing import make_user

    lonely = make_user("lonely", "resident")
    url = reverse("eligibility:compound", args=[cast["compound_a"].pk])
    assert client_for(lonely).get(url).status_code == 404
    assert client_for(users["norole"]).get(url).status_code == 403


def test_verdict_for_compound_live_then_stored(policies, areas, willing):
    c = good_compound(areas["jinchen"], "老旧三号院", community=areas["tianxiang"])
    live = selectors.verdict_for_compound(c)
    assert live["verdict"] == "eligible" and live["label"] == "符合改造范围"
    assert live["policy"] == str(policies["panlong"]) and live["stored"] is False
    assert live["evaluated_at"] is not None
    assert {"criterion", "label", "passed", "detail"} <= set(live["reasons"][0])
    assert not Verdict.objects.exists()  # evaluated, not stored
    v = services.evaluate_compound(c)
    stored = selectors.verdict_for_compound(c)
    assert stored["stored"] is True and stored["evaluated_at"] == v.evaluated_at
    assert stored["reasons"] == v.reasons and stored["verdict"] == "eligible"


def test_verdict_for_compound_without_policies(cast):
    from gaizao.eligibility.models import Policy

    Policy.objects.all().delete()
    assert selectors.verdict_for_compound(cast["compound_a"]) is None


def test_only_eligible_compounds_are_said_to_enter_the_reserve(
    policies, areas, users, client_for, willing
):
    client = client_for(users["street_jinchen"])
    # under review: the built year is unknown
    review = complete(
        good_compound(areas["jinchen"], "待核实院", built_year=None), in_main_urban_area=True
    )
    survey(review)
    url = reverse("eligibility:compound", args=[review.pk])
    client.post(url)
    assert Verdict.objects.get(compound=review, by_default=True).verdict == "review"
    html = client.get(url).content.decode()
    assert "待核实" in html
    assert "计入储备库" not in html.replace("核实符合后才计入储备库", "")
    assert "记入储备库" not in html
    eligible = good_compound(areas["jinchen"], "符合院")
    url = reverse("eligibility:compound", args=[eligible.pk])
    r = client.post(url, follow=True)
    assert "已按“盘龙区老旧小区改造范围(2020)”重新评估并保存结论" in r.content.decode()
    assert ",计入储备库" in r.content.decode()
