"""The JSON API: verdict with reasons, reserve, policies, evaluate."""

import json
from decimal import Decimal

import pytest

from gaizao.accounts.models import ApiToken
from gaizao.eligibility import selectors
from gaizao.eligibility.models import Verdict

from .conftest import good_compound


@pytest.fixture
def willing(monkeypatch):
    monkeypatch.setattr(
        selectors, "willingness_shares", lambda ids: dict.fromkeys(ids, Decimal("0.9"))
    )


def test_compound_eligibility(policies, areas, users, client_for, willing):
    c = good_compound(areas["jinchen"], "接口老院", is_urban_village=True)
    r = client_for(users["street_jinchen"]).get(f"/api/v1/compounds/{c.pk}/eligibility")
    assert r.status_code == 200
    d = r.json()
    assert d["verdict"] == "ineligible" and d["policy"] == "panlong-2020"
    crit = {x["criterion"]: x for x in d["reasons"]}
    assert crit["exclusion.urban_village"] == {
        "criterion": "exclusion.urban_village",
        "label": "排除:城中村",
        "passed": False,
        "detail": "属于城中村",
    }
    assert crit["built"]["passed"] is True
    assert d["missing"] == [] and d["stored"] is None


def test_compound_eligibility_by_policy_name_and_missing(policies, cast, users, client_for):
    c = cast["compound_a"]  # no survey, exclusion facts unknown
    client = client_for(users["district"])
    d = client.get(f"/api/v1/compounds/{c.pk}/eligibility?policy=national-2020").json()
    assert d["policy"] == "national-2020" and d["verdict"] == "review"
    assert "是否纳入棚改计划" in d["missing"] and "摸底调查" in d["missing"]
    d = client.get(f"/api/v1/compounds/{c.pk}/eligibility?policy=全国城镇老旧小区改造(2020)").json()
    assert d["policy"] == "national-2020"
    r = client.get(f"/api/v1/compounds/{c.pk}/eligibility?policy=nope")
    assert r.status_code == 404 and "nope" in r.json()["error"]


def test_invisible_compound_is_404(policies, cast, users, client_for):
    r = client_for(users["street_jinchen"]).get(
        f"/api/v1/compounds/{cast['compound_b'].pk}/eligibility"
    )
    assert r.status_code == 404
    assert r.json() == {"error": "小区不存在或不在您的辖区内"}
    assert (
        client_for(None).get(f"/api/v1/compounds/{cast['compound_b'].pk}/eligibility").status_code
        == 401
    )


def test_evaluate_and_reserve_with_token(policies, areas, users, client_for, willing):
    good_compound(areas["jinchen"], "金辰老院")
    good_compound(areas["qingyun"], "青云老院")
    _, raw = ApiToken.issue(users["bureau"])
    client = client_for(None)
    h = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    r = client.post(
        "/api/v1/eligibility/evaluate",
        json.dumps({"area_code": "530103000000"}),
        content_type="application/json",
        **h,
    )
    assert r.status_code == 200, r.content
    assert r.json()["total"] == 4 and r.json()["counts"]["eligible"] == 2
    r = client.get("/api/v1/eligibility/reserve?verdict=eligible", **h)
    d = r.json()
    assert d["count"] == 2 and {i["name"] for i in d["items"]} == {"金辰老院", "青云老院"}
    assert d["totals"]["eligible"]["households"] == 400
    # A street office sees its street only.
    d = client_for(users["street_jinchen"]).get("/api/v1/eligibility/reserve").json()
    assert {i["name"] for i in d["items"]} == {"金辰老院", "天祥小区"}


def test_evaluate_errors(policies, users, client_for):
    client = client_for(users["street_jinchen"])
    r = client.post(
        "/api/v1/eligibility/evaluate",
        json.dumps({"area_code": "530103006000"}),
        content_type="application/json",
    )
    assert r.status_code == 403
    r = client.post(
        "/api/v1/eligibility/evaluate",
        json.dumps({"area_code": "999"}),
        content_type="application/json",
    )
    assert r.status_code == 400 and "不存在" in r.json()["error"]
    r = client.post("/api/v1/eligibility/evaluate", json.dumps({}), content_type="application/json")
    assert r.status_code == 422
    r = client_for(users["community_tianxiang"]).post(
        "/api/v1/eligibility/evaluate",
        json.dumps({"area_code": "530103005006"}),
        content_type="application/json",
    )
    assert r.status_code == 403
    assert not Verdict.objects.exists()


def test_reserve_bad_filters(policies, users, client_for):
    client = client_for(users["district"])
    r = client.get("/api/v1/eligibility/reserve?verdict=maybe")
    assert r.status_code == 400
    r = client.get("/api/v1/eligibility/reserve?street=123")
    assert r.status_code == 400


def test_policies_list(policies, users, client_for):
    d = client_for(users["surveyor"]).get("/api/v1/policies").json()
    by = {p["code"]: p for p in d}
    assert by["panlong-2020"]["built_cutoff"] == "2000-01-01"
    assert by["panlong-2020"]["require_main_urban"] is True
    assert by["national-2020"]["extension_cutoff"] == "2005-12-31"
    assert by["national-2020"]["area_code"] is None


def test_reserve_query_count(
    policies, areas, users, client_for, willing, django_assert_max_num_queries
):
    from gaizao.eligibility import services

    for i in range(20):
        good_compound(areas["jinchen"], f"数量老院{i}")
    services.evaluate_area(actor=None, area=areas["district"])
    client = client_for(users["district"])
    with django_assert_max_num_queries(7):
        r = client.get("/api/v1/eligibility/reserve")
    assert r.json()["count"] == 22
