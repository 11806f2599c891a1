"""Fixtures shared by the feedback tests (the cast and users come from
the root conftest)."""

import pytest

from gaizao.plans.models import Plan, PlanStatus


def approve_plan(compound):
    """An approved plan (一院一策) for the compound: what a satisfaction
    evaluation needs until the works app records completion."""
    return Plan.objects.create(compound=compound, year=2026, status=PlanStatus.APPROVED)


@pytest.fixture
def approved_a(cast):
    return approve_plan(cast["compound_a"])
