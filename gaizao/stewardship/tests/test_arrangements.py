"""Management arrangements (以管定建): page, API, permissions, audit."""

from decimal import Decimal

from gaizao.core.models import AuditEntry
from gaizao.stewardship.models import ManagementArrangement


def test_record_arrangement_through_page(cast, users, client_for):
    a = cast["compound_a"]
    c = client_for(users["community_tianxiang"])
    assert c.get(f"/stewardship/compound/{a.pk}/").status_code == 200
    r = c.post(
        f"/stewardship/compound/{a.pk}/?next=/plans/",
        {
            "model": "property_company",
            "manager": cast["property_company"].pk,
            "rules_adopted": "on",
            "rules_adopted_on": "2025-01-15",
            "fee_per_m2_month": "0.75",
            "starts_on": "2025-06-01",
        },
    )
    assert r.status_code == 302 and r["Location"] == "/plans/"
    arr = ManagementArrangement.objects.get(compound=a)
    assert arr.manager_label == "甲物业公司" and arr.fee_per_m2_month == Decimal("0.75")
    assert AuditEntry.objects.filter(model="stewardship.managementarrangement").count() == 1
    body = client_for(users["district"]).get("/stewardship/").content.decode()
    assert "天祥小区" in body and "甲物业公司" in body
    assert (
        "天祥小区" not in client_for(users["street_qingyun"]).get("/stewardship/").content.decode()
    )


def test_bad_input_refused(cast, users, client_for):
    a = cast["compound_a"]
    c = client_for(users["bureau"])
    r = c.post(
        f"/stewardship/compound/{a.pk}/",
        {"model": "property_company", "fee_per_m2_month": "-1", "manager_name": "x"},
    )
    assert r.status_code == 400 and "物业费须在" in r.content.decode()
    r = c.post(f"/stewardship/compound/{a.pk}/", {"model": "", "manager_name": "x"})
    assert "请选择管理模式" in r.content.decode()
    r = c.post(f"/stewardship/compound/{a.pk}/", {"model": "self_governance"})
    assert "请选择管理单位或填写" in r.content.decode()
    assert not ManagementArrangement.objects.exists()


def test_permissions(cast, users, client_for):
    a = cast["compound_a"]
    assert (
        client_for(users["street_qingyun"]).get(f"/stewardship/compound/{a.pk}/").status_code == 404
    )
    assert client_for(users["surveyor"]).get(f"/stewardship/compound/{a.pk}/").status_code == 403
    r = client_for(users["surveyor"]).put(
        f"/api/v1/compounds/{a.pk}/management",
        {"model": "self_governance", "manager_name": "x"},
        content_type="application/json",
    )
    assert r.status_code == 403
    assert (
        client_for(users["bureau"]).get(f"/api/v1/compounds/{a.pk}/management").status_code == 404
    )
