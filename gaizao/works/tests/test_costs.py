"""Cost roll-ups by item and by funding source; payments above work done
and overruns flagged (pure rule and through the page and API)."""

from datetime import date
from decimal import Decimal

import pytest

from gaizao.core.errors import DomainError
from gaizao.works import costs
from gaizao.works.models import WorksItem
from gaizao.works.services import cost_record

D = Decimal


def test_rollup_pure():
    items = [
        {"id": 1, "name": "管网", "budget": D("100000"), "percent_done": D("30")},
        {"id": 2, "name": "屋面", "budget": D("50000"), "percent_done": D("100")},
    ]
    entries = [
        {"item_id": 1, "source": "central_subsidy", "kind": "committed", "amount": D("90000")},
        {"item_id": 1, "source": "central_subsidy", "kind": "paid", "amount": D("40000")},
        {"item_id": 2, "source": "resident", "kind": "committed", "amount": D("55000")},
        {"item_id": 2, "source": "resident", "kind": "paid", "amount": D("50000")},
        {"item_id": 2, "source": "resident", "kind": "spent", "amount": D("49999.99")},
    ]
    r = costs.rollup(items, entries, {"central_subsidy": D("100000"), "resident": D("50000")})
    i1, i2 = r.items
    assert i1.work_done == D("30000.00") and i1.paid_above_work and not i1.overrun
    assert i2.work_done == D("50000.00") and not i2.paid_above_work and i2.overrun
    by = {s.source: s for s in r.sources}
    assert by["central_subsidy"].committed == D("90000") and not by["central_subsidy"].overrun
    assert by["resident"].committed == D("55000") and by["resident"].overrun
    assert r.totals["paid"] == D("90000") and r.totals["budget"] == D("150000")
    assert [i.item_id for i in r.flags["paid_above_work"]] == [1]
    # an approved change order raises the budget: no overrun any more
    r = costs.rollup(items, entries, {}, {2: D("5000")})
    assert not r.items[1].overrun


@pytest.mark.django_db
def test_page_and_api_flag_payment_above_work(cast, users, client_for, works_a):
    pipe = WorksItem.objects.get(works=works_a, name="雨污管网")
    pipe.percent_done = D("10")
    pipe.save()
    c = client_for(users["bureau"])
    r = c.post(
        f"/works/{works_a.pk}/cost/",
        {
            "item": pipe.pk,
            "source": "central_subsidy",
            "kind": "paid",
            "amount": "20,000",
            "on": "2026-03-01",
        },
        follow=True,
    )
    assert "已登记资金记录" in r.content.decode()
    assert "超进度拨付" in r.content.decode()
    d = c.get(f"/api/v1/works/{works_a.pk}").json()
    item = next(i for i in d["items"] if i["name"] == "雨污管网")
    assert item["paid_above_work"] is True and D(item["work_done"]) == D("10000.00")
    src = {s["source"]: s for s in d["sources"]}
    assert D(src["central_subsidy"]["paid"]) == D("20000") and D(src["resident"]["planned"]) == D(
        "50000"
    )
    # bad input: clear message, nothing written
    r = c.post(
        f"/works/{works_a.pk}/cost/",
        {
            "item": pipe.pk,
            "source": "central_subsidy",
            "kind": "paid",
            "amount": "abc",
            "on": "2026-03-01",
        },
        follow=True,
    )
    assert "不是有效金额" in r.content.decode()
    assert works_a.costs.count() == 1
    # a contractor may not record payments
    assert client_for(users["contractor"]).post(f"/works/{works_a.pk}/cost/", {}).status_code == 403


@pytest.mark.django_db
def test_cost_service_rejects_foreign_item(cast, users, works_a):
    with pytest.raises(DomainError):
        cost_record(
            actor=users["bureau"],
            works=works_a,
            item_id=999999,
            source_key="resident",
            kind="paid",
            amount="1",
            on=date.today(),
        )
