"""Issue 13 (everyday use) on the plans pages."""

from decimal import Decimal

from django.urls import reverse

from gaizao.plans.models import ItemSource
from gaizao.plans.selectors import catalogue_for_plan, current_plan_for_compound

from .test_plans import arrange


def test_print_title_keeps_a_space_in_english(plan_a, users, client_for):
    arrange(plan_a.compound)
    c = client_for(users["community_tianxiang"])
    body = c.get(f"/plans/{plan_a.pk}/print/").content.decode()
    assert "天祥小区老旧小区改造方案(公示稿)</h1>" in body
    c.post("/i18n/setlang/", {"language": "en", "next": "/"})
    body = c.get(f"/plans/{plan_a.pk}/print/").content.decode()
    assert (
        "天祥小区: old residential compound renovation plan (draft for public notice)</h1>" in body
    )
    assert "<title>天祥小区: old residential" in body
    c.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})


def _menu(plan, monkeypatch, rows):
    monkeypatch.setattr("gaizao.plans.selectors.menu_results", lambda compound_id: rows)


def test_menu_import_says_why_nothing_was_added(plan_a, users, client_for, monkeypatch):
    present = plan_a.items.first()
    spare = catalogue_for_plan(plan_a).exclude(code__in=plan_a.items.values("code")).first()
    _menu(
        plan_a,
        monkeypatch,
        [
            {"code": spare.code, "name": spare.name, "share": Decimal("0.3333")},
            {"code": present.code, "name": present.name, "share": Decimal("0.8")},
        ],
    )
    c = client_for(users["community_tianxiang"])
    page = c.post(f"/plans/{plan_a.pk}/menu/", follow=True).content.decode()
    assert "50%" in page and "只有选择户数达到全部户数" in page
    assert f"{spare.name} 33%" in page
    assert "1 项已在方案中" in page
    assert not plan_a.items.filter(code=spare.code).exists()


def test_menu_import_adds_items_chosen_by_half(plan_a, users, client_for, monkeypatch):
    spare = catalogue_for_plan(plan_a).exclude(code__in=plan_a.items.values("code")).first()
    _menu(plan_a, monkeypatch, [{"code": spare.code, "name": spare.name, "share": Decimal("0.5")}])
    c = client_for(users["community_tianxiang"])
    page = c.post(f"/plans/{plan_a.pk}/menu/", follow=True).content.decode()
    assert "已加入居民点单项目 1 项" in page and f"{spare.name} 50%" in page
    current = current_plan_for_compound(plan_a.compound)
    assert current.items.get(code=spare.code).source == ItemSource.RESIDENT


def test_staff_add_form_defaults_to_staff_source(plan_a, users, client_for):
    c = client_for(users["community_tianxiang"])
    page = c.get(f"/plans/{plan_a.pk}/").content.decode()
    assert '<option value="staff" selected>' in page
    assert '<option value="resident" selected>' not in page


def test_residents_get_no_staff_tools_on_plan_list(cast, users, client_for):
    staff = client_for(users["community_tianxiang"]).get("/plans/").content.decode()
    assert "资金筹措规则" in staff and "format=xlsx" in staff
    resident = client_for(users["resident_a"])
    page = resident.get("/plans/").content.decode()
    for label in ("资金筹措规则", "改造内容目录", "format=xlsx", "长效管理安排"):
        assert label not in page
    assert resident.get("/plans/?format=xlsx").status_code == 403


def test_english_pages_say_once_that_records_stay_chinese(plan_a, cast, users, client_for):
    c = client_for(users["community_tianxiang"])
    assert "records-note" not in c.get(f"/plans/{plan_a.pk}/").content.decode()
    c.post("/i18n/setlang/", {"language": "en", "next": "/"})
    body = c.get(f"/plans/{plan_a.pk}/").content.decode()
    assert body.count("Records are shown as entered, in Chinese") == 1
    url = reverse("eligibility:compound", args=[cast["compound_a"].pk])
    body = c.get(url).content.decode()
    assert body.count("Records are shown as entered, in Chinese") == 1
    c.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
