"""Satisfaction evaluation (成果共享): one response per household, changeable
while open, refused after closing; the results math; pages and API."""

from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from gaizao import testing
from gaizao.feedback.models import SatisfactionEvaluation, SatisfactionResponse
from gaizao.feedback.selectors import summarise_satisfaction
from gaizao.plans.models import Cluster, ClusterMember, Plan

STARS = {"overall": 5, "quality": 4, "content": 4, "civility": 3, "management": 5}


def post(client, url, data=None):
    return client.post(url, data=data or {}, content_type="application/json")


@pytest.fixture
def ev(cast, users, client_for, approved_a):
    r = client_for(users["community_tianxiang"]).post(
        reverse("consultation:satisfaction_list"), {"compound": cast["compound_a"].pk}
    )
    assert r.status_code == 302
    return SatisfactionEvaluation.objects.get()


def test_summary_math():
    rows = [
        {"overall": 5, "quality": 4, "content": 3, "civility": 2, "management": 1},
        {"overall": 4, "quality": 4, "content": 5, "civility": 2, "management": 1},
        {"overall": 2, "quality": 5, "content": 5, "civility": 2, "management": 3},
        {"overall": 1, "quality": 5, "content": 1, "civility": 2, "management": 3},
    ]
    res = summarise_satisfaction(rows, households=10)
    assert res["responses"] == 4 and res["response_rate"] == 0.4
    by = {a.field: a for a in res["aspects"]}
    assert by["overall"].average == 3.0
    assert by["overall"].distribution == {1: 1, 2: 1, 3: 0, 4: 1, 5: 1}
    assert by["overall"].satisfied_share == 0.5
    assert by["quality"].average == 4.5 and by["quality"].satisfied_share == 1.0
    assert by["civility"].satisfied_share == 0.0
    assert by["management"].average == 2.0
    empty = summarise_satisfaction([], households=0)
    assert empty["response_rate"] is None and empty["aspects"][0].average is None


def test_one_response_per_unit_updated_while_open_refused_after_close(cast, users, client_for, ev):
    rate = reverse("consultation:satisfaction_rate", args=[ev.pk])
    ra = client_for(users["resident_a"])
    assert 'class="stars"' in ra.get(rate).content.decode()
    r = ra.post(rate, {**STARS, "comment": "很好"})
    assert r.status_code == 302
    # Another resident of the same household (unit) replaces the answer.
    same_unit = testing.make_user("resident_a2", "resident", unit=cast["units_a"][0])
    r = client_for(same_unit).post(rate, {**STARS, "overall": 2})
    assert r.status_code == 302
    assert SatisfactionResponse.objects.count() == 1
    resp = SatisfactionResponse.objects.get()
    assert resp.overall == 2 and resp.respondent == same_unit and resp.comment == ""
    # The other unit answers separately.
    neighbour = testing.make_user("neighbour", "resident", unit=cast["units_a"][1])
    client_for(neighbour).post(rate, {**STARS, "overall": 4})
    assert SatisfactionResponse.objects.count() == 2
    # Close: further answers are refused and nothing changes.
    street = client_for(users["street_jinchen"])
    assert street.post(reverse("consultation:satisfaction_close", args=[ev.pk])).status_code == 302
    r = ra.post(rate, {**STARS, "overall": 1})
    assert r.status_code == 400 and "已经结束" in r.content.decode()
    assert sorted(SatisfactionResponse.objects.values_list("overall", flat=True)) == [2, 4]
    r = post(ra, f"/api/v1/satisfaction/{ev.pk}/responses", {**STARS, "overall": 1})
    assert r.status_code == 400 and "已经结束" in r.json()["error"]


def test_results_pages_and_export(cast, users, client_for, ev, settings):
    settings.GAIZAO_SATISFACTION_MIN_RESPONSES = 1  # scores with few answers
    rate = reverse("consultation:satisfaction_rate", args=[ev.pk])
    client_for(users["resident_a"]).post(rate, {**STARS, "comment": "电梯加装得好"})
    neighbour = testing.make_user("neighbour", "resident", unit=cast["units_a"][1])
    client_for(neighbour).post(rate, {**STARS, "overall": 3, "comment": ""})
    detail = reverse("consultation:satisfaction_detail", args=[ev.pk])
    # Staff: results, comments, export
    page = client_for(users["community_tianxiang"]).get(detail).content.decode()
    assert "2 / 2" in page and "100%" in page and "电梯加装得好" in page
    r = client_for(users["district"]).get(reverse("consultation:satisfaction_export", args=[ev.pk]))
    rows = list(load_workbook(BytesIO(r.content)).active.values)
    assert rows[0][0] == "住户" and {rows[1][1], rows[2][1]} == {5, 3}
    assert any(row and row[0] == "平均" and row[1] == 4.0 for row in rows)
    # Residents: aggregated only, no comments, no export
    ra = client_for(users["resident_a"])
    page = ra.get(detail).content.decode()
    assert "2 / 2" in page and "电梯加装得好" not in page
    assert ra.get(reverse("consultation:satisfaction_export", args=[ev.pk])).status_code == 403
    # Another compound's resident and street: 404
    assert client_for(users["resident_b"]).get(detail).status_code == 404
    assert client_for(users["street_qingyun"]).get(detail).status_code == 404


def test_open_rules(cast, users, client_for, ev):
    url = reverse("consultation:satisfaction_list")
    # A second open evaluation for the same compound is refused.
    r = client_for(users["street_jinchen"]).post(url, {"compound": cast["compound_a"].pk})
    assert r.status_code == 400 and "已有进行中的满意度评价" in r.content.decode()
    # Residents, property companies cannot open one; another street cannot see compound_a.
    assert (
        client_for(users["resident_a"]).post(url, {"compound": cast["compound_a"].pk}).status_code
        == 403
    )
    assert (
        client_for(users["property_company"])
        .post(url, {"compound": cast["compound_a"].pk})
        .status_code
        == 403
    )
    assert (
        client_for(users["street_qingyun"])
        .post(url, {"compound": cast["compound_a"].pk})
        .status_code
        == 400
    )
    assert SatisfactionEvaluation.objects.count() == 1


def test_bad_stars_refused(cast, users, client_for, ev):
    rate = reverse("consultation:satisfaction_rate", args=[ev.pk])
    r = client_for(users["resident_a"]).post(rate, {**STARS, "quality": 6})
    assert r.status_code == 400 and "施工质量" in r.content.decode()
    r = post(
        client_for(users["resident_a"]),
        f"/api/v1/satisfaction/{ev.pk}/responses",
        {**STARS, "civility": 0},
    )
    assert r.status_code == 400 and "施工过程文明" in r.json()["error"]
    assert SatisfactionResponse.objects.count() == 0


def test_api_satisfaction(cast, users, client_for, approved_a, settings):
    settings.GAIZAO_SATISFACTION_MIN_RESPONSES = 1  # scores with few answers
    street = client_for(users["street_jinchen"])
    r = post(street, "/api/v1/satisfaction", {"compound_id": cast["compound_a"].pk})
    assert r.status_code == 201
    eid = r.json()["id"]
    assert (
        post(street, "/api/v1/satisfaction", {"compound_id": cast["compound_b"].pk}).status_code
        == 404
    )
    ra = client_for(users["resident_a"])
    assert [e["id"] for e in ra.get("/api/v1/satisfaction").json()["items"]] == [eid]
    assert client_for(users["resident_b"]).get("/api/v1/satisfaction").json()["items"] == []
    r = post(ra, f"/api/v1/satisfaction/{eid}/responses", STARS)
    assert r.status_code == 200 and r.json()["created"]
    r = post(ra, f"/api/v1/satisfaction/{eid}/responses", {**STARS, "overall": 3})
    assert r.status_code == 200 and not r.json()["created"]
    assert (
        post(
            client_for(users["resident_b"]), f"/api/v1/satisfaction/{eid}/responses", STARS
        ).status_code
        == 404
    )
    assert post(street, f"/api/v1/satisfaction/{eid}/responses", STARS).status_code == 403
    res = ra.get(f"/api/v1/satisfaction/{eid}/results").json()
    assert res["responses"] == 1 and res["households"] == 2 and res["response_rate"] == 0.5
    overall = res["aspects"][0]
    assert overall["field"] == "overall" and overall["average"] == 3.0
    assert overall["distribution"]["3"] == 1 and overall["satisfied_share"] == 0.0
    assert post(ra, f"/api/v1/satisfaction/{eid}/close").status_code == 403
    r = post(street, f"/api/v1/satisfaction/{eid}/close")
    assert r.status_code == 200 and r.json()["status"] == "closed"
    assert post(street, f"/api/v1/satisfaction/{eid}/close").status_code == 400


def test_evaluation_opens_at_acceptance_not_at_plan_approval(cast, users, client_for):
    url = reverse("consultation:satisfaction_list")
    street = client_for(users["street_jinchen"])
    r = street.post(url, {"compound": cast["compound_a"].pk})
    assert r.status_code == 400
    assert "小区改造尚未通过竣工验收,暂不能开展满意度评价" in r.content.decode()
    r = post(street, "/api/v1/satisfaction", {"compound_id": cast["compound_a"].pk})
    assert r.status_code == 400 and "竣工验收" in r.json()["error"]
    # an approved plan is no longer enough, nor works only completed (竣工)
    plan = Plan.objects.create(compound=cast["compound_a"], year=2026, status="approved")
    testing.make_works(plan, done_through="completion")
    assert street.post(url, {"compound": cast["compound_a"].pk}).status_code == 400
    assert not SatisfactionEvaluation.objects.exists()
    # the accepted works of the compound's cluster counts
    cl = Cluster.objects.create(name="天祥片区", area=cast["compound_a"].street)
    ClusterMember.objects.create(cluster=cl, compound=cast["compound_a"])
    testing.make_works(
        Plan.objects.create(cluster=cl, year=2026, status="approved"), done_through="acceptance"
    )
    assert street.post(url, {"compound": cast["compound_a"].pk}).status_code == 302
    assert SatisfactionEvaluation.objects.count() == 1


def test_scores_withheld_below_the_minimum_number_of_answers(cast, users, client_for, approved_a):
    """One household's answer on a small compound is not shown as "the" score."""
    from gaizao.feedback.selectors import summarise_satisfaction

    one = [{"overall": 2, "quality": 2, "progress": 2, "civility": 2, "management": 2}]
    res = summarise_satisfaction(one, 10, min_responses=5)
    assert res["withheld"] and res["responses"] == 1
    assert all(a.average is None and a.satisfied_share is None for a in res["aspects"])
    assert all(set(a.distribution.values()) == {0} for a in res["aspects"])
    assert summarise_satisfaction(one * 5, 10, min_responses=5)["aspects"][0].average == 2.0


def test_open_evaluation_is_on_the_resident_home_page(cast, users, client_for, ev):
    ra = client_for(users["resident_a"])
    portal = reverse("consultation:portal")
    rate = reverse("consultation:satisfaction_rate", args=[ev.pk])
    page = ra.get(portal).content.decode()
    assert f"满意度评价:{ev.title}" in page and rate in page and "去评价" in page
    ra.post(rate, STARS)
    assert "修改我的评价" in ra.get(portal).content.decode()
    # residents of another compound do not see it; a closed one disappears
    assert rate not in client_for(users["resident_b"]).get(portal).content.decode()
    SatisfactionEvaluation.objects.filter(pk=ev.pk).update(status="closed")
    assert rate not in ra.get(portal).content.decode()


def test_export_withholds_each_households_stars_below_the_minimum(
    cast, users, client_for, ev, settings
):
    """One answer on a small compound identifies the household: the staff
    file withholds the per-household rows as the page withholds the scores."""
    settings.GAIZAO_SATISFACTION_MIN_RESPONSES = 5
    rate = reverse("consultation:satisfaction_rate", args=[ev.pk])
    client_for(users["resident_a"]).post(rate, {**STARS, "overall": 2, "comment": "不满意"})
    r = client_for(users["district"]).get(reverse("consultation:satisfaction_export", args=[ev.pk]))
    rows = [row for row in load_workbook(BytesIO(r.content)).active.values if any(row)]
    text = " ".join(str(c) for row in rows for c in row if c is not None)
    assert "答卷少于 5 份" in text and "不满意" not in text
    assert not any(row[1] == 2 for row in rows if len(row) > 1)
