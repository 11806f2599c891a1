"""QA findings on plan pages: quantity validation reaches the server, approval
needs a real management arrangement (以管定建), grouped figures, the bill's
title rows, and a word when hand-set funding is recomputed."""

import re
from decimal import Decimal
from io import BytesIO

import openpyxl

from gaizao.plans.models import PlanStatus

from .conftest import arrange

D = Decimal


def test_negative_quantity_is_sent_and_explained(plan_a, users, client_for):
    c = client_for(users["bureau"])
    item = plan_a.items.get(code="water_supply_pipes")
    page = c.get(f"/plans/{plan_a.pk}/").content.decode()
    # No browser validation to swallow htmx's change request silently.
    form = re.search(r'<form class="qty-form"[^>]*>', page).group(0)
    assert "novalidate" in form
    box = re.search(r'<input type="number" name="quantity" value="400\.00"[^>]*>', page).group(0)
    assert "min=" not in box
    total = plan_a.total_cost
    r = c.post(f"/plans/{plan_a.pk}/items/{item.pk}/", {"quantity": "-5"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200
    body = r.content.decode()
    assert "<html" not in body and 'role="alert"' in body
    assert "工程量必须大于 0(填写的是 -5)" in body
    item.refresh_from_db()
    plan_a.refresh_from_db()
    assert item.quantity == D("400") and plan_a.total_cost == total


def _consulted(plan, users, client_for):
    c = client_for(users["district"])
    c.post(f"/plans/{plan.pk}/do/consult/")
    return c


def test_approval_needs_a_manager_and_adopted_rules(plan_a, users, client_for, vote_passes):
    c = _consulted(plan_a, users, client_for)
    arr = arrange(plan_a.compound, manager_name="", rules_adopted=False, rules_adopted_on=None)
    body = c.post(f"/plans/{plan_a.pk}/do/approve/", follow=True).content.decode()
    assert "天祥小区的长效管理安排未明确管理单位(由谁管理),不能审批方案" in body
    assert "天祥小区尚未制定管理规约(按什么规则管理),不能审批方案" in body
    plan_a.refresh_from_db()
    assert plan_a.status == PlanStatus.CONSULTED
    arr.manager_name = "甲物业公司"
    arr.save()
    body = c.post(f"/plans/{plan_a.pk}/do/approve/", follow=True).content.decode()
    assert "未明确管理单位" not in body and "尚未制定管理规约" in body
    plan_a.refresh_from_db()
    assert plan_a.status == PlanStatus.CONSULTED
    arr.rules_adopted = True
    arr.save()
    c.post(f"/plans/{plan_a.pk}/do/approve/")
    plan_a.refresh_from_db()
    assert plan_a.status == PlanStatus.APPROVED


def test_print_and_diff_group_thousands(plan_a, users, client_for, vote_passes):
    arrange(plan_a.compound)
    c = _consulted(plan_a, users, client_for)
    c.post(f"/plans/{plan_a.pk}/do/approve/")
    plan_a.compound.households = 20  # per household above 1,000 元
    plan_a.compound.save()
    per_hh = (plan_a.total_cost / D("20")).quantize(D("0.01"))
    per_m2 = (plan_a.total_cost / D("20000")).quantize(D("0.01"))
    assert per_hh >= 1000  # the check below needs a separator
    body = c.get(f"/plans/{plan_a.pk}/print/").content.decode()
    assert f"每户 {per_hh:,} 元" in body and f"每平方米 {per_m2:,} 元" in body
    assert "建筑面积 20,000.00 ㎡" in body
    item = plan_a.items.get(code="water_supply_pipes")
    old_cost = item.cost
    c.post(f"/plans/{plan_a.pk}/items/{item.pk}/", {"quantity": "4500"})
    new = plan_a.compound.plans.get(version=2)
    new_cost = new.items.get(code="water_supply_pipes").cost
    assert old_cost >= 1000
    body = c.get(f"/plans/{plan_a.pk}/diff/{new.pk}/").content.decode()
    assert f"{old_cost:,} → {new_cost:,}" in body
    assert "400.00 → 4,500.00" in body


def test_xlsx_bill_has_its_sheet_name_and_title_rows(plan_a, users, client_for):
    r = client_for(users["bureau"]).get(f"/plans/{plan_a.pk}/xlsx/")
    wb = openpyxl.load_workbook(BytesIO(r.content))
    ws = wb.active
    assert ws.title == "工程量清单"
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "天祥小区 改造方案工程量清单"
    meta = {row[0]: row[1] for row in rows[1:5]}
    assert meta["小区"] == "天祥小区" and meta["方案版本"] == "第1版"
    assert meta["状态"] == "草稿" and re.fullmatch(r"\d{4}-\d{2}-\d{2}", meta["日期"])
    header = next(i for i, row in enumerate(rows) if row[0] == "序号")
    assert header > 4 and rows[header][3] == "改造内容"
    assert any(row[3] == "小区供水管线管道改造" and row[5] == 400 for row in rows[header:])


def test_manual_funding_recomputed_is_said(plan_a, users, client_for):
    c = client_for(users["bureau"])
    total = plan_a.total_cost
    c.post(f"/plans/{plan_a.pk}/funding/", {"district_budget": "0", "resident": str(total)})
    plan_a.refresh_from_db()
    assert plan_a.funding_manual
    item = plan_a.items.get(code="water_supply_pipes")
    # a smaller plan: 区级财政 = total - resident would go negative
    r = c.post(f"/plans/{plan_a.pk}/items/{item.pk}/", {"quantity": "10"}, HTTP_HX_REQUEST="true")
    body = r.content.decode()
    assert "手工调整的资金分摊已按规则重新计算" in body
    plan_a.refresh_from_db()
    assert not plan_a.funding_manual
    assert sum(f.amount for f in plan_a.funding_lines.all()) == plan_a.total_cost
    # a change that keeps the manual lines says nothing
    c.post(f"/plans/{plan_a.pk}/funding/", {"district_budget": str(plan_a.total_cost)})
    r = c.post(f"/plans/{plan_a.pk}/items/{item.pk}/", {"quantity": "20"}, HTTP_HX_REQUEST="true")
    assert "手工调整的资金分摊已按规则重新计算" not in r.content.decode()
    # without htmx: a message on the page
    plan_a.refresh_from_db()
    c.post(
        f"/plans/{plan_a.pk}/funding/",
        {"district_budget": "0", "resident": str(plan_a.total_cost)},
    )
    r = c.post(f"/plans/{plan_a.pk}/items/{item.pk}/", {"quantity": "5"}, follow=True)
    assert "手工调整的资金分摊已按规则重新计算" in r.content.decode()
