"""Issue 9 #9: integers beyond the database's range answer 422 naming the
field, in the caller's language, never 500."""

import pytest

BIG = "99999999999999999999"


@pytest.mark.parametrize(
    "url, field",
    [
        (f"/api/v1/compounds?offset={BIG}", "offset"),
        (f"/api/v1/compounds/{BIG}", "compound_id"),
        (f"/api/v1/buildings/{BIG}", "building_id"),
    ],
)
def test_huge_integers_are_refused_with_the_field_named(client_for, users, url, field):
    c = client_for(users["bureau"])
    r = c.get(url)
    assert r.status_code in (404, 422), (r.status_code, r.content[:300])
    if r.status_code == 422:
        body = r.json()
        assert any(e["field"] == field for e in body["errors"]), body
        assert "超出允许的范围" in body["errors"][0]["message"]
    en = c.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert en.status_code == r.status_code
    if en.status_code == 422:
        assert "range" in en.json()["errors"][0]["message"].lower()
