"""works_q (the works chokepoint) as joins and one EXISTS over cluster
members gives, for every role, exactly the works of the earlier form (an
`IN` list of the visible compounds, inside an OR with an EXISTS over
cluster members whose compound is in that list), kept here as the oracle,
including a cluster's works spanning two streets and a cluster without
members; and the works list's query count does not grow with the works."""

import pytest
from django.db import connection
from django.db.models import Exists, OuterRef, Q
from django.test.utils import CaptureQueriesContext

from gaizao.accounts.models import Role
from gaizao.inventory.models import Compound
from gaizao.inventory.permissions import compound_q
from gaizao.plans.models import Cluster, ClusterMember, Plan
from gaizao.regions.models import Area
from gaizao.testing import make_compound, make_user
from gaizao.works.models import Works
from gaizao.works.permissions import works_q
from gaizao.works.selectors import works_list


def oracle(user) -> set[int]:
    if user.is_superuser:
        return set(Works.objects.values_list("pk", flat=True))
    if user.role in (Role.CONTRACTOR, Role.DESIGNER):
        return set(Works.objects.filter(works_q(user)).values_list("pk", flat=True))
    cq = compound_q(user)
    visible = Compound.objects.filter(cq)
    in_cluster = Exists(
        ClusterMember.objects.filter(cluster_id=OuterRef("cluster_id"), compound__in=visible)
    )
    got = Works.objects.filter(Q(compound__in=visible.values("pk")) | Q(in_cluster))
    return set(got.values_list("pk", flat=True))


@pytest.fixture
def spread(cast, areas, users):
    """Own works in both streets, a cluster across the two streets with its
    works, a cluster with works but no members."""
    a, b = cast["compound_a"], cast["compound_b"]
    out = []
    for c in (a, b):
        p = Plan.objects.create(compound=c, year=2026, status="approved")
        out.append(Works.objects.create(plan=p, compound=c, name=f"{c.name}工程"))
    cl = Cluster.objects.create(name="跨街片区", area=areas["district"])
    for name, street in (("片一", areas["jinchen"]), ("片二", areas["qingyun"])):
        ClusterMember.objects.create(cluster=cl, compound=make_compound(street, name))
    p = Plan.objects.create(cluster=cl, year=2026, status="approved")
    out.append(Works.objects.create(plan=p, cluster=cl, name="片区工程"))
    empty = Cluster.objects.create(name="空片区", area=areas["district"])
    p = Plan.objects.create(cluster=empty, year=2026, status="approved")
    out.append(Works.objects.create(plan=p, cluster=empty, name="空片区工程"))
    return out


@pytest.mark.django_db
def test_every_role_sees_the_same_works_as_before(spread, users, areas):
    country, _ = Area.objects.get_or_create(
        code="000000000000", defaults={"name": "全国", "level": Area.Level.COUNTRY}
    )
    national = make_user("national_w", Role.LEADERSHIP, area=country)
    seen = {}
    for name, user in [*users.items(), ("national", national)]:
        got = set(Works.objects.filter(works_q(user)).values_list("pk", flat=True))
        assert got == oracle(user), name
        seen[name] = got
    shared = spread[2].pk
    assert shared in seen["street_jinchen"] and shared in seen["street_qingyun"]
    assert spread[0].pk not in seen["street_qingyun"]
    assert spread[3].pk not in seen["national"]  # a cluster with no member: nobody's
    assert spread[3].pk in seen["admin"]


@pytest.mark.django_db
def test_works_list_queries_do_not_grow(spread, cast, client_for, users):
    c = client_for(users["district"])

    def count() -> int:
        from django.core.cache import cache

        cache.clear()
        with CaptureQueriesContext(connection) as ctx:
            assert c.get("/works/").status_code == 200
            assert c.get("/api/v1/works?limit=50").status_code == 200
        return len(ctx.captured_queries)

    before = count()
    for i in range(5):
        x = make_compound(cast["compound_a"].street, f"再加{i}")
        p = Plan.objects.create(compound=x, year=2026, status="approved")
        Works.objects.create(plan=p, compound=x, name=f"再加{i}工程")
    assert count() == before
    assert works_list(users["district"]).count() == len(oracle(users["district"]))


@pytest.mark.django_db
def test_responsibility_summary_is_one_level_below_and_capped(
    spread, users, areas, client_for, monkeypatch
):
    from datetime import timedelta

    from django.utils import timezone

    from gaizao.testing import make_org
    from gaizao.works import selectors
    from gaizao.works.models import Milestone

    past = timezone.localdate() - timedelta(days=9)
    orgs = [make_org(f"责任单位{i}", "contractor") for i in range(3)]
    for i, w in enumerate(spread[:3]):
        Milestone.objects.create(
            works=w, stage="design", seq=1, planned_on=past, responsible_org=orgs[i]
        )
    province = Area.objects.create(code="530000000000", name="云南省", level="province")
    Area.objects.filter(pk=areas["city"].pk).update(parent=province)
    country = Area.objects.create(code="000000000000", name="全国", level="country")
    Area.objects.filter(pk=province.pk).update(parent=country)
    national = make_user("national_r", Role.LEADERSHIP, area=country)
    # A national user's summary: one row a province, not a row a street.
    rows = selectors.responsibility_rows(national)
    got = selectors.late_summary(rows, "street__parent__parent__parent")
    assert got["by_area"] == [("云南省", 2), ("—", 1)]  # the cluster's works: "—"
    # A district's: by street (the cluster's works under "—").
    got = selectors.late_summary(selectors.responsibility_rows(users["district"]))
    assert dict(got["by_area"]) == {"金辰街道": 1, "青云街道": 1, "—": 1}
    # The units: the first ORG_TOP, the rest counted.
    monkeypatch.setattr(selectors, "ORG_TOP", 1)
    got = selectors.late_summary(rows)
    assert len(got["by_org"]) == 1 and got["orgs_more"] == (2, 2)
    body = client_for(national).get("/works/responsibility/").content.decode()
    assert "逾期节点:按省" in body and "云南省" in body and "金辰街道</li>" not in body
