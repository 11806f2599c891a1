"""Fixtures shared by the consultation tests (the cast and users come from
the root conftest)."""

import pytest


def approve_plan(compound):
    """An approved plan (一院一策) for the compound: what a satisfaction
    evaluation needs until the works app records completion."""
    from gaizao.plans.models import Plan, PlanStatus

    return Plan.objects.create(compound=compound, year=2026, status=PlanStatus.APPROVED)


@pytest.fixture
def approved_a(cast):
    return approve_plan(cast["compound_a"])
