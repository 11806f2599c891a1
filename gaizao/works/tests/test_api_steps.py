"""The works API from start to handover: every step the pages offer is also
an endpoint (issue 10, item 7), with the same order rules and roles."""

from datetime import date
from decimal import Decimal

import pytest

from gaizao.core.models import AuditEntry
from gaizao.stewardship.models import ManagementArrangement
from gaizao.works.models import ChangeOrder, Defect, Inspection

TODAY = date.today()
J = "application/json"


def post(c, url, data=None):
    return c.post(f"/api/v1{url}", data or {}, content_type=J)


@pytest.mark.django_db
def test_api_carries_works_to_handover(cast, users, client_for, works_a, other_contractor):
    bureau = client_for(users["bureau"])
    contractor = client_for(users["contractor"])
    wid = works_a.pk
    for s in ("design", "tender", "start"):
        assert post(bureau, f"/works/{wid}/milestones/{s}/done", {"on": TODAY}).status_code == 200
    # the final account waits for completion
    r = post(bureau, f"/works/{wid}/final-account", {"on": TODAY, "amount": "140000"})
    assert r.status_code == 400 and "竣工之后" in r.json()["error"]
    # inspection → re-inspection
    i = post(
        bureau,
        f"/works/{wid}/inspections",
        {"on": TODAY, "findings": "防水卷材搭接不足", "rectify_by": TODAY},
    ).json()["id"]
    r = post(bureau, f"/works/{wid}/inspections/{i}/reinspect", {"on": TODAY, "passed": True})
    assert r.status_code == 200 and r.json()["status"] == "rectified"
    assert Inspection.objects.get(pk=i).reinspected_on == TODAY
    # change order: the contractor proposes, may not approve; the bureau approves
    item = works_a.items.first()
    co = post(
        contractor,
        f"/works/{wid}/change-orders",
        {"reason": "增加雨水篦子", "amount": "3000", "item_id": item.pk},
    ).json()["id"]
    assert (
        post(contractor, f"/works/{wid}/change-orders/{co}/decide", {"approve": True}).status_code
        == 403
    )
    r = post(bureau, f"/works/{wid}/change-orders/{co}/decide", {"approve": True})
    assert r.status_code == 200 and ChangeOrder.objects.get(pk=co).status == "approved"
    assert (
        post(bureau, f"/works/{wid}/change-orders/{co}/decide", {"approve": False}).status_code
        == 400
    )
    post(bureau, f"/works/{wid}/milestones/completion/done", {"on": TODAY})
    r = post(bureau, f"/works/{wid}/final-account", {"on": TODAY, "amount": "140000"})
    assert r.status_code == 200
    # acceptance: checklist and sign-off first
    r = post(bureau, f"/works/{wid}/milestones/acceptance/done", {"on": TODAY})
    assert r.status_code == 400
    for it in works_a.items.all():
        r = post(bureau, f"/works/{wid}/items/{it.pk}/acceptance", {"passed": True})
        assert r.json()["status"] == "accepted"
    assert post(bureau, f"/works/{wid}/signoffs", {"representative": "李四"}).status_code == 201
    assert (
        post(bureau, f"/works/{wid}/milestones/acceptance/done", {"on": TODAY}).status_code == 200
    )
    r = post(bureau, f"/works/{wid}/handover", {"on": TODAY})
    assert r.status_code == 400 and "长效管理安排" in r.json()["error"]
    ManagementArrangement.objects.create(compound=cast["compound_a"], model="property_company")
    assert post(bureau, f"/works/{wid}/handover", {"on": TODAY}).status_code == 201
    # a defect in warranty: reported, fixed by the contractor, not by another
    d = post(
        client_for(users["resident_a"]),
        f"/works/{wid}/defects",
        {"item_id": item.pk, "text": "屋面渗水"},
    ).json()["id"]
    other = client_for(other_contractor)
    assert post(other, f"/works/{wid}/defects/{d}/fixed").status_code == 404
    assert post(contractor, f"/works/{wid}/defects/{d}/fixed").json()["status"] == "fixed"
    assert Defect.objects.get(pk=d).status == "fixed"
    rec = bureau.get(f"/api/v1/works/{wid}/records").json()
    assert Decimal(rec["final_account_amount"]) == 140000
    assert rec["handed_over_on"] == TODAY.isoformat() and len(rec["signoffs"]) == 1
    assert [x["status"] for x in rec["change_orders"]] == ["approved"]
    assert other.get(f"/api/v1/works/{wid}/records").status_code == 404
    assert AuditEntry.objects.filter(source="api", model="works.inspection").exists()
