"""Reads for the dashboard, the public portal and open data.

Every compound-level figure comes from ONE annotated queryset,
`annotated_compounds(base)`, so the funnel, the portal card, the drill-down
list and the open-data rows cannot disagree. Only public fields are read:
no owner, unit, ballot or reporter row is ever selected here — the vote is
read from its stored tally (counts and areas), feedback as counts."""

from decimal import Decimal

from django.db.models import (
    Avg,
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    OuterRef,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, NullIf
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gaizao.feedback.models import SatisfactionResponse
from gaizao.inventory.models import Compound
from gaizao.inventory.permissions import compound_q
from gaizao.plans.models import ClusterMember, FundingLine, FundingSource, Plan, PlanStatus
from gaizao.programme.models import Entry
from gaizao.regions.models import Area
from gaizao.regions.scope import compound_area_q
from gaizao.works.models import CostEntry, CostKind, Milestone, Works

# The funnel (DESIGN.md): each stage counts the compounds that reached it.
STAGES = [
    ("surveyed", _("已摸底调查")),
    ("eligible", _("符合改造范围")),
    ("planned", _("已编制方案")),
    ("voted", _("业主表决通过")),
    ("approved", _("方案已审批")),
    ("started", _("已开工")),
    ("completed", _("已竣工")),
    ("accepted", _("已验收")),
    ("managed", _("已移交管理")),
]
# Drill-down filters that are not funnel stages.
EXTRA_FILTERS = {"late": _("有逾期未办事项")}
STAGE_LABELS = dict(STAGES)
# Each stage (and "late") as a condition on the kept summary's columns, so a
# filter or a count reads one indexed row per compound (disclosure.facts).
STAGE_Q = {
    "surveyed": Q(facts__surveyed=True),
    "eligible": Q(facts__verdict="eligible"),
    "planned": Q(facts__plan_id__isnull=False),
    "voted": Q(facts__vote_passed=True),
    "approved": Q(facts__plan_status=PlanStatus.APPROVED),
    "started": Q(facts__started=True),
    "completed": Q(facts__completed=True),
    "accepted": Q(facts__accepted=True),
    "managed": Q(facts__managed=True),
    "late": Q(facts__next_due_on__isnull=False),  # and < today: stage_q()
}
FLAG_FIELDS = ("surveyed", "verdict", "plan_status", "vote_passed") + tuple(
    k for k, _l in STAGES[5:]
)


def stage_q(key: str) -> Q:
    """The condition of a stage key of STAGE_Q ("late" depends on today)."""
    if key == "late":
        return Q(facts__next_due_on__lt=timezone.localdate())
    return STAGE_Q[key]


def current_plans():
    """Plans not superseded by a newer version (own or cluster's)."""
    return Plan.objects.exclude(status=PlanStatus.SUPERSEDED)


def late_milestones():
    """Open milestones whose planned date has passed (the responsibility list's
    overdue rows, works.selectors.responsibility_rows)."""
    return Milestone.objects.filter(actual_on__isnull=True, planned_on__lt=timezone.localdate())


def annotated_compounds(base=None):
    """Compounds with the public figures of each, read from the kept summary
    (`CompoundFacts`, refreshed by every write that changes a figure:
    disclosure.facts). A fixed number of queries whatever the count, and no
    per-compound subquery: the figures are plain columns of one joined row.
    `plan_*` is the compound's current plan, its own or its cluster's;
    `vote_*` the latest published, standing vote."""
    base = Compound.objects.all() if base is None else base
    today = timezone.localdate()
    return base.select_related("street", "community").annotate(
        surveyed=Coalesce(F("facts__surveyed"), False),
        verdict=NullIf(F("facts__verdict"), Value("")),
        plan_id_=F("facts__plan_id"),
        plan_status=NullIf(F("facts__plan_status"), Value("")),
        plan_cost=F("facts__plan_cost"),
        plan_shared=Coalesce(F("facts__plan_shared"), False),
        started=Coalesce(F("facts__started"), False),
        completed=Coalesce(F("facts__completed"), False),
        accepted=Coalesce(F("facts__accepted"), False),
        managed=Coalesce(F("facts__managed"), False),
        late=ExpressionWrapper(
            Q(facts__next_due_on__lt=today) & Q(facts__next_due_on__isnull=False),
            output_field=BooleanField(),
        ),
        vote_id_=F("facts__vote_id"),
        vote_title=F("facts__vote_title"),
        vote_result=F("facts__vote_result"),
        vote_passed=F("facts__vote_passed"),
        feedback_n=Coalesce(F("facts__feedback_n"), 0),
        feedback_closed=Coalesce(F("facts__feedback_closed"), 0),
        satisfaction_n=Coalesce(F("facts__satisfaction_n"), 0),
        satisfaction_avg=Case(
            When(
                facts__satisfaction_n__gt=0,
                then=ExpressionWrapper(
                    Cast(F("facts__satisfaction_sum"), FloatField())
                    / Cast(F("facts__satisfaction_n"), FloatField()),
                    output_field=FloatField(),
                ),
            ),
            default=None,
            output_field=FloatField(),
        ),
    )


def filter_compounds(
    qs,
    *,
    stage: str = "",
    street=None,
    q: str = "",
    funding: str = "",
    batch=None,
    area: Area | None = None,
):
    """The filters shared by the drill-down list, the portal search and the
    map: stage (STAGES key or "late"), street (Area id), area (an Area at any
    level: the compounds inside it), batch (programme Batch id), name/street
    text, funding source."""
    if stage in STAGE_Q:
        qs = qs.filter(stage_q(stage))
    if street:
        qs = qs.filter(street_id=street)
    if area is not None:
        qs = qs.filter(compound_area_q(area))
    if batch:
        qs = qs.filter(Exists(Entry.objects.filter(compound=OuterRef("pk"), batch_id=batch)))
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(street__name__icontains=q))
    if funding in FundingSource.values:
        lines = FundingLine.objects.filter(source=funding, amount__gt=0).exclude(
            plan__status=PlanStatus.SUPERSEDED
        )
        # EXISTS, not a join over plans and cluster members with DISTINCT
        # (STYLE.md habit 18).
        qs = qs.filter(
            Exists(lines.filter(plan__compound_id=OuterRef("pk")))
            | Exists(lines.filter(plan__cluster__members__compound_id=OuterRef("pk")))
        )
    return qs


def scoped(user):
    """The compounds the user may see (the one chokepoint: compound_q)."""
    return Compound.objects.filter(compound_q(user))


class Scope:
    """The compounds a page covers — those `user` may see (compound_q; no
    user: every compound, the public portal), inside `area` when given — as
    a condition over any model that reaches a compound by a path: the
    figures over entries, works and cluster members filter by it directly,
    with no `IN` list of every compound in scope (for a national user the
    condition is empty)."""

    def __init__(self, user=None, area: Area | None = None):
        self.user, self.area = user, area

    def q(self, path: str = "") -> Q:
        out = Q() if self.user is None else compound_q(self.user, path)
        if self.area is not None:
            out &= compound_area_q(self.area, path)
        return out

    def compounds(self):
        return Compound.objects.filter(self.q())

    def touching_cluster(self, outer: str = "cluster_id") -> Exists:
        """EXISTS a member of the cluster `outer` names inside the scope."""
        return Exists(
            ClusterMember.objects.filter(self.q("compound__"), cluster_id=OuterRef(outer))
        )

    def works_q(self, path: str = "") -> Q:
        """Works (reached by `path`) of a compound in scope or of a cluster
        with a member in scope."""
        own = Q(**{f"{path}compound__isnull": False}) & self.q(f"{path}compound__")
        return own | Q(self.touching_cluster(f"{path}cluster_id"))


def reached_stages(
    surveyed, verdict, plan_status, vote_passed, started=False, completed=False, accepted=False,
    managed=False,
) -> dict[str, bool]:  # fmt: skip
    return {
        "surveyed": bool(surveyed),
        "eligible": verdict == "eligible",
        "planned": plan_status is not None,
        "voted": vote_passed is True,
        "approved": plan_status == PlanStatus.APPROVED,
        "started": bool(started),
        "completed": bool(completed),
        "accepted": bool(accepted),
        "managed": bool(managed),
    }


def flags_of(c) -> dict[str, bool]:
    """reached_stages of an annotated compound."""
    return reached_stages(*(getattr(c, f) for f in FLAG_FIELDS))


def _stage_counts() -> dict:
    return {"total": Count("pk")} | {k: Count("pk", filter=STAGE_Q[k]) for k, _l in STAGES}


def funnel(qs) -> list[dict]:
    """[{key, label, n}] over a queryset of compounds: one aggregate query
    over the kept summary."""
    counts = qs.order_by().aggregate(**_stage_counts())
    return [{"key": "all", "label": _("小区总数"), "n": counts["total"]}] + [
        {"key": k, "label": label, "n": counts[k]} for k, label in STAGES
    ]


def _tally_counts() -> dict:
    """The funnel's counts over kept per-street tallies (disclosure.tally)."""
    return {
        "total": Coalesce(Sum("n"), 0),
        "eligible": Coalesce(Sum("n", filter=Q(verdict="eligible")), 0),
    } | {k: Coalesce(Sum(k), 0) for k, _l in STAGES if k != "eligible"}


def kept_funnel(tallies) -> list[dict]:
    """`funnel` of the compounds the tallies cover, added up from one row a
    street and verdict instead of one a compound (the same figures: each
    tally column counts the compounds whose kept row has that flag)."""
    counts = tallies.order_by().aggregate(**_tally_counts())
    return [{"key": "all", "label": _("小区总数"), "n": counts["total"]}] + [
        {"key": k, "label": label, "n": counts[k]} for k, label in STAGES
    ]


def kept_by_area(tallies, path: str) -> list[dict]:
    """`by_area` from the tallies: `path` leads from a street (the same path
    as from a compound, which starts at its street) to the area one level
    below the one shown."""
    return _grouped_by_area(tallies, path, _tally_counts())


def funding_by_source(compound_ids) -> list[dict]:
    """Planned funding of the current plans touching these compounds, by
    source, in yuan (Decimal, exact)."""
    plans = current_plans().filter(
        Q(compound__in=compound_ids) | Q(cluster__members__compound__in=compound_ids)
    )
    rows = (
        FundingLine.objects.filter(plan__in=plans.values("id"))
        .values("source")
        .annotate(amount=Sum("amount"))
    )
    return _by_source({r["source"]: r["amount"] or Decimal("0") for r in rows})


def _by_source(planned: dict, paid: dict | None = None) -> list[dict]:
    rows = []
    for s in FundingSource:
        row = {"key": s.value, "label": s.label, "amount": planned.get(s.value, Decimal("0"))}
        if paid is not None:
            row["paid"] = paid.get(s.value, Decimal("0"))
        rows.append(row)
    return rows


def shared_money(scope: Scope, *, with_paid: bool = True) -> tuple[dict, dict]:
    """Planned (current plans' funding lines) and paid (已拨付 cost entries)
    by source of the CLUSTERS' plans and works with a member in `scope`: the
    part the kept per-street money leaves out (disclosure.tally). Bounded by
    the clusters' rows, each shared plan counted once."""
    members = scope.touching_cluster()
    planned = {
        r["source"]: r["a"] or Decimal("0")
        for r in FundingLine.objects.filter(plan__in=current_plans().filter(members).values("id"))
        .values("source")
        .annotate(a=Sum("amount"))
    }
    if not with_paid:
        return planned, {}
    paid = {
        r["source"]: r["a"] or Decimal("0")
        for r in CostEntry.objects.filter(
            works__in=Works.objects.filter(members).values("id"), kind=CostKind.PAID
        )
        .values("source")
        .annotate(a=Sum("amount"))
    }
    return planned, paid


def kept_money(money, scope: Scope, *, with_paid: bool = True) -> list[dict]:
    """`funding_by_source` (and the paid amounts: progress.funding_planned_paid)
    from the kept per-street money of a scope made of whole streets (`money`,
    tally.within(..., StreetFunding)) plus the clusters' shared plans and
    works with a member in `scope` (the same scope): one grouped query over
    at most a row a street and source, and two over the clusters."""
    planned, paid = shared_money(scope, with_paid=with_paid)
    for r in money.order_by().values("source").annotate(p=Sum("planned"), d=Sum("paid")):
        k = r["source"]
        planned[k] = planned.get(k, Decimal("0")) + (r["p"] or Decimal("0"))
        paid[k] = paid.get(k, Decimal("0")) + (r["d"] or Decimal("0"))
    return _by_source(planned, paid if with_paid else None)


def kept_satisfaction(tallies) -> dict:
    """`satisfaction` from the kept per-street tallies: the same count, the
    average as sum / count, the answers of 4 or 5 stars."""
    agg = tallies.order_by().aggregate(
        n=Coalesce(Sum("satisfaction_n"), 0),
        s=Coalesce(Sum("satisfaction_sum"), 0),
        satisfied=Coalesce(Sum("satisfaction_ok"), 0),
    )
    n = agg["n"]
    return {"n": n, "avg": (agg["s"] / n) if n else None, "satisfied": agg["satisfied"]}


def satisfaction(compound_ids) -> dict:
    """Overall satisfaction (1–5 stars) of the compounds' evaluations."""
    agg = SatisfactionResponse.objects.filter(evaluation__compound__in=compound_ids).aggregate(
        n=Count("id"), avg=Avg("overall"), satisfied=Count("id", filter=Q(overall__gte=4))
    )
    return agg


def by_street(qs) -> list[dict]:
    """Funnel per street: [{street_id, street__name, total, surveyed, …}],
    one grouped query over the kept summary."""
    rows = (
        Compound.objects.filter(pk__in=qs.order_by().values("pk"))
        .order_by()
        .values("street_id", "street__name", "street__code")
        .annotate(**_stage_counts())
    )
    return sorted(rows, key=lambda r: r["street__code"] or "")


def by_area(qs, path: str) -> list[dict]:
    """Funnel per area one level below the one shown: `path` leads from a
    compound to that area (regions.scope.BREAKDOWN). [{area_id, area_name,
    area_code, total, surveyed, …}] by code, one grouped query over the kept
    summary; compounds without such an area (no community) in one row with
    area_id None."""
    compounds = Compound.objects.filter(pk__in=qs.order_by().values("pk"))
    return _grouped_by_area(compounds, path, _stage_counts())


def _grouped_by_area(rows_qs, path: str, counts: dict) -> list[dict]:
    """One grouped query: `counts` per area that `path` leads to, by area code
    (rows with no such area last, area_id None)."""
    rows = (
        rows_qs.order_by()
        .values(
            area_id=F(f"{path}__id"),
            area_name=F(f"{path}__name"),
            area_code=F(f"{path}__code"),
        )
        .annotate(**counts)
    )
    return sorted(rows, key=lambda r: r["area_code"] or "~")
