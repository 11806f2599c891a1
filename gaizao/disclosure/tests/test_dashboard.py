import pytest


@pytest.mark.django_db
def test_dashboard_figures_and_drill_down_links(client_for, users, programme):
    c = client_for(users["district"])
    r = c.get("/dashboard/")
    assert r.status_code == 200
    funnel = {s["key"]: s for s in r.context["funnel"]}
    assert funnel["eligible"]["n"] == 1 and funnel["surveyed"]["n"] == 2
    funding = {f["key"]: f["amount"] for f in r.context["funding"]}
    assert funding["central_subsidy"] == 800000 and funding["resident"] == 400000
    assert r.context["funding_total"] == 1200000
    assert r.context["satisfaction"]["avg"] == 5
    chart = r.context["chart"]
    assert [s["value"] for s in chart["funnel"]] == [2, 2, 1, 1, 1, 1, 1, 1, 0, 0]
    # Funding planned against paid, overdue responsibilities, targets.
    paid = {f["key"]: f["paid"] for f in r.context["funding"]}
    assert paid["central_subsidy"] == 300000 and paid["resident"] == 0
    assert r.context["paid_total"] == 300000
    assert r.context["late"]["total"] == 1
    (t,) = r.context["targets"]
    assert (t["n"], t["started"], t["completed"], t["rate_n"]) == (2, 1, 1, 50)
    assert [s["started"] for s in t["areas"]] in ([1, 0], [0, 1])
    for url, n in [
        (t["url"], 2),
        (t["started_url"], 1),
        (r.context["late"]["url"], 1),
        (t["areas"][0]["url"], 1),
    ]:
        assert c.get(url).context["count"] == n, url
    html = r.content.decode()
    assert "vendor/echarts/echarts.min.js" in html
    # The chart data is a JSON object in the page (not a JSON-encoded string).
    assert '<script id="dash-data" type="application/json">{' in html
    # Every figure leads to the compounds behind it, and the count matches.
    for key, s in funnel.items():
        lst = c.get(s["url"])
        assert lst.status_code == 200
        assert lst.context["count"] == s["n"], key
    r2 = c.get(r.context["funding"][0]["url"])
    assert [x["name"] for x in r2.context["rows"]] == ["天祥小区"]


@pytest.mark.django_db
def test_dashboard_scoped_to_the_users_area(client_for, users, programme):
    r = client_for(users["street_qingyun"]).get("/dashboard/")
    funnel = {s["key"]: s["n"] for s in r.context["funnel"]}
    assert funnel["all"] == 1 and funnel["eligible"] == 0
    assert r.context["funding_total"] == 0
    lst = client_for(users["street_qingyun"]).get("/dashboard/compounds/")
    assert [x["name"] for x in lst.context["rows"]] == ["云山小区"]


@pytest.mark.django_db
def test_dashboard_street_filter(client_for, users, programme, areas):
    c = client_for(users["district"])
    r = c.get("/dashboard/", {"street": areas["qingyun"].pk})
    assert {s["key"]: s["n"] for s in r.context["funnel"]}["all"] == 1


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["community_tianxiang", "surveyor", "contractor", None])
def test_dashboard_refused_to_others(client_for, users, programme, who):
    user = users[who] if who else None
    r = client_for(user).get("/dashboard/")
    assert r.status_code in (302, 403)
    assert client_for(user).get("/dashboard/compounds/").status_code in (302, 403)


@pytest.mark.django_db
def test_drill_down_list_query_count_flat(client_for, users, programme, cast, areas):
    from django.core.cache import cache

    from gaizao.testing import make_compound

    c = client_for(users["district"])
    c.get("/dashboard/compounds/")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # Each measured request renders in full: the header's inbox count is
    # cached per data version, which the new compounds bump.
    cache.clear()
    with CaptureQueriesContext(connection) as few:
        c.get("/dashboard/compounds/")
    for i in range(10):
        make_compound(areas["jinchen"], f"加测小区{i}")
    cache.clear()
    with CaptureQueriesContext(connection) as many:
        r = c.get("/dashboard/compounds/")
    assert r.context["count"] == 12
    assert len(many) == len(few)


def _more_areas(areas):
    """A country and a province above the city, a second district and a
    second province, each with a compound."""
    from gaizao.regions.models import Area
    from gaizao.testing import make_compound

    country = Area.objects.create(code="100000000000", name="全国", level="country")
    yunnan = Area.objects.create(
        code="530000000000", name="云南省", level="province", parent=country
    )
    areas["city"].parent = yunnan
    areas["city"].save()
    wuhua = Area.objects.create(
        code="530102000000", name="五华区", level="district", parent=areas["city"]
    )
    huashan = Area.objects.create(
        code="530102001000", name="华山街道", level="street", parent=wuhua
    )
    guizhou = Area.objects.create(
        code="520000000000", name="贵州省", level="province", parent=country
    )
    gy = Area.objects.create(code="520100000000", name="贵阳市", level="city", parent=guizhou)
    nm = Area.objects.create(code="520102000000", name="南明区", level="district", parent=gy)
    st = Area.objects.create(code="520102001000", name="新华街道", level="street", parent=nm)
    make_compound(huashan, "华山小区")
    make_compound(st, "新华小区")
    return {"country": country, "yunnan": yunnan, "wuhua": wuhua, "guizhou": guizhou}


def _rows(r):
    return [(s["area_name"], s["total"]) for s in r.context["streets"]]


@pytest.mark.django_db
def test_dashboard_groups_one_level_below_the_users_area(client_for, users, programme, areas):
    from gaizao.accounts.models import Role
    from gaizao.testing import make_user

    more = _more_areas(areas)
    national = client_for(make_user("national", Role.LEADERSHIP, area=more["country"]))
    r = national.get("/dashboard/")
    assert _rows(r) == [("贵州省", 1), ("云南省", 3)]  # provinces, by code
    assert r.context["level_label"] == "省"
    yunnan = next(s for s in r.context["streets"] if s["area_name"] == "云南省")
    # drill down: the province's cities, then the city's districts
    r = national.get(yunnan["dash_url"])
    assert _rows(r) == [("昆明市", 3)]
    assert national.get(yunnan["url"]).context["count"] == 3  # the list behind the row
    city = client_for(make_user("city_leader", Role.LEADERSHIP, area=areas["city"]))
    r = city.get("/dashboard/")
    assert _rows(r) == [("五华区", 1), ("盘龙区", 2)]
    assert r.context["level_label"] == "区"
    panlong = next(s for s in r.context["streets"] if s["area_name"] == "盘龙区")
    assert panlong["dash_url"] == f"/dashboard/?area={areas['district'].pk}"
    r = city.get(panlong["dash_url"])
    assert _rows(r) == [("金辰街道", 1), ("青云街道", 1)]
    assert r.context["up_url"] == "/dashboard/"
    # the district user sees streets, and below a street its communities
    district = client_for(users["district"])
    assert _rows(district.get("/dashboard/")) == [("金辰街道", 1), ("青云街道", 1)]
    r = district.get("/dashboard/", {"area": areas["jinchen"].pk})
    assert _rows(r) == [("天祥社区居委会", 1)]
    # targets and overdue items follow the same level
    (t,) = r.context["targets"]
    assert [s["name"] for s in t["areas"]] == ["天祥社区居委会"]
    # an area outside one's own is refused, not shown empty
    assert district.get("/dashboard/", {"area": more["wuhua"].pk}).status_code == 404
    assert district.get("/dashboard/compounds/", {"area": more["wuhua"].pk}).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["abc", "%", "2020-13-45", "99999999999999999999"])
def test_dashboard_with_a_malformed_programme_is_no_500(client_for, users, programme, value):
    """?programme= is the board's own link; a hand-typed one that is not an id
    (or one past the database's range: the 400 page) never answers 500."""
    r = client_for(users["district"]).get("/dashboard/", {"programme": value})
    assert r.status_code == (400 if value.isdigit() else 200)
    if r.status_code == 400:
        assert "programme" in r.content.decode()
