"""Long-term management through the API: the fund (a draw needs the owners'
decision, 民法典第二百七十八条, and the balance), maintenance orders and the
quarterly rating; scoped by the compound chokepoint and the role table."""

from decimal import Decimal

import pytest

from gaizao.core.models import AuditEntry

J = "application/json"


@pytest.mark.django_db
def test_care_api(cast, users, client_for):
    c = cast["compound_a"]
    street = client_for(users["street_jinchen"])
    base = f"/api/v1/compounds/{c.pk}"
    r = street.post(
        f"{base}/fund",
        {"kind": "contribution", "amount": "50000", "on": "2026-01-05"},
        content_type=J,
    )
    assert r.status_code == 201 and Decimal(r.json()["fund_balance"]) == 50000
    r = street.post(
        f"{base}/fund", {"kind": "draw", "amount": "1000", "on": "2026-02-01"}, content_type=J
    )
    assert r.status_code == 400 and "第二百七十八条" in r.json()["error"]
    r = street.post(
        f"{base}/fund",
        {"kind": "draw", "amount": "90000", "on": "2026-02-01", "decision": "2026年1月业主大会"},
        content_type=J,
    )
    assert r.status_code == 400 and "余额" in r.json()["error"]
    o = street.post(
        f"{base}/maintenance-orders", {"source": "inspection", "text": "路灯不亮"}, content_type=J
    )
    assert o.status_code == 201
    oid = o.json()["id"]
    assert (
        street.post(f"{base}/maintenance-orders/{oid}/done", content_type=J).json()["status"]
        == "done"
    )
    r = street.post(
        f"{base}/ratings",
        {"year": 2026, "quarter": 1, "checked": ["cleaning", "greenery", "facilities", "parking"]},
        content_type=J,
    )
    assert r.status_code == 201 and r.json()["score"] == 50
    bad = street.post(
        f"{base}/ratings", {"year": 2026, "quarter": 5, "checked": []}, content_type=J
    )
    assert bad.status_code == 400 and "1–4" in bad.json()["error"]
    care = street.get(f"{base}/care").json()
    assert [x["score"] for x in care["ratings"]] == [50]
    assert len(care["fund_entries"]) == 1 and care["orders"][0]["status"] == "done"
    assert AuditEntry.objects.filter(source="api", model="stewardship.rating").exists()
    # another street: not found; a resident: may not rate
    assert client_for(users["street_qingyun"]).get(f"{base}/care").status_code == 404
    r = client_for(users["resident_a"]).post(
        f"{base}/ratings", {"year": 2026, "quarter": 2, "checked": []}, content_type=J
    )
    assert r.status_code in (403, 404)
