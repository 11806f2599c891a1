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
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    FloatField,
    IntegerField,
    JSONField,
    OuterRef,
    Q,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gaizao.consultation.models import Vote
from gaizao.eligibility.models import Verdict
from gaizao.feedback.models import Feedback, FeedbackStatus, SatisfactionResponse
from gaizao.inventory.models import Compound, Survey
from gaizao.inventory.permissions import compound_q
from gaizao.plans.models import FundingLine, FundingSource, Plan, PlanStatus
from gaizao.programme.models import Entry
from gaizao.works.models import Handover, Milestone, Stage

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
STAGE_Q = {
    "surveyed": Q(surveyed=True),
    "eligible": Q(verdict="eligible"),
    "planned": Q(plan_status__isnull=False),
    "voted": Q(vote_passed=True),
    "approved": Q(plan_status=PlanStatus.APPROVED),
    "started": Q(started=True),
    "completed": Q(completed=True),
    "accepted": Q(accepted=True),
    "managed": Q(managed=True),
    "late": Q(late=True),
}
FLAG_FIELDS = ("surveyed", "verdict", "plan_status", "vote_passed") + tuple(
    k for k, _l in STAGES[5:]
)


def _count(qs, key: str = "compound") -> Subquery:
    return Coalesce(
        Subquery(
            qs.order_by().values(key).annotate(n=Count("id")).values("n")[:1],
            output_field=IntegerField(),
        ),
        0,
    )


def _current_plans():
    return Plan.objects.exclude(status=PlanStatus.SUPERSEDED)


def _own_or_cluster(qs, path: str = "works__") -> ExpressionWrapper:
    """Whether a row of `qs` belongs to the compound's own works or to its
    cluster's: two index-friendly Exists joined by OR (one Exists over an OR
    of two joins scans every row for each compound)."""
    own = Exists(qs.filter(**{f"{path}compound": OuterRef("pk")}))
    shared = Exists(qs.filter(**{f"{path}cluster__members__compound": OuterRef("pk")}))
    return ExpressionWrapper(Q(own) | Q(shared), output_field=BooleanField())


def _milestone_done(stage: str) -> ExpressionWrapper:
    return _own_or_cluster(Milestone.objects.filter(stage=stage, actual_on__isnull=False))


def late_milestones():
    """Open milestones whose planned date has passed (the responsibility list's
    overdue rows, works.selectors.responsibility_rows)."""
    return Milestone.objects.filter(actual_on__isnull=True, planned_on__lt=timezone.localdate())


def annotated_compounds(base=None):
    """Compounds with the public figures of each, in SQL (a fixed number of
    queries whatever the count). `plan_*` is the compound's current plan, its
    own or its cluster's; `vote_*` the latest published, standing vote."""
    base = Compound.objects.all() if base is None else base
    direct = _current_plans().filter(compound=OuterRef("pk")).order_by("-version")
    shared = _current_plans().filter(cluster__members__compound=OuterRef("pk")).order_by("-version")
    vote = Vote.objects.filter(
        compound=OuterRef("pk"), status=Vote.Status.PUBLISHED, overturned=False
    ).order_by("-published_at", "-id")
    money = DecimalField(max_digits=14, decimal_places=2)
    return base.select_related("street", "community").annotate(
        surveyed=Exists(Survey.objects.filter(compound=OuterRef("pk"))),
        verdict=Subquery(
            Verdict.objects.filter(compound=OuterRef("pk"), by_default=True).values("verdict")[:1]
        ),
        plan_id_=Coalesce(Subquery(direct.values("id")[:1]), Subquery(shared.values("id")[:1])),
        plan_status=Coalesce(
            Subquery(direct.values("status")[:1]), Subquery(shared.values("status")[:1])
        ),
        plan_cost=Coalesce(
            Subquery(direct.values("total_cost")[:1], output_field=money),
            Subquery(shared.values("total_cost")[:1], output_field=money),
        ),
        plan_shared=Exists(shared),
        started=_milestone_done(Stage.START),
        completed=_milestone_done(Stage.COMPLETION),
        accepted=_milestone_done(Stage.ACCEPTANCE),
        managed=_own_or_cluster(Handover.objects.all()),
        late=_own_or_cluster(late_milestones()),
        vote_id_=Subquery(vote.values("id")[:1]),
        vote_title=Subquery(vote.values("title")[:1]),
        vote_result=Subquery(vote.values("result")[:1], output_field=JSONField()),
        vote_passed=Subquery(vote.values("passed")[:1]),
        feedback_n=_count(Feedback.objects.filter(compound=OuterRef("pk"))),
        feedback_closed=_count(
            Feedback.objects.filter(compound=OuterRef("pk"), status=FeedbackStatus.CONFIRMED)
        ),
        satisfaction_n=_count(
            SatisfactionResponse.objects.filter(evaluation__compound=OuterRef("pk")),
            "evaluation__compound",
        ),
        satisfaction_avg=Subquery(
            SatisfactionResponse.objects.filter(evaluation__compound=OuterRef("pk"))
            .order_by()
            .values("evaluation__compound")
            .annotate(a=Avg("overall"))
            .values("a")[:1],
            output_field=FloatField(),
        ),
    )


def filter_compounds(
    qs, *, stage: str = "", street=None, q: str = "", funding: str = "", batch=None
):
    """The filters shared by the drill-down list, the portal search and the
    map: stage (STAGES key or "late"), street (Area id), batch (programme
    Batch id), name/street text, funding source."""
    if stage in STAGE_Q:
        qs = qs.filter(STAGE_Q[stage])
    if street:
        qs = qs.filter(street_id=street)
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


def _stage_rows(qs):
    """(street_id, street name, street code, reached) per compound: one query.
    Counted in Python: Django folds several filtered Count()s over Exists
    annotations into a wrong aggregate (seen on 5.2), and 5,000 small tuples
    cost a few milliseconds."""
    for sid, name, code, *flags in qs.order_by().values_list(
        "street_id",
        "street__name",
        "street__code",
        *FLAG_FIELDS,
    ):
        yield sid, name, code, reached_stages(*flags)


def funnel(qs) -> list[dict]:
    """[{key, label, n}] over an annotated queryset: one query."""
    counts = {k: 0 for k, _l in STAGES}
    total = 0
    for _sid, _n, _c, reached in _stage_rows(qs):
        total += 1
        for k, v in reached.items():
            counts[k] += v
    return [{"key": "all", "label": _("小区总数"), "n": total}] + [
        {"key": k, "label": label, "n": counts[k]} for k, label in STAGES
    ]


def funding_by_source(compound_ids) -> list[dict]:
    """Planned funding of the current plans touching these compounds, by
    source, in yuan (Decimal, exact)."""
    plans = _current_plans().filter(
        Q(compound__in=compound_ids) | Q(cluster__members__compound__in=compound_ids)
    )
    rows = (
        FundingLine.objects.filter(plan__in=plans.values("id"))
        .values("source")
        .annotate(amount=Sum("amount"))
    )
    got = {r["source"]: r["amount"] or Decimal("0") for r in rows}
    return [
        {"key": s.value, "label": s.label, "amount": got.get(s.value, Decimal("0"))}
        for s in FundingSource
    ]


def satisfaction(compound_ids) -> dict:
    """Overall satisfaction (1–5 stars) of the compounds' evaluations."""
    agg = SatisfactionResponse.objects.filter(evaluation__compound__in=compound_ids).aggregate(
        n=Count("id"), avg=Avg("overall"), satisfied=Count("id", filter=Q(overall__gte=4))
    )
    return agg


def by_street(qs) -> list[dict]:
    """Funnel per street: [{street_id, street__name, total, surveyed, …}]."""
    rows: dict = {}
    for sid, name, code, reached in _stage_rows(qs):
        r = rows.setdefault(
            sid,
            {"street_id": sid, "street__name": name, "street__code": code, "total": 0}
            | {k: 0 for k, _l in STAGES},
        )
        r["total"] += 1
        for k, v in reached.items():
            r[k] += v
    return sorted(rows.values(), key=lambda r: r["street__code"] or "")
