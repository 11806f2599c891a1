from datetime import date
from decimal import Decimal

import pytest

from gaizao.eligibility import services
from gaizao.eligibility.models import Policy
from gaizao.inventory.facilities import FACILITIES
from gaizao.inventory.models import Condition, Survey
from gaizao.inventory.scoring import condition_score
from gaizao.testing import make_compound


@pytest.fixture
def policies(areas):
    services.ensure_builtin_policies()
    return {
        "panlong": Policy.objects.get(code="panlong-2020"),
        "national": Policy.objects.get(code="national-2020"),
    }


def survey(compound, *, broken_basic=6, env="broken", on=date(2026, 5, 1)):
    ratings = {}
    n = 0
    for f in FACILITIES:
        if f.group == "basic":
            ratings[f.code] = "broken" if n < broken_basic else "good"
            n += 1
        elif f.code == "waste_sorting":
            ratings[f.code] = env
        else:
            ratings[f.code] = "good"
    s = Survey.objects.create(compound=compound, surveyed_on=on, score=condition_score(ratings))
    Condition.objects.bulk_create(
        Condition(survey=s, facility=k, rating=v) for k, v in ratings.items()
    )
    return s


def complete(compound, **kw):
    """Fill every exclusion fact so that only the rules decide."""
    values = dict(
        in_shantytown_plan=False,
        demolition_planned=False,
        is_urban_village=False,
        self_built_area=Decimal(0),
        in_main_urban_area=True,
    )
    values.update(kw)
    for k, v in values.items():
        setattr(compound, k, v)
    compound.save()
    return compound


def good_compound(street, name, **kw):
    c = complete(make_compound(street, name, management_status="none"), **kw)
    survey(c)
    return c
