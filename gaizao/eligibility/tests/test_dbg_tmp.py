from decimal import Decimal
from django.db import connection
from django.test.utils import CaptureQueriesContext
from gaizao.eligibility import selectors, services
from gaizao.eligibility.tests.conftest import good_compound, policies  # noqa

def test_dbg(policies, areas, users, client_for, monkeypatch):
    monkeypatch.setattr(selectors, "willingness_shares", lambda ids: dict.fromkeys(ids, Decimal("0.9")))
    for i in range(20):
        good_compound(areas["jinchen"], f"数量老院{i}")
    services.evaluate_area(actor=None, area=areas["district"])
    c = client_for(users["district"])
    with CaptureQueriesContext(connection) as ctx:
        c.get("/api/v1/eligibility/reserve")
    for q in ctx.captured_queries:
        print(q["sql"][:300])
