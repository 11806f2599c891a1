from datetime import date
from decimal import Decimal

import pytest

from gaizao.inventory.models import Condition, Survey
from gaizao.plans import services
from gaizao.stewardship.models import ManagementArrangement


def survey(compound, ratings: dict[str, str], on=date(2025, 3, 1)):
    s = Survey.objects.create(compound=compound, surveyed_on=on)
    Condition.objects.bulk_create(
        [Condition(survey=s, facility=f, rating=r) for f, r in ratings.items()]
    )
    return s


@pytest.fixture
def surveyed(cast):
    survey(
        cast["compound_a"],
        {
            "water_pipes": "broken",
            "street_lamps": "missing",
            "roads": "good",
            "gas_pipes": "worn",
            "fitness_equipment": "missing",
        },
    )
    survey(cast["compound_b"], {"water_pipes": "broken", "septic_drains": "broken"})
    return cast


@pytest.fixture
def plan_a(surveyed, users):
    return services.plan_draft_from_survey(actor=users["bureau"], compound=surveyed["compound_a"])


@pytest.fixture
def vote_passes(monkeypatch):
    monkeypatch.setattr("gaizao.plans.selectors.compound_vote_passed", lambda cid, matter=7: True)
    monkeypatch.setattr("gaizao.plans.selectors.plan_vote_blockers", lambda plan: [])


def arrange(compound, **kw):
    values = dict(
        model="property_company",
        manager_name="甲物业公司",
        rules_adopted=True,
        rules_adopted_on=date(2025, 1, 15),
        fee_per_m2_month=Decimal("0.8"),
    )
    values.update(kw)
    return ManagementArrangement.objects.create(compound=compound, **values)


@pytest.fixture(autouse=True)
def _scope_gate_off(request, monkeypatch):
    """Plans tests are not about the renovation scope: the test compounds
    leave the exclusion facts blank (待核实). The gate itself (eligibility's
    approval_blocker, called by the approval) is tested in test_scope_gate.py."""
    if not request.module.__name__.endswith("test_scope_gate"):
        monkeypatch.setattr("gaizao.plans.services.workflow.scope_blocker", lambda compound: None)
