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
    return {"a": a, "b": b, "plan": plan, "vote": vote}
