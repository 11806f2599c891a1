"""The kept per-street money and satisfaction sums (disclosure.tally:
`StreetFunding`, the satisfaction columns of `StreetTally`) behind the
dashboard's and the portal's funding, paid and satisfaction figures: after
every kind of write they equal the live derivation over the records, a
cluster's shared plan spanning two streets is counted once, a street user
never sees another street's money, and the page's query count does not grow
with the data."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gaizao.disclosure import progress as prog
from gaizao.disclosure import public, tally
from gaizao.disclosure import selectors as sel
from gaizao.disclosure.models import StreetFunding
from gaizao.feedback.models import SatisfactionEvaluation, SatisfactionResponse
from gaizao.inventory.models import Unit
from gaizao.plans.models import Cluster, ClusterMember, FundingLine, Plan
from gaizao.plans.services.workflow import plan_revise
from gaizao.testing import make_compound
from gaizao.works.models import CostEntry, Works, WorksItem

from .test_tally import national  # noqa: F401 (fixture)


def _scopes(users, national_user):  # noqa: F811
    return [national_user, users["district"], users["street_jinchen"], users["street_qingyun"]]


def _same_satisfaction(got: dict, want: dict) -> None:
    assert got["n"] == want["n"]
    assert got["satisfied"] == want["satisfied"]
    if want["avg"] is None:
        assert got["avg"] is None
    else:
        assert got["avg"] == pytest.approx(float(want["avg"]))


def assert_money_agrees(users, national_user) -> None:  # noqa: F811
    assert tally.mismatches() == []
    for user in _scopes(users, national_user):
        ids = sel.scoped(user).values("id")
        money = tally.for_user(user, model=StreetFunding)
        assert money is not None
        scope = sel.Scope(user)
        got, want = prog.funding_planned_paid(scope, money), prog.funding_planned_paid(scope)
        assert got == want, user
        assert want == _plain_funding(ids), user
        _same_satisfaction(sel.kept_satisfaction(tally.for_user(user)), sel.satisfaction(ids))
    for area in (None,):
        got = public.summary(area)
        want = [f for f in sel.funding_by_source(public._within(area).values("id")) if f["amount"]]
        assert [(f["key"], f["amount"]) for f in got["funding"]] == [
            (f["key"], f["amount"]) for f in want
        ]
        cache.clear()


def _plain_funding(ids) -> list[dict]:
    """The earlier derivation, kept as the oracle: plans and works touching
    an id list of the compounds, each counted once."""
    from django.db.models import Q, Sum

    plans = sel.current_plans().filter(Q(compound__in=ids) | Q(cluster__members__compound__in=ids))
    works = Works.objects.filter(Q(compound__in=ids) | Q(cluster__members__compound__in=ids))
    planned = dict(
        FundingLine.objects.filter(plan__in=plans.values("id"))
        .values_list("source")
        .annotate(a=Sum("amount"))
    )
    paid = dict(
        CostEntry.objects.filter(works__in=works.values("id"), kind="paid")
        .values_list("source")
        .annotate(a=Sum("amount"))
    )
    out = []
    for f in sel.funding_by_source(ids):
        f["amount"] = planned.get(f["key"], Decimal(0))
        f["paid"] = paid.get(f["key"], Decimal(0))
        f["paid_pct"] = (
            (f["paid"] / f["amount"] * 100).quantize(Decimal("0.1")) if f["amount"] else None
        )
        out.append(f)
    return out


def _answer(ev, unit, stars: int) -> SatisfactionResponse:
    return SatisfactionResponse.objects.create(
        evaluation=ev,
        unit=unit,
        overall=stars,
        quality=stars,
        content=stars,
        civility=stars,
        management=stars,
    )


@pytest.mark.django_db
def test_kept_money_equals_the_live_sums_after_every_kind_of_write(
    national,  # noqa: F811
    users,
    areas,
    programme,
    cast,
):
    assert_money_agrees(users, national)
    plan, works = programme["plan"], programme["works"]
    # A funding line added, changed, deleted.
    fl = FundingLine.objects.create(plan=plan, source="district_budget", amount=Decimal("1000.50"))
    assert_money_agrees(users, national)
    fl.amount = Decimal("2000.00")
    fl.save()
    assert_money_agrees(users, national)
    fl.delete()
    assert_money_agrees(users, national)
    # Paid and committed cost entries; a deleted one.
    item = WorksItem.objects.filter(works=works).first()
    e = CostEntry.objects.create(
        works=works,
        item=item,
        source="resident",
        kind="paid",
        amount=Decimal("55.55"),
        on=date(2024, 8, 1),
    )
    CostEntry.objects.create(
        works=works,
        item=item,
        source="resident",
        kind="committed",
        amount=Decimal("99.00"),
        on=date(2024, 8, 1),
    )
    assert_money_agrees(users, national)
    e.delete()
    assert_money_agrees(users, national)
    # A revised plan (the old version superseded, its lines copied by bulk).
    plan_revise(actor=users["admin"], plan=plan)
    assert Plan.objects.filter(compound=plan.compound, status="superseded").exists()
    assert_money_agrees(users, national)
    # A cluster across the two streets with a shared plan and paid works:
    # counted once for the district and the country, for each street once.
    b = programme["b"]
    other = make_compound(areas["qingyun"], "片区成员二")
    cluster = Cluster.objects.create(name="跨街道片区", area=areas["district"])
    c1 = make_compound(areas["jinchen"], "片区成员一")
    for c in (c1, other):
        ClusterMember.objects.create(cluster=cluster, compound=c)
    shared = Plan.objects.create(
        cluster=cluster, year=2025, status="approved", total_cost=Decimal("500")
    )
    FundingLine.objects.create(plan=shared, source="central_subsidy", amount=Decimal("500"))
    sw = Works.objects.create(plan=shared, cluster=cluster, name="片区工程")
    si = WorksItem.objects.create(works=sw, name="道路", unit="m", quantity=1, budget=10)
    CostEntry.objects.create(
        works=sw,
        item=si,
        source="central_subsidy",
        kind="paid",
        amount=Decimal("7"),
        on=date.today(),
    )
    assert_money_agrees(users, national)
    # A compound moving street, a compound with its own plan deleted.
    own = Plan.objects.create(compound=b, year=2025, status="draft", total_cost=Decimal("10"))
    FundingLine.objects.create(plan=own, source="resident", amount=Decimal("10"))
    assert_money_agrees(users, national)
    b.street = areas["jinchen"]
    b.save()
    assert_money_agrees(users, national)
    gone = make_compound(areas["qingyun"], "将删除")
    p = Plan.objects.create(compound=gone, year=2025, status="approved", total_cost=Decimal("3"))
    FundingLine.objects.create(plan=p, source="district_budget", amount=Decimal("3"))
    assert_money_agrees(users, national)
    gone.delete()
    assert_money_agrees(users, national)
    # Satisfaction answers: 5, 2, 4 stars; one deleted.
    ev = SatisfactionEvaluation.objects.create(compound=other, title="评价")
    units = list(Unit.objects.all()[:3])
    answers = [_answer(ev, u, s) for u, s in zip(units, (5, 2, 4), strict=False)]
    assert_money_agrees(users, national)
    answers[0].delete()
    assert_money_agrees(users, national)
    ev.delete()
    assert_money_agrees(users, national)


@pytest.mark.django_db
def test_a_street_never_sees_another_streets_money(national, users, areas, programme):  # noqa: F811
    # compound_a (金辰) has the plan and the paid works; 青云 has none.
    money = tally.for_user(users["street_qingyun"], model=StreetFunding)
    got = prog.funding_planned_paid(sel.Scope(users["street_qingyun"]), money)
    assert all(f["amount"] == 0 and f["paid"] == 0 for f in got)
    j = tally.for_user(users["street_jinchen"], model=StreetFunding)
    mine = {f["key"]: f for f in prog.funding_planned_paid(sel.Scope(users["street_jinchen"]), j)}
    assert mine["central_subsidy"]["amount"] == Decimal("800000.00")
    assert mine["central_subsidy"]["paid"] == Decimal("300000.00")
    # The dashboard pages of the two streets show their own figures only.
    assert sel.kept_satisfaction(tally.for_user(users["street_qingyun"]))["n"] == 0
    assert sel.kept_satisfaction(tally.for_user(users["street_jinchen"]))["n"] == 1


@pytest.mark.django_db
def test_rebuild_restores_the_kept_money(national, users, programme):  # noqa: F811
    StreetFunding.objects.all().delete()
    assert tally.mismatches() != []
    tally.rebuild()
    assert_money_agrees(users, national)


@pytest.mark.django_db
def test_dashboard_and_portal_queries_do_not_grow(national, areas, client_for, programme):  # noqa: F811
    c = client_for(national)

    def count(path, client) -> int:
        cache.clear()
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(path).status_code == 200
        return len(ctx.captured_queries)

    from django.test import Client

    anon = Client()
    before = (count("/dashboard/", c), count("/public/", anon))
    for i in range(4):
        x = make_compound(areas["qingyun" if i % 2 else "jinchen"], f"增加{i}")
        p = Plan.objects.create(compound=x, year=2025, status="approved", total_cost=Decimal("1"))
        FundingLine.objects.create(plan=p, source="district_budget", amount=Decimal("1"))
    assert (count("/dashboard/", c), count("/public/", anon)) == before
    html = c.get("/dashboard/").content.decode()
    assert "已拨付" in html


@pytest.mark.django_db
def test_portal_pages_by_the_kept_street_counts_equal_the_plain_pages(
    areas,
    programme,
    monkeypatch,
):
    from django.core.paginator import Paginator

    from gaizao.inventory.models import Compound

    for i in range(7):
        make_compound(areas["qingyun" if i % 2 else "jinchen"], f"{'丙甲乙'[i % 3]}门户{i}")
    monkeypatch.setattr(public, "PER_PAGE", 3)
    for area in (None, areas["district"], areas["jinchen"]):
        plain = Compound.objects.all() if area is None else public._within(area)
        want = Paginator(public._ordered(plain), 3)
        for n in want.page_range:
            got = public.search_page(page=n, area=area)
            assert got["count"] == want.count, area
            assert [r["id"] for r in got["rows"]] == [c.pk for c in want.page(n)], (area, n)
    # A search (names, street and community names) and a street's name:
    # the same pages as the plain joined query, by street code.
    from django.db.models import Q

    for q, street, area in (
        ("门户", "", None),
        ("金辰", "", None),  # a street's name: all its compounds
        ("甲", "", areas["district"]),
        ("", "青云街道", None),
        ("无此名称", "", None),
    ):
        plain = public._within(area)
        if street:
            plain = plain.filter(street__name=street)
        if q:
            plain = plain.filter(
                Q(name__icontains=q)
                | Q(street__name__icontains=q)
                | Q(community__name__icontains=q)
            )
        want = Paginator(public._ordered(plain), 3)
        for n in want.page_range:
            got = public.search_page(q, street, n, area)
            assert got["count"] == want.count, (q, street)
            assert [r["id"] for r in got["rows"]] == [c.pk for c in want.page(n)], (q, n)


@pytest.mark.django_db
def test_overdue_and_targets_by_scope_equal_the_id_list_derivation(
    national,  # noqa: F811
    users,
    areas,
    programme,
):
    from datetime import timedelta

    from django.db.models import Count, Q
    from django.utils import timezone

    from gaizao.programme.models import Entry
    from gaizao.works.models import Milestone

    # A cluster across both streets whose works have a late milestone.
    cl = Cluster.objects.create(name="逾期片区", area=areas["district"])
    for street in ("jinchen", "qingyun"):
        ClusterMember.objects.create(cluster=cl, compound=make_compound(areas[street], "片"))
    p = Plan.objects.create(cluster=cl, year=2025, status="approved")
    w = Works.objects.create(plan=p, cluster=cl, name="片区工程")
    late = timezone.localdate() - timedelta(days=3)
    Milestone.objects.create(works=w, stage="design", seq=1, planned_on=late)
    for user in _scopes(users, national):
        ids = sel.scoped(user).values("id")
        works = Works.objects.filter(Q(compound__in=ids) | Q(cluster__members__compound__in=ids))
        want = sel.late_milestones().filter(works__in=works.values("id")).count()
        got = prog.overdue(sel.Scope(user))
        assert got["total"] == want, user
        assert sum(a["n"] for a in got["by_area"]) == want
        entries = Entry.objects.filter(batch__isnull=False, compound__in=ids)
        want_n = dict(entries.values_list("batch_id").annotate(n=Count("id")))
        got_t = prog.targets(programme["batch"].programme, sel.Scope(user))
        assert {t["batch"].pk: t["n"] for t in got_t if t["n"]} == want_n, user
    assert prog.overdue(sel.Scope(users["street_qingyun"]))["total"] == 1  # the cluster's


@pytest.mark.django_db
def test_drill_down_pages_by_stage_equal_the_plain_query(
    national,  # noqa: F811
    users,
    areas,
    programme,
    client_for,
    monkeypatch,
):
    import re

    from gaizao.disclosure import views

    for i in range(5):
        make_compound(areas["qingyun" if i % 2 else "jinchen"], f"钻取{i}")
    monkeypatch.setattr(views, "PER_PAGE", 2)
    for user in (national, users["district"], users["street_qingyun"]):
        c = client_for(user)
        for stage in ("", "surveyed", "eligible", "approved", "started", "late"):
            want = list(
                sel.filter_compounds(sel.annotated_compounds(sel.scoped(user)), stage=stage)
                .order_by("street__code", "name", "id")
                .values_list("pk", flat=True)
            )
            got = []
            for page in range(1, max(1, (len(want) + 1) // 2) + 1):
                body = c.get("/dashboard/compounds/", {"stage": stage, "page": page})
                html = body.content.decode()
                assert f"共 {len(want)} 个小区" in html, (user, stage)
                got += [int(x) for x in re.findall(r'href="/compounds/(\d+)/"', html)]
            assert got == want, (user, stage)


@pytest.mark.django_db
def test_plan_funding_services_keep_the_money_and_refresh_once(
    national,  # noqa: F811
    users,
    programme,
    monkeypatch,
):
    from gaizao.core import summaries
    from gaizao.plans.services.items import plan_funding_recompute, plan_funding_set

    draft = Plan.objects.create(
        compound=programme["b"], year=2026, status="draft", total_cost=Decimal("0")
    )
    calls = []

    def counted(fn):
        return lambda ids: calls.append(list(ids)) or fn(ids)

    monkeypatch.setattr(summaries, "_refreshers", [counted(f) for f in summaries._refreshers])
    plan_funding_recompute(actor=users["admin"], plan=draft)
    assert_money_agrees(users, national)
    draft.funding_lines.all().delete()
    for source in ("central_subsidy", "resident", "utility"):
        FundingLine.objects.create(plan=draft, source=source, amount=Decimal("0"))
    assert_money_agrees(users, national)
    total = Plan.objects.get(pk=draft.pk).total_cost
    calls.clear()
    plan_funding_set(
        actor=users["admin"],
        plan=draft,
        amounts={"district_budget": str(total), "resident": "0"},
    )
    assert list(draft.funding_lines.values_list("source", flat=True)) == ["district_budget"]
    assert_money_agrees(users, national)
    # the three deleted lines, the new line and the plan's save: one refresh
    assert calls == [[programme["b"].pk]]
