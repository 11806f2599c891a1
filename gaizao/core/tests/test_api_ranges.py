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


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url, field",
    [
        (f"/works/responsibility/?street={BIG}", "street"),
        (f"/dashboard/compounds/?street={BIG}", "street"),
        (f"/dashboard/compounds/?batch={BIG}&stage=started", "batch"),
        (f"/compounds/?page={BIG}", "page"),
    ],
)
def test_pages_refuse_huge_integers_with_a_400_naming_them(client_for, users, url, field):
    """The same check for web pages' filters (they answered 500 on SQLite's
    'Python int too large'): a 400 page in the reader's language naming the
    parameter, with a link back to the page without it."""
    r = client_for(users["district"]).get(url)
    assert r.status_code == 400
    html = r.content.decode()
    assert f"条件“{field}”超出允许的范围" in html and "去掉这些条件重新打开本页" in html
    assert client_for(users["district"]).get(url.split("?")[0]).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url, status", [("/public/", 400), ("/compounds/", 400), ("/api/v1/compounds", 422)]
)
def test_a_nul_character_in_a_parameter_is_refused_by_name(client_for, users, url, status):
    """PostgreSQL's text cannot hold NUL: a search for "a\\x00" answered 500
    there. Pages answer 400 and the API 422, naming the parameter."""
    r = client_for(users["district"]).get(url, {"q": "天祥\x00"})
    assert r.status_code == status
    if status == 422:
        assert r.json()["errors"][0]["field"] == "q"
    else:
        assert "条件“q”含有不允许的控制字符" in r.content.decode()
