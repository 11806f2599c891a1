"""Works fixtures: an approved plan for compound_a with two items and a
funding split, and its works contracted to the cast's contractor."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from gaizao.catalogue.models import CatalogItem
from gaizao.plans.models import FundingLine, Plan, PlanItem, PlanStatus
from gaizao.testing import make_org, make_user
from gaizao.works.services import works_create


def _catalog(code, name, cost, unit="m"):
    return CatalogItem.objects.create(code=code, name=name, tier="basic", unit=unit, unit_cost=cost)


def approved_plan(compound):
    plan = Plan.objects.create(
        compound=compound, year=2026, status=PlanStatus.APPROVED, total_cost=Decimal("150000")
    )
    for code, name, cost, qty in [
        ("pipe", "雨污管网", Decimal("500"), Decimal("200")),
        ("roof", "屋面防水", Decimal("100"), Decimal("500")),
    ]:
        PlanItem.objects.create(
            plan=plan,
            catalog_item=_catalog(code, name, cost),
            code=code,
            name=name,
            tier="basic",
            unit="m",
            unit_cost=cost,
            quantity=qty,
        )
    FundingLine.objects.create(plan=plan, source="central_subsidy", amount=Decimal("100000"))
    FundingLine.objects.create(plan=plan, source="resident", amount=Decimal("50000"))
    return plan


@pytest.fixture
def works_a(cast, users):
    plan = approved_plan(cast["compound_a"])
    today = date.today()
    return works_create(
        actor=users["bureau"],
        plan=plan,
        contractor=users["contractor"].organisation,
        planned={"design": today - timedelta(days=30), "tender": today + timedelta(days=30)},
    )


@pytest.fixture
def other_contractor(cast):
    org = make_org("丙建设公司", "contractor")
    return make_user("contractor_c", "contractor", organisation=org)
