import datetime
from decimal import Decimal

import pytest

from gaizao.eligibility import services as eligibility_services
from gaizao.eligibility.models import Policy, Verdict
from gaizao.programme import services
from gaizao.testing import make_compound


@pytest.fixture(autouse=True)
def _inline_runs(settings):
    # Runs execute inside the request in tests (no thread): the test database
    # transaction is not visible from another thread.
    settings.PROGRAMME_RUN_INLINE = True


def eligible(compound, *, extension=False):
    eligibility_services.ensure_builtin_policies()
    policy = Policy.objects.get(code="panlong-2020")
    return Verdict.objects.create(
        compound=compound,
        policy=policy,
        verdict=Verdict.Kind.ELIGIBLE,
        reasons=[],
        extension=extension,
        by_default=True,
        evaluated_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
    )


@pytest.fixture
def world(cast, areas, users):
    """A district programme with two batches and six eligible compounds
    (three per street, besides the cast's two)."""
    compounds = [cast["compound_a"], cast["compound_b"]]
    for i in range(3):
        compounds.append(
            make_compound(
                areas["jinchen"],
                f"金辰{i}号小区",
                floor_area=Decimal(10000 + 1000 * i),
                households=100 + i,
                built_year=1985 + i,
            )
        )
        compounds.append(
            make_compound(
                areas["qingyun"],
                f"青云{i}号小区",
                floor_area=Decimal(12000 + 1000 * i),
                households=120 + i,
                built_year=1990 + i,
            )
        )
    for c in compounds:
        eligible(c)
    p = services.programme_create(
        actor=users["district"], area=areas["district"], name="盘龙区2020—2021年改造计划"
    )
    b1 = services.batch_create(
        actor=users["district"],
        programme=p,
        name="2020年上半年",
        starts_on="2020-01-01",
        ends_on="2020-06-30",
        area_target_m2="40000",
        budget={"central_subsidy": "20000000"},
    )
    b2 = services.batch_create(
        actor=users["district"],
        programme=p,
        name="2020年下半年",
        starts_on="2020-07-01",
        ends_on="2020-12-31",
        area_target_m2="30000",
    )
    services.programme_fill(actor=users["district"], programme=p)
    return {"programme": p, "batches": [b1, b2], "compounds": compounds}
