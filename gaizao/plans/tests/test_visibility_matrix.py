"""Who sees which plan, on every list and detail (issue 9, finding 7): the
superuser and a country-level role see every plan, compound and cluster
alike; area roles see theirs; the others none."""

import pytest

from gaizao.accounts.models import Role
from gaizao.plans import services
from gaizao.plans.models import Plan
from gaizao.regions.models import Area
from gaizao.testing import make_compound, make_user

from .conftest import survey


@pytest.fixture
def three_plans(surveyed, users, areas):
    """compound_a's plan, compound_b's plan and a cluster plan in 金辰街道."""
    n1 = make_compound(areas["jinchen"], "北院", community=areas["tianxiang"])
    n2 = make_compound(areas["jinchen"], "南院", community=areas["tianxiang"])
    survey(n1, {"water_pipes": "missing"})
    survey(n2, {"water_pipes": "missing"})
    bureau = users["bureau"]
    pa = services.plan_draft_from_survey(actor=bureau, compound=surveyed["compound_a"])
    pb = services.plan_draft_from_survey(actor=bureau, compound=surveyed["compound_b"])
    cluster = services.cluster_create(actor=bureau, name="南北片区", compounds=[n1, n2])
    pc = services.plan_draft_for_cluster(actor=bureau, cluster=cluster)
    return {"a": pa, "b": pb, "cluster": pc}


@pytest.fixture
def country_user(areas):
    china = Area.objects.create(code="000000000000", name="全国", level=Area.Level.COUNTRY)
    return make_user("nation", Role.LEADERSHIP, area=china)


EXPECTED = {
    "admin": {"a", "b", "cluster"},
    "nation": {"a", "b", "cluster"},
    "district": {"a", "b", "cluster"},
    "bureau": {"a", "b", "cluster"},
    "street_jinchen": {"a", "cluster"},
    "street_qingyun": {"b"},
    "community_tianxiang": {"a", "cluster"},
    "community_yunshan": {"b"},
    "contractor": set(),
    "norole": set(),
}


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_plan_visibility_matrix(who, three_plans, users, country_user, client_for):
    user = country_user if who == "nation" else users[who]
    c = client_for(user)
    expected = {three_plans[k].pk for k in EXPECTED[who]}
    page = c.get("/plans/")
    assert page.status_code == 200
    assert {p.pk for p in page.context["page"]} == expected
    for key, plan in three_plans.items():
        r = c.get(f"/plans/{plan.pk}/")
        assert (r.status_code == 200) == (plan.pk in expected), (who, key, r.status_code)
        api = c.get(f"/api/v1/plans/{plan.pk}")
        assert (api.status_code == 200) == (plan.pk in expected), (who, key, api.status_code)
    assert Plan.objects.count() == 3
