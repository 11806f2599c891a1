"""Milestones go in order; a start needs a contractor; acceptance needs
completion, every item accepted and a residents' sign-off; handover needs
the management arrangement."""

from datetime import date, timedelta

import pytest

from gaizao.core.models import AuditEntry
from gaizao.stewardship.models import ManagementArrangement
from gaizao.works.models import Handover, Milestone, Works

from .conftest import approved_plan

pytestmark = pytest.mark.django_db
TODAY = date.today()


def done(client, w, stage, on=None):
    return client.post(
        f"/works/{w.pk}/milestone/{stage}/done/", {"on": (on or TODAY).isoformat()}, follow=True
    )


def actual(w, stage):
    return Milestone.objects.get(works=w, stage=stage).actual_on


def test_create_from_approved_plan_only(cast, users, client_for):
    plan = approved_plan(cast["compound_a"])
    plan.status = "draft"
    plan.save()
    c = client_for(users["bureau"])
    r = c.post(f"/works/new/{plan.pk}/", {})
    assert r.status_code == 400 and "方案尚未审批" in r.content.decode()
    plan.status = "approved"
    plan.save()
    r = c.post(f"/works/new/{plan.pk}/", {"planned_design": "2026-01-05"})
    w = Works.objects.get(plan=plan)
    assert r.status_code == 302 and r.url == f"/works/{w.pk}/"
    assert [m.stage for m in w.milestones.order_by("seq")] == [
        "design",
        "tender",
        "start",
        "completion",
        "acceptance",
        "handover",
    ]
    assert w.items.count() == 2
    assert AuditEntry.objects.filter(model="works.works", object_pk=str(w.pk)).exists()
    # a contractor may not create works
    assert client_for(users["contractor"]).post(f"/works/new/{plan.pk}/").status_code in (403, 404)


def test_order_is_enforced(cast, users, client_for, works_a):
    c = client_for(users["bureau"])
    r = done(c, works_a, "tender")
    assert "“方案设计”尚未完成" in r.content.decode()
    assert actual(works_a, "tender") is None
    assert done(c, works_a, "design", TODAY - timedelta(days=3)).status_code == 200
    assert actual(works_a, "design") == TODAY - timedelta(days=3)
    # no date before the previous stage's, none in the future
    r = done(c, works_a, "tender", TODAY - timedelta(days=5))
    assert "不能早于上一阶段" in r.content.decode() and actual(works_a, "tender") is None
    r = done(c, works_a, "tender", TODAY + timedelta(days=1))
    assert "不能晚于今天" in r.content.decode()
    done(c, works_a, "tender")
    # no acceptance before completion
    r = done(c, works_a, "acceptance")
    assert "尚未完成" in r.content.decode() and actual(works_a, "acceptance") is None


def test_no_start_without_a_contractor(cast, users, client_for, works_a):
    works_a.contractor = None
    works_a.save()
    c = client_for(users["bureau"])
    done(c, works_a, "design")
    done(c, works_a, "tender")
    r = done(c, works_a, "start")
    assert "尚未确定施工单位,不能开工" in r.content.decode()
    assert actual(works_a, "start") is None


def test_acceptance_needs_checklist_and_signoff_then_handover(cast, users, client_for, works_a):
    c = client_for(users["bureau"])
    for s in ("design", "tender", "start", "completion"):
        done(c, works_a, s)
    r = done(c, works_a, "acceptance")
    body = r.content.decode()
    assert "还有改造内容未通过验收检查" in body and "尚无居民代表签字" in body
    items = list(works_a.items.all())
    # failing an item needs a reason
    r = c.post(f"/works/{works_a.pk}/item/{items[0].pk}/check/", {"passed": "0"}, follow=True)
    assert "请写明验收意见" in r.content.decode()
    for i in items:
        c.post(f"/works/{works_a.pk}/item/{i.pk}/check/", {"passed": "1"})
    c.post(f"/works/{works_a.pk}/signoff/", {"representative": "李四", "agrees": "1"})
    done(c, works_a, "acceptance")
    assert actual(works_a, "acceptance") == TODAY
    # handover needs the management arrangement (以管定建)
    r = c.post(f"/works/{works_a.pk}/handover/", {"on": TODAY.isoformat()}, follow=True)
    assert "尚未登记长效管理安排" in r.content.decode()
    ManagementArrangement.objects.create(compound=cast["compound_a"], model="property_company")
    c.post(f"/works/{works_a.pk}/handover/", {"on": TODAY.isoformat()})
    h = Handover.objects.get(works=works_a)
    assert h.warranty_until.year == TODAY.year + 2 and actual(works_a, "handover") == TODAY
    r = c.get(f"/works/{works_a.pk}/acceptance/")
    assert r.status_code == 200 and "保修期至" in r.content.decode()


def test_api_milestone_order(cast, users, client_for, works_a):
    c = client_for(users["bureau"])
    r = c.post(
        f"/api/v1/works/{works_a.pk}/milestones/completion/done",
        {"on": TODAY.isoformat()},
        content_type="application/json",
    )
    assert r.status_code == 400 and "尚未完成" in r.json()["error"]
    r = c.post(
        f"/api/v1/works/{works_a.pk}/milestones/design/done",
        {"on": TODAY.isoformat()},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["stage"] == "tender"
