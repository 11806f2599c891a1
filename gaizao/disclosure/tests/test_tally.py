"""The kept per-street tallies (disclosure.tally) behind the home totals, the
reserve's cards and the dashboard's funnel and per-area table: after every
kind of write the figures the pages show equal the straightforward count
over the compounds, and the pages' query counts do not grow with the data."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from gaizao.accounts.models import Role
from gaizao.disclosure import selectors as sel
from gaizao.disclosure import tally
from gaizao.disclosure.models import StreetTally
from gaizao.eligibility import selectors as esel
from gaizao.eligibility.models import Policy, Verdict
from gaizao.inventory.models import Survey
from gaizao.regions.models import Area
from gaizao.site.selectors import home_totals
from gaizao.testing import cold_query_count, make_compound, make_user
from gaizao.works.models import Milestone


@pytest.fixture
def national(areas):
    country, _ = Area.objects.get_or_create(
        code="000000000000", defaults={"name": "全国", "level": Area.Level.COUNTRY}
    )
    province, _ = Area.objects.get_or_create(
        code="530000000000", defaults={"name": "云南省", "level": Area.Level.PROVINCE}
    )
    province.parent = country
    province.save()
    city = areas["city"]
    city.parent = province
    city.save()
    return make_user("national", Role.LEADERSHIP, area=country)


def plain_home(user) -> dict:
    qs = sel.scoped(user)
    return {
        "n": qs.count(),
        "households": sum(h or 0 for h in qs.values_list("households", flat=True)),
        "area": sum((a or 0 for a in qs.values_list("floor_area", flat=True)), Decimal(0)),
        "surveyed": qs.filter(surveys__isnull=False).distinct().count(),
    }


def assert_pages_agree(user) -> None:
    assert tally.mismatches() == []
    got = home_totals(user)
    want = plain_home(user)
    assert got["totals"]["n"] == want["n"]
    assert (got["totals"]["households"] or 0) == want["households"]
    assert (got["totals"]["area"] or 0) == want["area"]
    assert got["surveyed"] == want["surveyed"]
    assert sum(r["n"] for r in got["by_area"]) == want["n"]
    # The reserve's cards and unevaluated count.
    kept = esel.kept_reserve_totals(user)
    assert kept == esel.reserve_totals(esel.reserve_verdicts(user))
    plain_unevaluated = sel.scoped(user).exclude(eligibility_verdicts__by_default=True).count()
    assert esel.unevaluated_count(user) == plain_unevaluated
    # The dashboard's funnel and per-area table.
    qs = sel.annotated_compounds(sel.scoped(user))
    tallies = tally.for_user(user)
    assert sel.kept_funnel(tallies) == sel.funnel(qs)
    path = "street__parent__parent__parent"
    assert [dict(r) for r in sel.kept_by_area(tallies, path)] == [
        dict(r) for r in sel.by_area(qs, path)
    ]


@pytest.mark.django_db
def test_figures_equal_the_plain_count_after_every_kind_of_write(national, areas, programme):
    assert_pages_agree(national)
    b = programme["b"]
    # A new compound, one without households or floor area, a move, a delete.
    c = make_compound(areas["qingyun"], "新小区", households=None, floor_area=None)
    assert_pages_agree(national)
    c.street = areas["jinchen"]
    c.households = 17
    c.save()
    assert_pages_agree(national)
    d = make_compound(areas["jinchen"], "将删除")
    Survey.objects.create(compound=d, surveyed_on=date(2024, 1, 1))
    assert_pages_agree(national)
    d.delete()
    assert_pages_agree(national)
    # A verdict (by default and not), a survey, works starting.
    policy = Policy.objects.create(name="另一政策", code="another", built_cutoff=date(2000, 12, 31))
    Verdict.objects.create(
        compound=b, policy=policy, verdict="review", by_default=True, evaluated_at=timezone.now()
    )
    Verdict.objects.create(
        compound=c,
        policy=policy,
        verdict="ineligible",
        by_default=False,
        evaluated_at=timezone.now(),
    )
    Survey.objects.create(compound=c, surveyed_on=date(2024, 2, 1))
    assert_pages_agree(national)
    Milestone.objects.filter(works=programme["works"], stage="start").delete()
    assert_pages_agree(national)
    Verdict.objects.filter(compound=b).delete()
    assert_pages_agree(national)
    assert StreetTally.objects.filter(verdict="review").count() == 0


@pytest.mark.django_db
def test_rebuild_and_check(national, programme):
    StreetTally.objects.all().delete()
    assert tally.mismatches() != []
    tally.rebuild()
    assert tally.mismatches() == []
    assert_pages_agree(national)


@pytest.mark.django_db
def test_scopes_not_made_of_streets_count_compounds(users, programme):
    assert tally.for_user(users["community_yunshan"]) is None
    assert tally.for_user(users["street_jinchen"]) is not None
    # A street office's home breaks down by community: counted from compounds.
    got = home_totals(users["street_jinchen"])
    assert got["totals"]["n"] == sel.scoped(users["street_jinchen"]).count()


@pytest.mark.django_db
def test_home_and_dashboard_queries_do_not_grow(national, areas, client_for, programme):
    c = client_for(national)

    def count(path) -> int:
        return cold_query_count(c, path)

    before = {p: count(p) for p in ("/", "/dashboard/", "/eligibility/")}
    for i in range(6):
        make_compound(areas["qingyun" if i % 2 else "jinchen"], f"增加{i}")
    assert {p: count(p) for p in before} == before


@pytest.mark.django_db
def test_portal_summary_equals_the_plain_count(national, areas, programme):
    from gaizao.disclosure import public

    make_compound(areas["qingyun"], "门户新小区")
    for area in (None, areas["city"], areas["district"], areas["jinchen"]):
        got = public.summary(area)
        qs = sel.annotated_compounds(public._within(area))
        want = [dict(s, label=str(s["label"])) for s in sel.funnel(qs)]
        assert got["funnel"] == want, area
        total = sum(r["total"] for r in got["areas"])
        assert not got["areas"] or total == qs.count()
