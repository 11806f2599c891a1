"""Roles × inventory pages and API, through HTTP: invisible → 404,
visible but not allowed → 403 (STYLE.md habits 4 and 5)."""

import pytest

from gaizao.accounts.models import ApiToken
from gaizao.inventory.models import Survey

# who → (sees compound_a, sees compound_b)
SCOPE = [
    ("admin", True, True),
    ("district", True, True),
    ("bureau", True, True),
    ("street_jinchen", True, False),
    ("street_qingyun", False, True),
    ("community_tianxiang", True, False),
    ("community_yunshan", False, True),
    ("surveyor", True, False),
    ("property_company", True, False),
    ("owners_committee", True, False),
    ("resident_a", True, False),
    ("resident_b", False, True),
    ("contractor", False, False),
    ("norole", False, False),
]
EDITORS = {
    "admin",
    "district",
    "bureau",
    "street_jinchen",
    "street_qingyun",
    "community_tianxiang",
    "community_yunshan",
}
SURVEYORS = EDITORS | {"surveyor"}


def _status(sees: bool, allowed: bool = True) -> int:
    if not sees:
        return 404
    return 200 if allowed else 403


@pytest.mark.parametrize("who,sees_a,sees_b", SCOPE)
def test_pages_matrix(cast, client_for, who, sees_a, sees_b):
    c = client_for(cast["users"][who])
    a, b = cast["compound_a"], cast["compound_b"]
    for compound, sees in ((a, sees_a), (b, sees_b)):
        assert c.get(f"/compounds/{compound.pk}/").status_code == _status(sees), compound
        assert c.get(f"/compounds/{compound.pk}/edit/").status_code == _status(sees, who in EDITORS)
        assert c.get(f"/compounds/{compound.pk}/survey/").status_code == _status(
            sees, who in SURVEYORS
        )
    body = c.get("/compounds/").content.decode()
    assert (">天祥小区</a>" in body) is sees_a
    assert (">云山小区</a>" in body) is sees_b


@pytest.mark.parametrize("who,sees_a,sees_b", SCOPE)
def test_api_matrix(cast, client, who, sees_a, sees_b):
    _, raw = ApiToken.issue(cast["users"][who])
    h = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    a, b = cast["compound_a"], cast["compound_b"]
    for compound, building, sees in (
        (a, cast["building_a"], sees_a),
        (b, cast["building_b"], sees_b),
    ):
        for url in (
            f"/api/v1/compounds/{compound.pk}",
            f"/api/v1/compounds/{compound.pk}/buildings",
            f"/api/v1/compounds/{compound.pk}/surveys",
            f"/api/v1/buildings/{building.pk}",
            f"/api/v1/buildings/{building.pk}/units",
        ):
            r = client.get(url, **h)
            assert r.status_code == _status(sees), url
            if not sees:
                assert "error" in r.json()
        r = client.patch(
            f"/api/v1/compounds/{compound.pk}",
            {"households": 321},
            content_type="application/json",
            **h,
        )
        assert r.status_code == _status(sees, who in EDITORS), r.content
    ids = {x["id"] for x in client.get("/api/v1/compounds", **h).json()["items"]}
    assert (a.pk in ids) is sees_a
    assert (b.pk in ids) is sees_b


def test_anonymous_is_sent_to_login_and_api_says_401(cast, client):
    r = client.get(f"/compounds/{cast['compound_a'].pk}/")
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]
    r = client.get("/api/v1/compounds")
    assert r.status_code == 401 and r.json()["error"]


def test_survey_detail_scoped(cast, client_for):
    s = Survey.objects.create(compound=cast["compound_a"], surveyed_on="2026-01-05")
    assert (
        client_for(cast["users"]["street_jinchen"]).get(f"/compounds/surveys/{s.pk}/").status_code
        == 200
    )
    assert (
        client_for(cast["users"]["street_qingyun"]).get(f"/compounds/surveys/{s.pk}/").status_code
        == 404
    )
    assert (
        client_for(cast["users"]["street_qingyun"]).get(f"/api/v1/surveys/{s.pk}").status_code
        == 404
    )


def test_surveyor_may_survey_but_not_edit(cast, client_for):
    c = client_for(cast["users"]["surveyor"])
    pk = cast["compound_a"].pk
    assert c.post(f"/compounds/{pk}/edit/", {"name": "改名"}).status_code == 403
    r = c.patch(f"/api/v1/compounds/{pk}", {"name": "改名"}, content_type="application/json")
    assert r.status_code == 403 and r.json()["error"]
    cast["compound_a"].refresh_from_db()
    assert cast["compound_a"].name == "天祥小区"


@pytest.mark.parametrize(
    "who,expected",
    [
        ("street_jinchen", "张*丰"),
        ("district", "张*丰"),
        ("property_company", "张*丰"),
        ("community_tianxiang", "张三丰"),
        ("owners_committee", "张三丰"),
    ],
)
def test_owner_masking_in_page_and_api(cast, client_for, who, expected):
    c = client_for(cast["users"][who])
    body = c.get(f"/compounds/{cast['compound_a'].pk}/").content.decode()
    assert expected in body
    assert ("张三丰" in body) is (expected == "张三丰")
    assert ("13812345678" in body) is (expected == "张三丰")
    assert ("530103199001011234" in body) is (expected == "张三丰")
    units = c.get(f"/api/v1/buildings/{cast['building_a'].pk}/units").json()
    assert {u["owner_name"] for u in units} == {expected}
