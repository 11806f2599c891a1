"""Clusters (片区) and the JSON API."""

from decimal import Decimal

from gaizao.inventory.models import Building
from gaizao.plans.models import Cluster, Plan
from gaizao.testing import make_compound

from .conftest import arrange, survey

D = Decimal


def test_cluster_plan_sums_members(surveyed, users, client_for, areas):
    a = surveyed["compound_a"]
    n = make_compound(
        areas["jinchen"], "天祥北院", floor_area=D("10000"), building_count=2, households=100
    )
    survey(n, {"water_pipes": "missing"})
    c = client_for(users["street_jinchen"])
    r = c.post("/plans/clusters/new/", {"name": "天祥片区", "compounds": [a.pk, n.pk]})
    cluster = Cluster.objects.get(name="天祥片区")
    assert r.status_code == 302 and cluster.members.count() == 2
    r = c.post(f"/plans/clusters/{cluster.pk}/")
    plan = Plan.objects.get(cluster=cluster)
    water = plan.items.get(code="water_supply_pipes")
    assert water.quantity == D("600")  # 400 m + 200 m
    assert "天祥小区" in water.estimate and "天祥北院" in water.estimate
    # a member's own plan page leads to the cluster plan; drafting it alone is refused
    assert c.get(f"/plans/compound/{a.pk}/")["Location"] == f"/plans/{plan.pk}/"
    r = c.post(f"/plans/compound/{a.pk}/", follow=True)
    assert "已纳入片区" in r.content.decode()
    # approval needs every member's arrangement
    arrange(a)
    c.post(f"/plans/{plan.pk}/do/consult/")
    r = client_for(users["bureau"]).post(f"/plans/{plan.pk}/do/approve/", follow=True)
    assert "天祥北院尚未登记改造后的长效管理安排" in r.content.decode()


def test_cluster_refuses_other_district_or_invisible(surveyed, users, client_for):
    c = client_for(users["street_jinchen"])
    r = c.post(
        "/plans/clusters/new/",
        {"name": "x", "compounds": [surveyed["compound_a"].pk, surveyed["compound_b"].pk]},
    )
    assert r.status_code == 400 and "不在您辖区" in r.content.decode()
    r = c.post("/plans/clusters/new/", {"name": "x", "compounds": [surveyed["compound_a"].pk]})
    assert "至少需要两个小区" in r.content.decode()
    assert not Cluster.objects.exists()


def test_api_plan_flow(surveyed, users, client_for, vote_passes):
    a = surveyed["compound_a"]
    c = client_for(users["bureau"])
    assert c.get(f"/api/v1/compounds/{a.pk}/plan").status_code == 404
    r = c.post(f"/api/v1/compounds/{a.pk}/plan")
    assert r.status_code == 201
    plan = r.json()
    assert {i["code"] for i in plan["items"]} == {"water_supply_pipes", "street_lamps"}
    assert D(plan["cost_per_m2"]) == (D(plan["total_cost"]) / 20000).quantize(D("0.01"))
    pid = plan["id"]
    item = next(i for i in plan["items"] if i["code"] == "street_lamps")
    r = c.patch(
        f"/api/v1/plans/{pid}/items/{item['id']}",
        {"quantity": "-3"},
        content_type="application/json",
    )
    assert r.status_code == 400 and "必须大于 0" in r.json()["error"]
    r = c.patch(
        f"/api/v1/plans/{pid}/items/{item['id']}",
        {"quantity": "12"},
        content_type="application/json",
    )
    assert r.status_code == 200
    r = c.post(
        f"/api/v1/plans/{pid}/items",
        {"code": "benches", "quantity": "4", "source": "resident"},
        content_type="application/json",
    )
    assert r.status_code == 201
    total = D(r.json()["total_cost"])
    r = c.put(
        f"/api/v1/plans/{pid}/funding",
        {"lines": {"district_budget": str(total - 1)}},
        content_type="application/json",
    )
    assert r.status_code == 400 and "差额 1 元" in r.json()["error"]
    r = c.put(
        f"/api/v1/plans/{pid}/funding",
        {"lines": {"district_budget": str(total)}},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["funding"][0]["amount"] == f"{total}"
    c.post(f"/api/v1/plans/{pid}/consulted")
    r = c.post(f"/api/v1/plans/{pid}/approve")
    assert r.status_code == 400 and "方案编制人不能审批" in r.json()["error"]
    c = client_for(users["district"])
    r = c.post(f"/api/v1/plans/{pid}/approve")
    assert r.status_code == 400 and "以管定建" in r.json()["error"]
    r = c.put(
        f"/api/v1/compounds/{a.pk}/management",
        {
            "model": "self_governance",
            "manager_name": "居民自管小组",
            "rules_adopted": True,
            "rules_adopted_on": "2025-02-01",
        },
        content_type="application/json",
    )
    assert r.status_code == 200
    r = c.post(f"/api/v1/plans/{pid}/approve")
    assert r.status_code == 200 and r.json()["status"] == "approved"
    assert client_for(users["surveyor"]).post(f"/api/v1/plans/{pid}/approve").status_code == 403
    assert client_for(users["street_qingyun"]).get(f"/api/v1/plans/{pid}").status_code == 404
    cat = c.get(f"/api/v1/catalogue?compound_id={a.pk}").json()
    assert {"code", "name", "name_en", "tier", "unit", "unit_cost"} <= set(cat[0])


def test_api_clusters(surveyed, users, client_for, areas):
    n = make_compound(areas["jinchen"], "天祥北院")
    Building.objects.create(compound=n, number="1栋")
    c = client_for(users["street_jinchen"])
    r = c.post(
        "/api/v1/clusters",
        {"name": "北片区", "compound_ids": [surveyed["compound_a"].pk, n.pk]},
        content_type="application/json",
    )
    assert r.status_code == 201
    assert c.get("/api/v1/clusters").json()["items"][0]["name"] == "北片区"
    r = c.post(f"/api/v1/clusters/{r.json()['id']}/plan")
    assert r.status_code == 400 and "天祥北院" in r.json()["error"]
