"""Fixtures shared by the feedback tests (the cast and users come from
the root conftest)."""

import pytest

from gaizao.plans.models import Plan, PlanStatus
from gaizao.testing import make_works


def approve_plan(compound):
    """An approved plan (一院一策) whose works passed completion acceptance:
    what a satisfaction evaluation needs (it opens at 竣工验收)."""
    plan = Plan.objects.create(compound=compound, year=2026, status=PlanStatus.APPROVED)
    make_works(plan, done_through="acceptance")
    return plan


@pytest.fixture
def approved_a(cast):
    return approve_plan(cast["compound_a"])
