"""Pages through HTTP: the compound verdict, the reserve, export, policies."""

from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from gaizao.eligibility import selectors, services
from gaizao.eligibility.models import Policy, Verdict

from .conftest import good_compound


@pytest.fixture
def willing(monkeypatch):
    monkeypatch.setattr(
        selectors, "willingness_shares", lambda ids: dict.fromkeys(ids, Decimal("0.9"))
    )


def test_compound_page_lists_every_criterion(policies, areas, users, client_for, willing):
    c = good_compound(areas["jinchen"], "老旧一号院", community=areas["tianxiang"])
    r = client_for(users["street_jinchen"]).get(reverse("eligibility:compound", args=[c.pk]))
    assert r.status_code == 200
    html = r.content.decode()
    assert "符合改造范围" in html
    assert "建成于1995年(仅知年份),早于2000-01-01" in html
    assert "位于主城区范围内" in html
    assert "✔" in html
    assert "排除:城中村" in html
    assert "盘龙区老旧小区改造范围(2020)" in html


def test_compound_page_other_policy_and_store(policies, areas, users, client_for):
    c = good_compound(areas["jinchen"], "老旧二号院", in_main_urban_area=False)
    client = client_for(users["street_jinchen"])
    url = reverse("eligibility:compound", args=[c.pk])
    html = client.get(url).content.decode()
    assert "不在主城区范围内" in html and "✘" in html
    html = client.get(url + "?policy=national-2020").content.decode()
    assert "符合改造范围" in html  # national: no main-urban rule, willingness not yet needed
    assert "尚未开展意愿征询" in html and "?" in html
    r = client.post(url, {"policy": "national-2020"})
    assert r.status_code == 302
    v = Verdict.objects.get(compound=c, policy=policies["national"])
    assert v.verdict == "eligible" and not v.by_default
    r = client.post(url)
    assert Verdict.objects.get(compound=c, policy=policies["panlong"]).by_default


def test_compound_page_unknown_policy_falls_back(policies, cast, users, client_for):
    url = reverse("eligibility:compound", args=[cast["compound_a"].pk])
    r = client_for(users["district"]).get(url + "?policy=nope")
    assert r.status_code == 200
    assert "没有找到该政策" in r.content.decode()


def test_compound_page_other_street_is_404(policies, cast, users, client_for):
    url = reverse("eligibility:compound", args=[cast["compound_b"].pk])
    assert client_for(users["street_jinchen"]).get(url).status_code == 404
    assert client_for(users["street_jinchen"]).post(url).status_code == 404
    assert client_for(users["street_qingyun"]).get(url).status_code == 200
    assert client_for(None).get(url).status_code == 302


def test_community_may_view_but_not_store(policies, cast, users, client_for):
    url = reverse("eligibility:compound", args=[cast["compound_a"].pk])
    client = client_for(users["community_tianxiang"])
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 403
    assert not Verdict.objects.exists()


def test_reserve_evaluate_filter_and_counts(
    policies, areas, users, client_for, willing, django_assert_max_num_queries
):
    for i in range(5):
        good_compound(areas["jinchen"], f"金辰老院{i}", community=areas["tianxiang"])
    good_compound(areas["qingyun"], "青云城中村", is_urban_village=True, community=areas["yunshan"])
    client = client_for(users["district"])
    r = client.post(reverse("eligibility:evaluate"), {"area": "530103000000"})
    assert r.status_code == 302
    r = client.get(reverse("eligibility:reserve"), follow=False)
    html = r.content.decode()
    assert "金辰老院0" in html and "青云城中村" in html
    assert Verdict.objects.filter(verdict="eligible").count() == 5
    with django_assert_max_num_queries(14):
        r = client.get(reverse("eligibility:reserve") + "?verdict=eligible")
    html = r.content.decode()
    assert "金辰老院3" in html and "青云城中村" not in html
    assert "100,000 ㎡ · 1,000 户" in html  # 5 × 20,000 m², 5 × 200 households
    r = client.get(reverse("eligibility:reserve") + "?street=530103006000")
    html = r.content.decode()
    assert "青云城中村" in html and "金辰老院0" not in html


def test_reserve_is_scoped(policies, areas, users, client_for, willing):
    good_compound(areas["jinchen"], "金辰老院")
    good_compound(areas["qingyun"], "青云老院")
    services.evaluate_area(actor=None, area=areas["district"])
    html = client_for(users["street_qingyun"]).get(reverse("eligibility:reserve")).content.decode()
    assert "青云老院" in html and "金辰老院" not in html
    # A street office cannot evaluate another street.
    r = client_for(users["street_qingyun"]).post(
        reverse("eligibility:evaluate"), {"area": "530103005000"}, follow=True
    )
    assert "“金辰街道”不在您的辖区内,不能评估" in r.content.decode()
    assert (
        not Verdict.objects.filter(compound__street=areas["jinchen"])
        .exclude(evaluated_by=None)
        .exists()
    )
    assert client_for(users["contractor"]).get(reverse("eligibility:reserve")).status_code == 403


def test_reserve_export_xlsx(policies, areas, users, client_for, willing):
    good_compound(areas["jinchen"], "导出老院")
    services.evaluate_area(actor=None, area=areas["district"])
    r = client_for(users["bureau"]).get(reverse("eligibility:reserve") + "?format=xlsx")
    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(BytesIO(r.content)).active
    rows = list(ws.values)
    assert rows[0][0] == "小区名称" and rows[0][7] == "结论"
    names = {row[0]: row for row in rows[1:]}
    assert names["导出老院"][7] == "符合改造范围"
    assert "天祥小区" in names  # the cast's compounds, evaluated too


def test_evaluate_button_only_for_evaluating_roles(policies, users, client_for):
    html = client_for(users["district"]).get(reverse("eligibility:reserve")).content.decode()
    assert "重新评估" in html
    html = (
        client_for(users["community_tianxiang"])
        .get(reverse("eligibility:reserve"))
        .content.decode()
    )
    assert "重新评估</button>" not in html
    r = client_for(users["community_tianxiang"]).post(reverse("eligibility:evaluate"))
    assert r.status_code == 403


def test_policy_list_and_create_new_version(policies, areas, users, client_for):
    client = client_for(users["bureau"])
    html = client.get(reverse("eligibility:policy_list")).content.decode()
    assert "盘龙区老旧小区改造范围(2020)" in html and "全国城镇老旧小区改造(2020)" in html
    r = client.get(reverse("eligibility:policy_create") + f"?from={policies['panlong'].pk}")
    assert r.status_code == 200
    form = {
        "name": "盘龙区老旧小区改造范围(2020)",
        "area": areas["district"].pk,
        "valid_from": "2021-01-01",
        "is_default": "on",
        "built_cutoff": "2000-12-31",
        "cutoff_inclusive": "on",
        "extension_cutoff": "2005-12-31",
        "extension_cap_pct": "15",
        "require_main_urban": "on",
        "criteria": ["neglect", "facilities"],
        "conditions_min": "1",
        "neglect_score_below": "60",
        "neglect_statuses": ["none"],
        "facilities_broken_pct": "30",
        "environment_min": "1",
        "willingness_mode": "if_surveyed",
        "willingness_min": "2/3",
        "exclusions": ["shantytown", "urban_village"],
        "demolition_years": "3",
        "self_built_pct": "50",
    }
    r = client.post(reverse("eligibility:policy_create"), form)
    assert r.status_code == 302, r.content.decode()
    p = Policy.objects.get(area=areas["district"], version=2)
    assert p.is_default and p.extension_cap_pct == Decimal("15")
    assert p.exclusions == ["shantytown", "urban_village"]
    policies["panlong"].refresh_from_db()
    assert not policies["panlong"].is_default
    # The new default applies: a 2003 compound is in the extension window.
    c = good_compound(areas["jinchen"], "二〇〇三年院")
    c.built_year = 2003
    c.save()
    html = client.get(reverse("eligibility:compound", args=[c.pk])).content.decode()
    assert "扩展范围" in html


def test_policy_form_errors_are_chinese_and_nothing_saved(policies, areas, users, client_for):
    client = client_for(users["bureau"])
    before = Policy.objects.count()
    r = client.post(
        reverse("eligibility:policy_create"),
        {
            "name": "坏政策",
            "area": areas["district"].pk,
            "built_cutoff": "2000-01-01",
            "extension_cutoff": "1999-01-01",
            "criteria": ["neglect"],
            "conditions_min": "3",
            "neglect_score_below": "60",
            "facilities_broken_pct": "30",
            "environment_min": "1",
            "willingness_mode": "required",
            "willingness_min": "2/3",
            "self_built_pct": "50",
        },
    )
    assert r.status_code == 200
    html = r.content.decode()
    assert "扩展范围截止日期必须晚于" in html or "至少满足几项" in html
    assert Policy.objects.count() == before
    r = client.post(reverse("eligibility:policy_create"), {"name": "", "built_cutoff": "abc"})
    assert r.status_code == 200 and Policy.objects.count() == before


def test_policy_edit_permissions(policies, areas, users, client_for):
    own = services.policy_create(
        actor=users["bureau"],
        data={
            "name": "区试点",
            "area": areas["district"],
            "built_cutoff": "2000-01-01",
            "criteria": [],
            "exclusions": [],
        },
    )
    url = reverse("eligibility:policy_edit", args=[own.pk])
    assert client_for(users["street_jinchen"]).get(url).status_code == 403
    assert client_for(users["district"]).get(url).status_code == 200
    builtin_url = reverse("eligibility:policy_edit", args=[policies["national"].pk])
    assert client_for(users["district"]).get(builtin_url).status_code == 403
    assert (
        client_for(users["street_jinchen"]).get(reverse("eligibility:policy_create")).status_code
        == 403
    )
