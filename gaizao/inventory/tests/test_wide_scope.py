"""Issue 14 (a national user): no street or community drop-down grows with
the jurisdiction. A scope with more streets than `STREET_LIST_MAX` types the
street (name or 12-digit code) on the compound list and map, the import
page, the reserve and the new-cluster page; communities are offered for the
chosen street only. The limit is lowered here so that two streets are "too
many"."""

import re

import pytest

from gaizao.accounts.models import Role
from gaizao.regions import selectors as regions
from gaizao.regions.models import Area
from gaizao.testing import make_user


@pytest.fixture
def wide(monkeypatch):
    monkeypatch.setattr(regions, "STREET_LIST_MAX", 1)


def _options(html: str, name: str) -> list[str]:
    m = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S)
    return re.findall(r">([^<]*)</option>", m.group(1)) if m else []


def test_resolve_street_by_id_code_or_name(areas):
    streets = Area.objects.filter(level="street")
    jinchen = areas["jinchen"]
    assert regions.resolve_street(streets, jinchen.pk) == (jinchen, "")
    assert regions.resolve_street(streets, " 530103005000 ") == (jinchen, "")
    assert regions.resolve_street(streets, "金辰街道") == (jinchen, "")
    assert regions.resolve_street(streets, "") == (None, "")
    assert regions.resolve_street(streets, "不存在街道") == (None, "您的辖区内没有街道“不存在街道”")
    other = Area.objects.create(
        code="530102005000", name="金辰街道", level="street", parent=areas["city"]
    )
    found, problem = regions.resolve_street(streets, "金辰街道")
    assert found is None and "有多个名为“金辰街道”的街道" in problem
    assert "530103005000" in problem and other.code in problem
    # outside the given scope: not found
    scope = streets.filter(prefix__startswith="530103")
    assert regions.resolve_street(scope, other.code)[0] is None


def test_street_list_is_bounded(areas, wide, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert regions.street_list(Area.objects.filter(level="street")) is None
    one = Area.objects.filter(pk=areas["jinchen"].pk)
    assert regions.street_list(one) == [areas["jinchen"]]


def test_compound_list_types_the_street_in_a_wide_scope(cast, areas, client_for, wide):
    c = client_for(cast["users"]["district"])
    page = c.get("/compounds/").content.decode()
    assert _options(page, "street") == []  # no drop-down of streets
    assert 'name="street"' in page and 'placeholder="街道名称或12位代码"' in page
    assert _options(page, "community") == ["全部社区"]  # none before a street
    body = c.get("/compounds/", {"street": "青云街道"}).content.decode()
    assert "云山" in body and cast["compound_a"].name not in body.split("<tbody")[-1]
    assert _options(body, "community") == ["全部社区", "云山社区居委会"]
    assert 'value="青云街道"' in body
    # a link or the map carrying the street's id shows its name
    body = c.get("/compounds/", {"street": areas["jinchen"].pk}).content.decode()
    assert 'value="金辰街道"' in body
    # by code; and the htmx community options follow a typed street
    frag = c.get("/compounds/communities/", {"street": "530103005000"}).content.decode()
    assert "天祥社区居委会" in frag and "云山" not in frag
    # an unknown street is said, in Chinese, and the list is not filtered
    r = c.get("/compounds/", {"street": "不存在街道"})
    body = r.content.decode()
    assert r.status_code == 200
    assert "您的辖区内没有街道“不存在街道”" in body and "该条件未生效" in body


def test_map_page_and_import_page_type_the_street(cast, client_for, wide):
    c = client_for(cast["users"]["district"])
    page = c.get("/compounds/map/").content.decode()
    assert _options(page, "street") == [] and 'placeholder="街道名称或12位代码"' in page
    page = c.get("/compounds/import/").content.decode()
    assert _options(page, "street") == [] and 'placeholder="街道名称或12位代码"' in page


def test_a_district_keeps_its_street_list(cast, client_for):
    page = client_for(cast["users"]["district"]).get("/compounds/").content.decode()
    assert _options(page, "street") == ["全部街道", "金辰街道", "青云街道"]


def test_reserve_and_new_cluster_type_the_street(cast, areas, client_for, wide):
    district = cast["users"]["district"]
    c = client_for(district)
    page = c.get("/eligibility/").content.decode()
    assert _options(page, "street") == [] and 'placeholder="街道名称或12位代码"' in page
    page = c.get("/eligibility/", {"street": "青云街道"}).content.decode()
    assert 'value="青云街道"' in page
    assert _options(page, "community") == ["全部", "云山社区居委会"]
    page = c.get("/plans/clusters/new/").content.decode()
    assert _options(page, "street") == [] and 'placeholder="街道名称或12位代码"' in page
    page = c.get("/plans/clusters/new/", {"street": "青云街道"}).content.decode()
    table = page.split("<tbody")[-1]
    assert cast["compound_b"].name in table and cast["compound_a"].name not in table


def test_national_user_sees_no_area_list(cast, areas, client_for, wide):
    country = Area.objects.create(code="000000000000", name="全国", level="country")
    user = make_user("national", Role.LEADERSHIP, area=country)
    c = client_for(user)
    page = c.get("/compounds/").content.decode()
    assert _options(page, "street") == [] and _options(page, "community") == ["全部社区"]
    body = c.get("/compounds/", {"street": "530103006000"}).content.decode()
    assert _options(body, "community") == ["全部社区", "云山社区居委会"]


def test_new_cluster_in_a_wide_scope_lists_no_compound_before_a_street(
    cast, areas, client_for, wide, django_assert_max_num_queries
):
    c = client_for(cast["users"]["district"])
    r = c.get("/plans/clusters/new/")
    page = r.content.decode()
    assert list(r.context["compounds"]) == [] and "请先输入街道名称或12位代码" in page
    page = c.get("/plans/clusters/new/", {"street": "530103005000"}).content.decode()
    table = page.split("<tbody")[-1]
    assert cast["compound_a"].name in table and cast["compound_b"].name not in table
    r = c.get("/plans/clusters/new/", {"street": "不存在街道"})
    assert r.status_code == 200 and list(r.context["compounds"]) == []
    assert "您的辖区内没有街道“不存在街道”" in r.content.decode()


def test_new_cluster_of_a_district_keeps_its_list(cast, client_for):
    r = client_for(cast["users"]["district"]).get("/plans/clusters/new/")
    names = {x.name for x in r.context["compounds"]}
    assert {cast["compound_a"].name, cast["compound_b"].name} <= names


def test_one_map_types_the_street_in_a_wide_scope(cast, areas, client_for, wide):
    country = Area.objects.create(code="000000000000", name="全国", level="country")
    c = client_for(make_user("national", Role.LEADERSHIP, area=country))
    page = c.get("/map/").content.decode()
    assert _options(page, "street") == [] and 'placeholder="街道名称或12位代码"' in page
    r = c.get("/map/", {"street": "青云街道"})
    assert r.context["f"]["street"] == areas["qingyun"].pk
    assert 'value="青云街道"' in r.content.decode()


def _edit_data(compound, **kw):
    from django.forms import model_to_dict

    from gaizao.inventory.services import EDITABLE_FIELDS

    data = {
        k: ("" if v is None else v) for k, v in model_to_dict(compound, EDITABLE_FIELDS).items()
    }
    return data | kw


def test_compound_edit_types_the_street_in_a_wide_scope(cast, areas, wide):
    from gaizao.inventory.forms import CompoundForm

    a, user = cast["compound_a"], cast["users"]["district"]
    html = str(CompoundForm(instance=a, user=user)["street"])
    assert "<select" not in html and 'placeholder="街道名称或12位代码"' in html
    assert 'value="金辰街道"' in html
    # The same street typed by name is no change.
    f = CompoundForm(_edit_data(a, street="金辰街道"), instance=a, user=user)
    assert f.is_valid(), f.errors
    assert "street" not in f.changed_data
    # Another street, by code, with one of its communities.
    f = CompoundForm(
        _edit_data(a, street="530103006000", community=areas["yunshan"].pk), instance=a, user=user
    )
    assert f.is_valid(), f.errors
    assert f.changes()["street"] == areas["qingyun"]
    f = CompoundForm(_edit_data(a, street="不存在街道"), instance=a, user=user)
    assert not f.is_valid() and f.errors["street"] == ["您的辖区内没有街道“不存在街道”"]


def test_compound_edit_of_a_district_keeps_its_street_list(cast, areas, client_for):
    a = cast["compound_a"]
    page = client_for(cast["users"]["district"]).get(f"/compounds/{a.pk}/edit/").content.decode()
    assert _options(page, "street")[1:] == ["金辰街道", "青云街道"]
