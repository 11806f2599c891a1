"""Plans through HTTP: drafting, editing, funding, workflow, versions, print, xlsx, permissions."""

from decimal import Decimal
from io import BytesIO

import openpyxl
import pytest

from gaizao.core.models import AuditEntry
from gaizao.plans.funding import fmt
from gaizao.plans.models import FundingRule, Plan, PlanStatus

from .conftest import arrange

D = Decimal


def test_draft_from_survey_through_http(surveyed, users, client_for):
    c = client_for(users["street_jinchen"])
    a = surveyed["compound_a"]
    r = c.get(f"/plans/compound/{a.pk}/")
    assert r.status_code == 200 and "根据摸底调查生成方案草稿" in r.content.decode()
    r = c.post(f"/plans/compound/{a.pk}/")
    plan = Plan.objects.get(compound=a)
    assert r.status_code == 302 and r["Location"] == f"/plans/{plan.pk}/"
    codes = set(plan.items.values_list("code", flat=True))
    # broken water pipes and missing lamps → basic items; good roads, worn gas,
    # missing fitness equipment (提升项目) → none
    assert codes == {"water_supply_pipes", "street_lamps"}
    water = plan.items.get(code="water_supply_pipes")
    assert water.quantity == D("400") and water.source == "survey"
    assert "按建筑面积 20,000㎡ × 0.02 m/㎡ 估算" in water.estimate and "400 m" in water.estimate
    page = c.get(f"/plans/{plan.pk}/").content.decode()
    assert "建议纳入" in page and "燃气管线管道安全防护" in page and "室外健身器材" in page
    total = water.cost + plan.items.get(code="street_lamps").cost
    assert plan.total_cost == total
    assert sum(f.amount for f in plan.funding_lines.all()) == total
    # a second draft is refused
    r = c.post(f"/plans/compound/{a.pk}/", follow=True)
    assert "已有改造方案" in r.content.decode()
    assert Plan.objects.filter(compound=a).count() == 1


def test_draft_without_survey_refused(cast, users, client_for):
    r = client_for(users["bureau"]).post(f"/plans/compound/{cast['compound_a'].pk}/", follow=True)
    assert "尚无摸底调查记录" in r.content.decode()
    assert not Plan.objects.exists()


def test_cost_per_m2_and_household_shown(plan_a, users, client_for):
    body = client_for(users["bureau"]).get(f"/plans/{plan_a.pk}/").content.decode()
    per_m2 = (plan_a.total_cost / D("20000")).quantize(D("0.01"))
    per_hh = (plan_a.total_cost / D("200")).quantize(D("0.01"))
    assert f"{per_m2:,}" in body and f"{per_hh:,}" in body


def test_quantity_edit_htmx_updates_costs_and_funding(plan_a, users, client_for):
    c = client_for(users["community_tianxiang"])
    item = plan_a.items.get(code="water_supply_pipes")
    r = c.post(f"/plans/{plan_a.pk}/items/{item.pk}/", {"quantity": "500"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200
    body = r.content.decode()
    assert "<html" not in body and "资金筹措" in body
    plan_a.refresh_from_db()
    item.refresh_from_db()
    assert item.quantity == D("500")
    assert plan_a.total_cost == item.cost + plan_a.items.get(code="street_lamps").cost
    assert f"{plan_a.total_cost:,}" in body
    assert sum(f.amount for f in plan_a.funding_lines.all()) == plan_a.total_cost
    assert AuditEntry.objects.filter(model="plans.plan", object_pk=str(plan_a.pk)).count() >= 2


@pytest.mark.parametrize("bad", ["-5", "0", "abc", "", "0.004", "4.09e-35"])
def test_bad_quantity_refused_nothing_changed(plan_a, users, client_for, bad):
    c = client_for(users["bureau"])
    item = plan_a.items.get(code="water_supply_pipes")
    r = c.post(f"/plans/{plan_a.pk}/items/{item.pk}/", {"quantity": bad}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200
    body = r.content.decode()
    assert "必须大于 0" in body or "不是有效的数字" in body or "最小为 0.01" in body
    item.refresh_from_db()
    assert item.quantity == D("400")


def test_api_item_too_small_to_store_is_a_422_not_a_500(plan_a, users, client_for):
    """Found by the API fuzzer: 4e-35 is above 0 but stored as 0.00."""
    from gaizao.accounts.models import ApiToken

    _t, token = ApiToken.issue(users["bureau"], "t")
    r = client_for(None).post(
        f"/api/v1/plans/{plan_a.pk}/items",
        {"code": "elevator_retrofit", "quantity": 4.094281131931236e-35},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert r.status_code in (400, 422) and "0.01" in r.json()["error"]
    assert not plan_a.items.filter(code="elevator_retrofit").exists()


def test_add_item_from_catalogue_and_remove(plan_a, users, client_for):
    c = client_for(users["bureau"])
    r = c.post(
        f"/plans/{plan_a.pk}/items/add/",
        {"code": "elevator_retrofit", "quantity": "2", "source": "resident"},
    )
    assert r.status_code == 302
    item = plan_a.items.get(code="elevator_retrofit")
    assert (
        item.tier == "improvement"
        and item.unit_cost == D("650000.00")
        and item.source == "resident"
    )
    r = c.post(
        f"/plans/{plan_a.pk}/items/add/",
        {"code": "elevator_retrofit", "quantity": "1"},
        follow=True,
    )
    assert "已在方案中" in r.content.decode()
    r = c.post(f"/plans/{plan_a.pk}/items/add/", {"code": "nope", "quantity": "1"}, follow=True)
    assert "没有编码为“nope”" in r.content.decode()
    c.post(f"/plans/{plan_a.pk}/items/{item.pk}/remove/")
    assert not plan_a.items.filter(code="elevator_retrofit").exists()


def test_funding_edit_that_does_not_sum_is_refused(plan_a, users, client_for):
    c = client_for(users["bureau"])
    before = sorted(plan_a.funding_lines.values_list("source", "amount"))
    total = plan_a.total_cost
    r = c.post(
        f"/plans/{plan_a.pk}/funding/", {"district_budget": str(total - 1), "resident": "0.5"}
    )
    assert r.status_code == 400
    body = r.content.decode()
    assert f"资金合计 {fmt(total - D('0.5'))} 元,与总造价 {fmt(total)} 元不符,差额 0.50 元" in body
    assert sorted(plan_a.funding_lines.values_list("source", "amount")) == before
    r = c.post(
        f"/plans/{plan_a.pk}/funding/", {"district_budget": str(total - 1000), "resident": "1000"}
    )
    assert r.status_code == 302
    plan_a.refresh_from_db()
    assert plan_a.funding_manual
    assert dict(plan_a.funding_lines.values_list("source", "amount")) == {
        "district_budget": total - 1000,
        "resident": D("1000.00"),
    }
    # an item change keeps the manual lines and moves the difference to the district
    item = plan_a.items.get(code="street_lamps")
    c.post(f"/plans/{plan_a.pk}/items/{item.pk}/", {"quantity": "20"})
    plan_a.refresh_from_db()
    lines = dict(plan_a.funding_lines.values_list("source", "amount"))
    assert lines["resident"] == D("1000.00") and sum(lines.values()) == plan_a.total_cost


def test_funding_follows_jurisdiction_rules(surveyed, users, areas):
    from gaizao.plans import services

    FundingRule.objects.create(
        area=areas["district"],
        year=2025,
        central_per_m2={"basic": "1"},
        provincial_per_m2={"basic": "0.5"},
        subsidy_cap_share=D("1"),
    )
    plan = services.plan_draft_from_survey(
        actor=users["bureau"], compound=surveyed["compound_a"], year=2025
    )
    lines = dict(plan.funding_lines.values_list("source", "amount"))
    assert lines["central_subsidy"] == D("20000.00") and lines["provincial_subsidy"] == D(
        "10000.00"
    )
    # the water company pays for its own supply pipes (专营单位)
    water = plan.items.get(code="water_supply_pipes").cost
    assert lines["utility"] == water
    assert lines["district_budget"] == plan.total_cost - water - D("30000.00")


def test_approval_needs_management_arrangement_then_vote(plan_a, users, client_for, vote_passes):
    c = client_for(users["district"])
    r = c.post(f"/plans/{plan_a.pk}/do/approve/", follow=True)
    assert "须先征询居民意见" in r.content.decode()
    c.post(f"/plans/{plan_a.pk}/do/consult/")
    plan_a.refresh_from_db()
    assert plan_a.status == PlanStatus.CONSULTED
    r = c.post(f"/plans/{plan_a.pk}/do/approve/", follow=True)
    assert (
        "该小区" not in ""
        and "天祥小区尚未登记改造后的长效管理安排(以管定建),不能审批方案" in r.content.decode()
    )
    plan_a.refresh_from_db()
    assert plan_a.status == PlanStatus.CONSULTED
    arrange(plan_a.compound)
    r = c.post(f"/plans/{plan_a.pk}/do/approve/", follow=True)
    plan_a.refresh_from_db()
    assert plan_a.status == PlanStatus.APPROVED and plan_a.approved_by == users["district"]


def test_approval_waits_for_vote_when_rule_requires(plan_a, users, client_for, areas):
    arrange(plan_a.compound)
    c = client_for(users["bureau"])
    c.post(f"/plans/{plan_a.pk}/do/consult/")
    # no consultation vote recorded (or the app absent) → refused
    r = c.post(f"/plans/{plan_a.pk}/do/approve/", follow=True)
    assert "业主表决" in r.content.decode()
    plan_a.refresh_from_db()
    assert plan_a.status == PlanStatus.CONSULTED
    FundingRule.objects.create(area=areas["district"], year=plan_a.year, vote_required=False)
    # the drafter (bureau) cannot approve their own plan; another person can
    r = c.post(f"/plans/{plan_a.pk}/do/approve/", follow=True)
    assert "方案编制人不能审批" in r.content.decode()
    client_for(users["district"]).post(f"/plans/{plan_a.pk}/do/approve/")
    plan_a.refresh_from_db()
    assert plan_a.status == PlanStatus.APPROVED


def _approve(plan, users, client_for):
    arrange(plan.compound)
    c = client_for(users["bureau"])
    c.post(f"/plans/{plan.pk}/do/consult/")
    # approved by someone other than the drafter (bureau)
    client_for(users["district"]).post(f"/plans/{plan.pk}/do/approve/")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED
    return c


def test_editing_approved_plan_makes_new_version_and_diff(plan_a, users, client_for, vote_passes):
    c = _approve(plan_a, users, client_for)
    item = plan_a.items.get(code="water_supply_pipes")
    r = c.post(f"/plans/{plan_a.pk}/items/{item.pk}/", {"quantity": "450"}, HTTP_HX_REQUEST="true")
    new = Plan.objects.get(compound=plan_a.compound, version=2)
    assert r.status_code == 204 and r["HX-Redirect"] == f"/plans/{new.pk}/"
    plan_a.refresh_from_db()
    assert plan_a.status == PlanStatus.SUPERSEDED and new.status == PlanStatus.DRAFT
    assert plan_a.items.get(code="water_supply_pipes").quantity == D("400")
    assert new.items.get(code="water_supply_pipes").quantity == D("450")
    c.post(f"/plans/{new.pk}/items/add/", {"code": "benches", "quantity": "3"})
    c.post(f"/plans/{new.pk}/items/{new.items.get(code='street_lamps').pk}/remove/")
    body = c.get(f"/plans/{plan_a.pk}/diff/{new.pk}/").content.decode()
    assert "第1版 → 第2版" in body
    assert "新增" in body and "休闲座椅" in body
    assert "删除" in body and "增设或改造路灯" in body
    assert "400.00 → 450.00" in body
    assert "区级财政" in body
    # the superseded version cannot be edited
    r = c.post(f"/plans/{plan_a.pk}/items/{item.pk}/", {"quantity": "1"}, follow=True)
    assert "已被新版本替代" in r.content.decode()
    assert c.get(f"/plans/compound/{plan_a.compound_id}/")["Location"] == f"/plans/{new.pk}/"


def test_print_page_has_no_personal_data(plan_a, users, client_for, cast):
    arrange(plan_a.compound)
    body = (
        client_for(users["community_tianxiang"]).get(f"/plans/{plan_a.pk}/print/").content.decode()
    )
    assert "@page { size: A4; margin: 15mm; }" in body
    assert "天祥小区" in body and "小区供水管线管道改造" in body and "甲物业公司" in body
    owner = cast["owner_a"]
    for secret in (owner.name, owner.phone, owner.id_number, "13812345678"):
        assert secret not in body


def test_xlsx_bill_opens(plan_a, users, client_for):
    r = client_for(users["bureau"]).get(f"/plans/{plan_a.pk}/xlsx/")
    assert r.status_code == 200
    wb = openpyxl.load_workbook(BytesIO(r.content))
    rows = list(wb.active.iter_rows(values_only=True))
    rows = rows[next(i for i, row in enumerate(rows) if row[0] == "序号") :]
    assert rows[0][3] == "改造内容"
    assert any(r[3] == "小区供水管线管道改造" and r[5] == 400 for r in rows)
    assert any(r[1] == "合计" for r in rows)
    r = client_for(users["bureau"]).get("/plans/?format=xlsx")
    wb = openpyxl.load_workbook(BytesIO(r.content))
    assert list(wb.active.iter_rows(values_only=True))[1][0] == "天祥小区"


def test_plan_list_scoped(plan_a, users, client_for):
    assert "天祥小区" in client_for(users["street_jinchen"]).get("/plans/").content.decode()
    assert "天祥小区" not in client_for(users["street_qingyun"]).get("/plans/").content.decode()


def test_permissions(plan_a, users, client_for):
    other = client_for(users["street_qingyun"])
    assert other.get(f"/plans/{plan_a.pk}/").status_code == 404
    assert other.get(f"/plans/{plan_a.pk}/print/").status_code == 404
    assert other.get(f"/plans/compound/{plan_a.compound_id}/").status_code == 404
    item = plan_a.items.first()
    assert other.post(f"/plans/{plan_a.pk}/items/{item.pk}/", {"quantity": "1"}).status_code == 404
    surveyor = client_for(users["surveyor"])
    assert surveyor.get(f"/plans/{plan_a.pk}/").status_code == 200
    assert surveyor.post(f"/plans/{plan_a.pk}/do/approve/").status_code == 403
    assert (
        surveyor.post(f"/plans/{plan_a.pk}/items/{item.pk}/", {"quantity": "1"}).status_code == 403
    )
    assert (
        client_for(users["street_jinchen"]).post(f"/plans/{plan_a.pk}/do/approve/").status_code
        == 403
    )
    assert client_for(users["property_company"]).get(f"/plans/{plan_a.pk}/").status_code == 200
    assert client_for(None).get(f"/plans/{plan_a.pk}/").status_code == 302


def test_catalogue_page_and_jurisdiction_override(cast, users, client_for, areas):
    from gaizao.catalogue.models import CatalogItem
    from gaizao.catalogue.selectors import catalogue_for_compound

    body = client_for(users["surveyor"]).get("/plans/catalogue/").content.decode()
    for name in (
        "小区供水管线管道改造",
        "加装电梯",
        "社区养老服务设施",
        "电动自行车及汽车充电设施",
        "图书室",
    ):
        assert name in body
    assert client_for(users["surveyor"]).get("/plans/catalogue/new/").status_code == 403
    base = CatalogItem.objects.get(code="street_lamps", jurisdiction=None)
    r = client_for(users["bureau"]).post(
        f"/plans/catalogue/{base.pk}/edit/",
        {
            "name": "路灯(盘龙)",
            "tier": "basic",
            "unit": "个",
            "unit_cost": "4200",
            "facility": "street_lamps",
            "estimate_basis": "lamp",
            "estimate_factor": "25",
            "active": "on",
            "funding_sources": ["district_budget"],
        },
    )
    assert r.status_code == 302
    base.refresh_from_db()
    assert base.unit_cost == D("3800.00")  # the national default is untouched
    lamp = catalogue_for_compound(cast["compound_a"]).get(code="street_lamps")
    assert lamp.jurisdiction == areas["district"] and lamp.unit_cost == D("4200.00")
    r = client_for(users["bureau"]).post(
        f"/plans/catalogue/{base.pk}/edit/",
        {"name": "x", "tier": "basic", "unit": "个", "unit_cost": "-1", "estimate_factor": "1"},
    )
    assert r.status_code == 400 and "不小于 0" in r.content.decode()
