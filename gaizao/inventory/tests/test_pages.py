"""Inventory pages through HTTP: list filters and search, htmx fragment,
export, detail, edit with audit, map data, query counts."""

from datetime import date
from decimal import Decimal

from openpyxl import load_workbook

from gaizao import testing
from gaizao.core.models import AuditEntry
from gaizao.inventory import latest
from gaizao.inventory.models import Compound, Condition, Survey


def _names(body: str) -> set[str]:
    import re

    return set(re.findall(r'/compounds/\d+/">([^<]+)</a></td>', body))


def _more(areas):
    """Extra compounds in 金辰 with different years, management and grades."""
    j = areas["jinchen"]
    old = testing.make_compound(
        j,
        "老机床厂宿舍",
        community=areas["qinglongshan"],
        built_year=1975,
        management_status="none",
        address="金辰路1号",
    )
    mid = testing.make_compound(
        j,
        "桃源小区",
        community=areas["tianxiang"],
        built_year=1992,
        management_status="self_governance",
        address="桃源巷8号",
    )
    new = testing.make_compound(
        j,
        "东华花园",
        community=areas["tianxiang"],
        built_year=2003,
        management_status="property_company",
    )
    Survey.objects.create(compound=old, surveyed_on=date(2025, 1, 1), score=Decimal("90"))
    # the latest survey counts, not the first
    Survey.objects.create(compound=old, surveyed_on=date(2026, 3, 1), score=Decimal("35.5"))
    Survey.objects.create(compound=mid, surveyed_on=date(2026, 3, 1), score=Decimal("65"))
    Survey.objects.create(compound=new, surveyed_on=date(2026, 3, 1), score=Decimal("80"))
    return old, mid, new


def test_list_filters_and_search(cast, areas, client_for):
    _more(areas)
    c = client_for(cast["users"]["district"])

    def names(**q):
        r = c.get("/compounds/", q)
        assert r.status_code == 200
        return _names(r.content.decode())

    assert names() == {"天祥小区", "云山小区", "老机床厂宿舍", "桃源小区", "东华花园"}
    assert names(street=areas["qingyun"].pk) == {"云山小区"}
    assert names(community=areas["qinglongshan"].pk) == {"老机床厂宿舍"}
    assert names(built_from=1990, built_to=2000) == {"天祥小区", "云山小区", "桃源小区"}
    assert names(built_to=1980) == {"老机床厂宿舍"}
    assert names(management_status="self_governance") == {"桃源小区"}
    assert names(grade="bad") == {"老机床厂宿舍"}
    assert names(grade="fair") == {"桃源小区"}
    assert names(grade="good") == {"东华花园"}  # 80 is the lower bound of 良好
    assert names(grade="unknown") == {"天祥小区", "云山小区"}
    assert names(q="桃源") == {"桃源小区"}
    assert names(q="金辰路") == {"老机床厂宿舍"}  # by address
    assert names(q="宿舍", street=areas["jinchen"].pk) == {"老机床厂宿舍"}


def test_bad_filter_values_are_reported_not_500(cast, client_for):
    c = client_for(cast["users"]["district"])
    r = c.get("/compounds/", {"built_from": "一九九〇", "grade": "nonsense", "street": "999999"})
    assert r.status_code == 200
    body = r.content.decode()
    assert "该条件未生效" in body
    # the bad conditions are ignored, the list is still shown
    assert _names(body) == {"天祥小区", "云山小区"}


def test_list_shows_grade_badge_and_stack_labels(cast, areas, client_for):
    _more(areas)
    body = client_for(cast["users"]["street_jinchen"]).get("/compounds/").content.decode()
    assert 'class="badge bad">很差 35.5' in body
    assert 'class="badge fair">一般 65.0' in body
    assert 'class="table stack"' in body and 'data-label="建成年份"' in body
    assert "导出Excel" in body


def test_htmx_request_gets_only_the_table(cast, client_for):
    c = client_for(cast["users"]["district"])
    full = c.get("/compounds/").content.decode()
    frag = c.get("/compounds/", {"q": "云山"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" in full and 'id="filters"' in full
    assert "<html" not in frag and 'id="filters"' not in frag
    assert _names(frag) == {"云山小区"}


def test_pagination_50_per_page(cast, areas, client_for):
    from gaizao.core import summaries

    made = Compound.objects.bulk_create(
        [
            Compound(name=f"测试{i:03d}小区", street=areas["qingyun"], built_year=1990)
            for i in range(60)
        ]
    )
    # A bulk write refreshes the kept summaries itself (core.summaries): the
    # list pages by the kept per-street counts (inventory.streetwalk).
    summaries.touch(c.pk for c in made)
    c = client_for(cast["users"]["street_qingyun"])
    p1 = c.get("/compounds/").content.decode()
    p2 = c.get("/compounds/", {"page": 2}).content.decode()
    assert len(_names(p1)) == 50 and len(_names(p2)) == 11
    assert "共 <strong>61</strong> 个小区" in p1
    assert "page=2" in p1


def test_list_query_count_is_constant(cast, areas, client_for, django_assert_max_num_queries):
    c = client_for(cast["users"]["district"])
    c.get("/compounds/")  # warm the session
    with django_assert_max_num_queries(8):  # +1: the header's inbox count
        assert c.get("/compounds/").status_code == 200
    objs = Compound.objects.bulk_create(
        [
            Compound(
                name=f"批量{i:03d}",
                street=areas["jinchen"],
                community=areas["tianxiang"],
                built_year=1990,
            )
            for i in range(60)
        ]
    )
    Survey.objects.bulk_create(
        [
            Survey(compound=o, surveyed_on=date(2026, 1, 1), score=Decimal(i))
            for i, o in enumerate(objs)
        ]
    )
    latest.refresh([o.pk for o in objs])  # bulk_create sends no signal
    with django_assert_max_num_queries(8):  # +1: the header's inbox count
        r = c.get("/compounds/", {"grade": "bad"})
    assert len(_names(r.content.decode())) == 40


def test_export_follows_the_filters(cast, areas, client_for):
    _more(areas)
    c = client_for(cast["users"]["street_jinchen"])
    r = c.get("/compounds/export.xlsx", {"q": "桃源"})
    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in r["Content-Disposition"]
    from io import BytesIO

    ws = load_workbook(BytesIO(r.content)).active
    values = [str(v) for row in ws.iter_rows(min_row=2, values_only=True) for v in row if v]
    assert "桃源小区" in values and "天祥小区" not in values and "云山小区" not in values


def test_detail_page_shows_facts_buildings_units_surveys(cast, client_for):
    a = cast["compound_a"]
    a.latitude, a.longitude = Decimal("25.05"), Decimal("102.72")
    a.in_shantytown_plan = False
    a.save()
    testing.make_building(a, "10栋")
    testing.make_building(a, "2栋")
    Survey.objects.create(
        compound=a, surveyed_on=date(2026, 2, 1), score=Decimal("72.5"), note="管网老化"
    )
    body = client_for(cast["users"]["street_jinchen"]).get(f"/compounds/{a.pk}/").content.decode()
    for text in (
        "天祥社区居委会",
        "甲物业公司",
        "天祥小区业委会",
        "物业服务企业",
        "已纳入棚户区改造计划",
        "140.50",
        "一般 72.5",
        "管网老化",
        "填写摸底调查",
        "编辑",
        'id="minimap"',
    ):
        assert text in body, text
    # buildings in natural order: 1栋, 2栋, 10栋
    assert body.index(">1栋<") < body.index(">2栋<") < body.index(">10栋<")


def test_detail_owner_paging(cast, client_for):
    a = cast["compound_a"]
    for i in range(60):
        testing.make_owner(a, f"业主{i:02d}号")
    c = client_for(cast["users"]["community_tianxiang"])
    body = c.get(f"/compounds/{a.pk}/").content.decode()
    assert "共 61 位" in body and "业主00号" in body and "业主59号" not in body
    frag = c.get(
        f"/compounds/{a.pk}/", {"owners_page": 2}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="owners"
    ).content.decode()
    assert "<html" not in frag and "业主59号" in frag


def test_edit_is_audited(cast, client_for):
    a = cast["compound_a"]
    c = client_for(cast["users"]["street_jinchen"])
    form = c.get(f"/compounds/{a.pk}/edit/").context["form"]
    data = {k: ("" if v is None else v) for k, v in form.initial.items()}
    data = {k: (v.pk if hasattr(v, "pk") else v) for k, v in data.items()}
    for k in ("is_single_building",):
        if not data[k]:
            data.pop(k)
    for k in ("in_main_urban_area", "in_shantytown_plan", "is_urban_village"):
        data[k] = {True: "true", False: "false"}.get(data[k], "unknown")
    data.update(households=321, address="金辰街道天祥路8号")
    r = c.post(f"/compounds/{a.pk}/edit/", data)
    assert r.status_code == 302, r.context["form"].errors if r.context else r
    a.refresh_from_db()
    assert a.households == 321
    e = AuditEntry.objects.get(model="inventory.compound", object_pk=str(a.pk))
    assert e.changes == {"households": [200, 321], "address": ["", "金辰街道天祥路8号"]}
    assert e.actor == cast["users"]["street_jinchen"] and e.source == "web"
    body = c.get(f"/compounds/{a.pk}/").content.decode()
    assert "户数:200 → 321" in body


def test_edit_bad_input_keeps_values_and_writes_nothing(cast, areas, client_for):
    a = cast["compound_a"]
    c = client_for(cast["users"]["street_jinchen"])
    r = c.post(
        f"/compounds/{a.pk}/edit/",
        {
            "name": "天祥小区新名",
            "street": areas["qingyun"].pk,  # not his street
            "floor_area": "-5",
            "built_year": "1995",
            "households": "200",
        },
    )
    assert r.status_code == 200
    body = r.content.decode()
    assert "天祥小区新名" in body  # what was typed is kept
    errors = r.context["form"].errors
    assert "street" in errors and "floor_area" in errors
    a.refresh_from_db()
    assert a.name == "天祥小区" and not AuditEntry.objects.exists()


def test_edit_community_must_be_in_street(cast, areas, client_for):
    a = cast["compound_a"]
    c = client_for(cast["users"]["district"])
    r = c.post(
        f"/compounds/{a.pk}/edit/",
        {
            "name": "天祥小区",
            "street": areas["jinchen"].pk,
            "community": areas["yunshan"].pk,
            "management_status": "none",
        },
    )
    assert r.status_code == 200
    assert "不属于街道" in r.content.decode()
    a.refresh_from_db()
    assert a.community == areas["tianxiang"]


def test_map_page_and_scoped_data(cast, client_for):
    for key, lat in (("compound_a", "25.05"), ("compound_b", "25.06")):
        cast[key].latitude, cast[key].longitude = Decimal(lat), Decimal("102.72")
        cast[key].save()
    testing.make_compound(cast["compound_b"].street, "无坐标小区")
    c = client_for(cast["users"]["street_qingyun"])
    page = c.get("/compounds/map/").content.decode()
    assert (
        "leaflet.js" in page and "tileLayer" not in page and "http" not in page.split("<script")[-1]
    )
    data = c.get("/compounds/map/data.json").json()
    assert data["count"] == 2 and data["located"] == 1 and "markers" not in data
    assert data["bounds"] == [102.72, 25.06, 102.72, 25.06]
    view = {"bbox": "102.6,25.0,102.9,25.2", "zoom": "16"}
    data = c.get("/compounds/map/data.json", view).json()
    assert [x["name"] for x in data["markers"]] == ["云山小区"]
    assert data["markers"][0]["grade"] == "unknown" and data["markers"][0]["street"] == "青云街道"
    d = (
        client_for(cast["users"]["district"])
        .get("/compounds/map/data.json", {**view, "q": "天祥"})
        .json()
    )
    assert [x["name"] for x in d["markers"]] == ["天祥小区"]
    assert (
        client_for(cast["users"]["contractor"])
        .get("/compounds/map/data.json", view)
        .json()["markers"]
        == []
    )
    bad = c.get("/compounds/map/data.json", {"bbox": "x", "zoom": "8"})
    assert bad.status_code == 400 and "bbox 参数" in bad.json()["error"]
    bad = c.get("/compounds/map/data.json", {"bbox": "1,1,2,2", "zoom": "99"})
    assert bad.status_code == 400 and "zoom 参数" in bad.json()["error"]


def test_detail_query_count_is_constant(cast, client_for, django_assert_max_num_queries):
    a = cast["compound_a"]
    c = client_for(cast["users"]["district"])
    c.get("/")
    # +1: the header's inbox count; +1: the access check runs on every
    # request, before the cached body (which reads the related rows itself).
    with django_assert_max_num_queries(13):
        assert c.get(f"/compounds/{a.pk}/").status_code == 200
    for i in range(2, 12):
        b = testing.make_building(a, f"{i}栋")
        o = testing.make_owner(a, f"业主{i}")
        testing.make_unit(b, "101", "70", owner=o)
        s = Survey.objects.create(compound=a, surveyed_on=date(2025, 1, i), score=Decimal(i))
        Condition.objects.create(survey=s, facility="roads", rating="worn")
    # + the latest survey's conditions and their photos (a fresh body: a
    # write drops the kept one)
    with django_assert_max_num_queries(15):
        assert c.get(f"/compounds/{a.pk}/").status_code == 200
    # a kept body: the session, the user, the access check
    with django_assert_max_num_queries(4):
        assert c.get(f"/compounds/{a.pk}/").status_code == 200


def test_list_body_is_cached_per_user_and_dropped_by_a_write(cast, areas, client_for):
    """The rendered list is reused for the same user and query, never shown
    to another user, and a compound or survey write makes the next visit
    fresh (issue 14)."""
    street = client_for(cast["users"]["street_jinchen"])
    district = client_for(cast["users"]["district"])
    first = street.get("/compounds/")
    assert "天祥小区" in first.content.decode() and "云山小区" not in first.content.decode()
    again = street.get("/compounds/")
    assert again.context.get("page") is None  # the body came from the cache
    assert "云山小区" in district.get("/compounds/").content.decode()  # not the street's body
    a = cast["compound_a"]
    a.name = "天祥新村"
    a.save()
    assert "天祥新村" in street.get("/compounds/").content.decode()
    Survey.objects.create(compound=a, surveyed_on=date(2026, 2, 1), score=Decimal("12.0"))
    assert "12.0" in street.get("/compounds/").content.decode()
