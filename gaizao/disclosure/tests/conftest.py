from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import timezone

from gaizao.consultation.models import Ballot, Vote
from gaizao.eligibility.models import Policy, Verdict
from gaizao.feedback.models import Feedback, SatisfactionEvaluation, SatisfactionResponse
from gaizao.inventory.models import Survey
from gaizao.plans.models import FundingLine, Plan
from gaizao.programme.models import Batch, Entry, Programme
from gaizao.works.models import CostEntry, Milestone, Works, WorksItem


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def programme(cast, users):
    """compound_a through every stage, with personal data around it (owner
    张三丰 13812345678, a ballot, a named feedback reporter); compound_b only
    surveyed."""
    a, b = cast["compound_a"], cast["compound_b"]
    admin = users["admin"]
    now = timezone.now()
    a.latitude, a.longitude, a.address = Decimal("25.07"), Decimal("102.73"), "北京路1号"
    a.save()
    for c in (a, b):
        Survey.objects.create(compound=c, surveyor=users["surveyor"], surveyed_on=date(2024, 5, 1))
    policy = Policy.objects.create(name="测试政策", built_cutoff=date(2000, 12, 31))
    Verdict.objects.create(
        compound=a, policy=policy, verdict="eligible", by_default=True, evaluated_at=now
    )
    plan = Plan.objects.create(
        compound=a,
        year=2024,
        status="approved",
        created_by=admin,
        total_cost=Decimal("1200000.00"),
    )
    FundingLine.objects.create(plan=plan, source="central_subsidy", amount=Decimal("800000.00"))
    FundingLine.objects.create(plan=plan, source="resident", amount=Decimal("400000.00"))
    vote = Vote.objects.create(
        compound=a,
        matter=7,
        title="天祥小区改造方案表决",
        law="civil_code",
        opens_at=now - timedelta(days=20),
        closes_at=now - timedelta(days=10),
        status=Vote.Status.PUBLISHED,
        published_at=now - timedelta(days=9),
        passed=True,
        result={
            "owners_total": 1,
            "owners_agreeing": 1,
            "owners_participating": 1,
            "area_total": 140.5,
            "area_agreeing": 140.5,
            "area_participating": 140.5,
            "passed": True,
        },
        created_by=admin,
    )
    Ballot.objects.create(
        vote=vote, unit=cast["units_a"][0], choice="agree", channel="online", entered_by=admin
    )
    Feedback.objects.create(
        compound=a,
        category="other",
        assisted=True,
        reporter_name="李四光",
        reporter_phone="13900001111",
        text="楼道灯坏了",
        responsible_org=a.property_company,
        due_on=date.today() + timedelta(days=7),
    )
    ev = SatisfactionEvaluation.objects.create(compound=a, title="满意度评价")
    SatisfactionResponse.objects.create(
        evaluation=ev,
        unit=cast["units_a"][0],
        overall=5,
        quality=4,
        content=4,
        civility=5,
        management=4,
        comment="张三丰说很好",
    )
    # Works: started (开工 2024-06-10) and completed, not accepted; a late
    # acceptance milestone; 300,000 yuan central subsidy paid.
    works = Works.objects.create(plan=plan, compound=a, name="天祥小区改造工程", stage="completion")
    today = date.today()
    Milestone.objects.create(
        works=works, stage="start", seq=3, planned_on=date(2024, 6, 1), actual_on=date(2024, 6, 10)
    )
    Milestone.objects.create(
        works=works,
        stage="completion",
        seq=4,
        planned_on=date(2024, 10, 1),
        actual_on=date(2024, 10, 20),
    )
    Milestone.objects.create(
        works=works, stage="acceptance", seq=5, planned_on=today - timedelta(days=5)
    )
    item = WorksItem.objects.create(
        works=works, name="供水管网改造", unit="m", quantity=Decimal("1200"), budget=800000
    )
    CostEntry.objects.create(
        works=works,
        item=item,
        source="central_subsidy",
        kind="paid",
        amount=Decimal("300000.00"),
        on=date(2024, 7, 1),
    )
    prog = Programme.objects.create(name="2024年改造计划", area=a.street.parent or a.street)
    batch = Batch.objects.create(
        programme=prog,
        name="第一批",
        starts_on=date(2024, 1, 1),
        ends_on=date(2024, 12, 31),
        households_target=100,
        area_target_m2=Decimal("10000"),
    )
    for c in (a, b):
        Entry.objects.create(
            programme=prog,
            compound=c,
            batch=batch,
            cost_yuan=Decimal("1000000"),
            area_m2=c.floor_area or Decimal("5000"),
            households=c.households or 40,
        )
    return {"a": a, "b": b, "plan": plan, "vote": vote, "works": works, "batch": batch}
