import re
from io import StringIO

import pytest
from django.core.management import call_command

from gaizao.accounts.models import User
from gaizao.feedback.models import Feedback
from gaizao.inventory.models import Compound, Owner, Survey, Unit
from gaizao.regions.models import Area


def _run(compounds=12, seed=2020):
    out = StringIO()
    call_command("demo", "--no-serve", f"--compounds={compounds}", f"--seed={seed}", stdout=out)
    return out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_demo_seeds_panlong_and_prints_logins():
    out = _run()
    # Panlong's real 12 streets with their statistics codes.
    streets = Area.objects.filter(level="street", code__startswith="530103")
    assert streets.count() == 12
    assert streets.get(code="530103005000").name == "金辰街道"
    assert Area.objects.get(code="530103005006").name == "天祥社区居委会"
    assert Compound.objects.count() == 12
    assert Unit.objects.count() > 12 * 8
    assert Survey.objects.exists()
    # Every app's step ran, the top one too (feedback seeds last).
    assert Feedback.objects.exists()
    assert Owner.objects.filter(is_developer=False).count() <= Unit.objects.count()
    assert all(1955 <= y <= 2005 for y in Compound.objects.values_list("built_year", flat=True))
    assert all(2000 <= a <= 200000 for a in Compound.objects.values_list("floor_area", flat=True))
    for username in ["admin", "panlong_office", "jinchen_street", "tianxiang_sq", "surveyor_jc"]:
        assert username in out
        assert User.objects.get(username=username).check_password("gaizao2020")
    # Running again keeps the data and prints the logins again.
    out2 = _run()
    assert "演示数据已存在" in out2 and "jinchen_street" in out2
    assert Compound.objects.count() == 12


@pytest.mark.django_db(transaction=True)
def test_demo_reset_seeds_what_a_fresh_database_gets():
    """`gaizao demo --reset` flushes first, as every transactional test does
    after itself: the rows data migrations made (the built-in catalogue, the
    national policy) are gone. The demo makes what it reads, so the residents'
    answers, the verdicts and the programme come out as on a fresh database
    (the catalogue was missing once: no compound eligible, the programme
    step failed with 计划中还没有小区)."""

    def steps(out):
        # Seeding lines only: no timing, no run number (ids go on after a flush).
        lines = out.split("演示数据已建立")[0].splitlines()
        return [re.sub(r"#\d+", "#", line) for line in lines]

    fresh = _run()
    out = StringIO()
    call_command("demo", "--no-serve", "--reset", "--compounds=12", "--seed=2020", stdout=out)
    assert "改造计划" in out.getvalue()
    assert steps(out.getvalue()) == steps(fresh)


@pytest.mark.django_db(transaction=True)
def test_demo_is_deterministic():
    _run(compounds=8, seed=7)
    first = sorted(Compound.objects.values_list("name", "floor_area", "households"))
    call_command("flush", interactive=False, verbosity=0)
    _run(compounds=8, seed=7)
    assert sorted(Compound.objects.values_list("name", "floor_area", "households")) == first


def test_demo_steps_are_an_explicit_ordered_list():
    """The seed order is written down in site/demo.py, not taken from INSTALLED_APPS."""
    from gaizao.site import demo

    order = [step.__module__ for step in demo.STEPS]
    assert order == [
        "gaizao.regions.demo",
        "gaizao.accounts.demo",
        "gaizao.inventory.demo",
        "gaizao.consultation.demo",
        "gaizao.eligibility.demo",
        "gaizao.plans.demo",
        "gaizao.programme.demo",
        "gaizao.stewardship.demo",
        "gaizao.works.demo",
        "gaizao.feedback.demo",
        "gaizao.disclosure.demo",
    ]
    assert all(step.__name__ == "seed" for step in demo.STEPS)
