"""Keeping `CompoundFacts` up to date (gaizao.core.summaries).

`live(base)` derives every public figure of the compounds in `base` from the
records themselves (surveys, verdicts, plans, votes, milestones, handovers,
feedback, satisfaction answers) in one query with correlated subqueries; it
is what the dashboard used to run on every request. `refresh(ids)` writes its
result into the summary rows of those compounds, and runs inside the writer's
transaction whenever one of those records is saved or deleted: the signal
receivers below map a record to the compounds it speaks for (a cluster's plan
or works speak for every member). Bulk writes in the layers below call
`gaizao.core.summaries.touch` themselves. `rebuild()` re-derives every row
(`gaizao summaries --rebuild`), in primary-key chunks with flat memory.
"""

from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    JSONField,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.db.models.signals import post_delete, post_save, pre_delete

from gaizao.consultation.models import Vote
from gaizao.core import summaries
from gaizao.eligibility.models import Verdict
from gaizao.feedback.models import (
    Feedback,
    FeedbackStatus,
    SatisfactionEvaluation,
    SatisfactionResponse,
)
from gaizao.inventory.models import Compound, Survey
from gaizao.plans.models import ClusterMember, FundingLine, Plan
from gaizao.works.models import CostEntry, Handover, Milestone, Stage, Works

from . import entrytally, tally
from . import selectors as sel
from .models import CompoundFacts, StreetTally

FIELDS = [
    f.name
    for f in CompoundFacts._meta.concrete_fields
    if f.name not in ("compound", "refreshed_at")
]


def _count(qs, key: str = "compound") -> Subquery:
    return Coalesce(
        Subquery(
            qs.order_by().values(key).annotate(n=Count("id")).values("n")[:1],
            output_field=IntegerField(),
        ),
        0,
    )


def _own_or_cluster(qs, path: str = "works__") -> ExpressionWrapper:
    """Whether a row of `qs` belongs to the compound's own works or to its
    cluster's: two index-friendly Exists joined by OR."""
    own = Exists(qs.filter(**{f"{path}compound": OuterRef("pk")}))
    shared = Exists(qs.filter(**{f"{path}cluster__members__compound": OuterRef("pk")}))
    return ExpressionWrapper(Q(own) | Q(shared), output_field=BooleanField())


def _done(stage: str) -> ExpressionWrapper:
    return _own_or_cluster(Milestone.objects.filter(stage=stage, actual_on__isnull=False))


def _first_open(path: str) -> Subquery:
    return Subquery(
        Milestone.objects.filter(actual_on__isnull=True, planned_on__isnull=False)
        .filter(**{path: OuterRef("pk")})
        .order_by()
        .values(path)
        .annotate(d=Min("planned_on"))
        .values("d")[:1]
    )


def _first_done(stage: str, path: str) -> Subquery:
    """The earliest actual date of `stage` among the works reached by `path`."""
    return Subquery(
        Milestone.objects.filter(stage=stage, actual_on__isnull=False)
        .filter(**{path: OuterRef("pk")})
        .order_by()
        .values(path)
        .annotate(d=Min("actual_on"))
        .values("d")[:1]
    )


def live(base):
    """The compounds of `base` with their public figures derived from the
    records (one query; the refresher's source and the tests' oracle)."""
    current = sel.current_plans()
    direct = current.filter(compound=OuterRef("pk")).order_by("-version")
    # The cluster's plan through the compound's one membership (a join on its
    # unique compound column), not through every plan's cluster members: with
    # few or no clusters PostgreSQL scanned all 44,000 plans once per compound
    # for that form (6.8 s of a 500-compound refresh at 220,000 compounds).
    shared = current.filter(cluster_id=OuterRef("f_cluster")).order_by("-version")
    vote = Vote.objects.filter(
        compound=OuterRef("pk"), status=Vote.Status.PUBLISHED, overturned=False
    ).order_by("-published_at", "-id")
    money = DecimalField(max_digits=14, decimal_places=2)
    answers = SatisfactionResponse.objects.filter(evaluation__compound=OuterRef("pk")).order_by()
    return base.annotate(f_cluster=F("cluster_membership__cluster_id")).annotate(
        f_surveyed=Exists(Survey.objects.filter(compound=OuterRef("pk"))),
        f_verdict=Subquery(
            Verdict.objects.filter(compound=OuterRef("pk"), by_default=True).values("verdict")[:1]
        ),
        f_plan_id=Coalesce(Subquery(direct.values("id")[:1]), Subquery(shared.values("id")[:1])),
        f_plan_status=Coalesce(
            Subquery(direct.values("status")[:1]), Subquery(shared.values("status")[:1])
        ),
        f_plan_cost=Coalesce(
            Subquery(direct.values("total_cost")[:1], output_field=money),
            Subquery(shared.values("total_cost")[:1], output_field=money),
        ),
        f_plan_shared=Exists(shared),
        f_started=_done(Stage.START),
        f_completed=_done(Stage.COMPLETION),
        f_accepted=_done(Stage.ACCEPTANCE),
        f_managed=_own_or_cluster(Handover.objects.all()),
        f_due_own=_first_open("works__compound"),
        f_due_shared=_first_open("works__cluster__members__compound"),
        f_start_own=_first_done(Stage.START, "works__compound"),
        f_start_shared=_first_done(Stage.START, "works__cluster__members__compound"),
        f_done_own=_first_done(Stage.COMPLETION, "works__compound"),
        f_done_shared=_first_done(Stage.COMPLETION, "works__cluster__members__compound"),
        f_vote_id=Subquery(vote.values("id")[:1]),
        f_vote_title=Subquery(vote.values("title")[:1]),
        f_vote_result=Subquery(vote.values("result")[:1], output_field=JSONField()),
        f_vote_passed=Subquery(vote.values("passed")[:1]),
        f_feedback_n=_count(Feedback.objects.filter(compound=OuterRef("pk"))),
        f_feedback_closed=_count(
            Feedback.objects.filter(compound=OuterRef("pk"), status=FeedbackStatus.CONFIRMED)
        ),
        f_satisfaction_n=_count(answers, "evaluation__compound"),
        f_satisfaction_ok=_count(answers.filter(overall__gte=4), "evaluation__compound"),
        f_satisfaction_sum=Coalesce(
            Subquery(
                answers.values("evaluation__compound").annotate(s=Sum("overall")).values("s")[:1],
                output_field=IntegerField(),
            ),
            0,
        ),
    )


def progress_flags(path: str = "") -> dict:
    """Whether the compound reached by `path` has started / completed works
    (own or its cluster's), as Q over the kept summary: the programme's
    progress page groups with them in SQL (programme.progress)."""
    return {
        "started": Q(**{f"{path}facts__started": True}),
        "completed": Q(**{f"{path}facts__completed": True}),
    }


def _earliest(*dates):
    dates = [d for d in dates if d is not None]
    return min(dates) if dates else None


def _row(r: dict) -> CompoundFacts:
    return CompoundFacts(
        compound_id=r["id"],
        surveyed=bool(r["f_surveyed"]),
        verdict=r["f_verdict"] or "",
        plan_id=r["f_plan_id"],
        plan_status=r["f_plan_status"] or "",
        plan_cost=r["f_plan_cost"],
        plan_shared=bool(r["f_plan_shared"]),
        vote_id=r["f_vote_id"],
        vote_title=r["f_vote_title"] or "",
        vote_result=r["f_vote_result"],
        vote_passed=r["f_vote_passed"],
        started=bool(r["f_started"]),
        completed=bool(r["f_completed"]),
        accepted=bool(r["f_accepted"]),
        managed=bool(r["f_managed"]),
        next_due_on=_earliest(r["f_due_own"], r["f_due_shared"]),
        started_on=_earliest(r["f_start_own"], r["f_start_shared"]),
        completed_on=_earliest(r["f_done_own"], r["f_done_shared"]),
        feedback_n=r["f_feedback_n"] or 0,
        feedback_closed=r["f_feedback_closed"] or 0,
        satisfaction_n=r["f_satisfaction_n"] or 0,
        satisfaction_sum=r["f_satisfaction_sum"] or 0,
        satisfaction_ok=r["f_satisfaction_ok"] or 0,
    )


LIVE_VALUES = ["id"] + [
    "f_" + n
    for n in (
        "surveyed verdict plan_id plan_status plan_cost plan_shared started completed "
        "accepted managed due_own due_shared start_own start_shared done_own done_shared "
        "vote_id vote_title vote_result vote_passed "
        "feedback_n feedback_closed satisfaction_n satisfaction_sum satisfaction_ok"
    ).split()
]


def refresh(ids: list[int]) -> None:
    """Rewrites the summary rows of these compounds (at most a chunk): one
    read, one delete, one insert. Ids of deleted compounds are skipped."""
    rows = [_row(r) for r in live(Compound.objects.filter(pk__in=ids)).values(*LIVE_VALUES)]
    CompoundFacts.objects.filter(compound_id__in=ids).delete()
    CompoundFacts.objects.bulk_create(rows)
    tally.refresh(ids)  # the per-street tallies read these rows


def rebuild(chunk: int = summaries.CHUNK, progress=None) -> int:
    """Re-derives every compound's row, a chunk of ids per transaction
    (`gaizao summaries --rebuild`; the demo and the bench generators after
    their bulk inserts). Returns the number of compounds."""
    done, last = 0, 0
    total = Compound.objects.count()
    while True:
        ids = list(
            Compound.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:chunk]
        )
        if not ids:
            break
        with transaction.atomic():
            refresh(ids)
        done += len(ids)
        last = ids[-1]
        if progress:
            progress(done, total)
    CompoundFacts.objects.exclude(compound__in=Compound.objects.values("pk")).delete()
    tally.rebuild()  # the per-street tallies beside them (eligibility.tally)
    summaries.bump_version()
    return done


def mismatches(base=None) -> list[int]:
    """Compounds whose kept row differs from what the records say (a check
    for tests and for `gaizao summaries --check`)."""
    base = Compound.objects.all() if base is None else base
    kept = {f.compound_id: f for f in CompoundFacts.objects.filter(compound__in=base.values("pk"))}
    bad = []
    for r in live(base).values(*LIVE_VALUES):
        want = _row(r)
        have = kept.get(r["id"]) or CompoundFacts(compound_id=r["id"])
        if any(getattr(want, f) != getattr(have, f) for f in FIELDS):
            bad.append(r["id"])
    return bad


# --- which compounds a record speaks for ------------------------------------


def _members(cluster_id) -> list[int]:
    if not cluster_id:
        return []
    return list(
        ClusterMember.objects.filter(cluster_id=cluster_id).values_list("compound_id", flat=True)
    )


def _of_works(works_id) -> list[int]:
    w = Works.objects.filter(pk=works_id).values("compound_id", "cluster_id").first()
    if w is None:
        return []
    return [w["compound_id"]] if w["compound_id"] else _members(w["cluster_id"])


def _compounds_of(instance) -> list[int]:
    if isinstance(instance, Survey | Verdict | Vote | Feedback | ClusterMember):
        return [instance.compound_id]
    if isinstance(instance, Plan | Works):
        return [instance.compound_id] if instance.compound_id else _members(instance.cluster_id)
    if isinstance(instance, Milestone | Handover | CostEntry):
        return _of_works(instance.works_id)
    if isinstance(instance, FundingLine):
        # The street's kept money (disclosure.tally): a compound's own plan.
        p = Plan.objects.filter(pk=instance.plan_id).values("compound_id", "cluster_id").first()
        if p is None:
            return []
        return [p["compound_id"]] if p["compound_id"] else _members(p["cluster_id"])
    if isinstance(instance, SatisfactionResponse):
        ev = SatisfactionEvaluation.objects.filter(pk=instance.evaluation_id).first()
        return [ev.compound_id] if ev else []
    return []


WATCHED = (
    Survey,
    Verdict,
    Vote,
    Feedback,
    ClusterMember,
    Plan,
    Works,
    Milestone,
    Handover,
    SatisfactionResponse,
    FundingLine,
    CostEntry,
)


def _deleting() -> set:
    if not hasattr(connection, "_gaizao_deleting_compounds"):
        connection._gaizao_deleting_compounds = set()
    return connection._gaizao_deleting_compounds


def _on_change(sender, instance, raw=False, **kwargs):
    if raw:  # loaddata
        return
    gone = _deleting()
    summaries.touch(i for i in _compounds_of(instance) if i not in gone)


def _compound_deleting(sender, instance, **kwargs):
    # A compound's own records are deleted with it (cascade): re-deriving
    # its row in between would write a row the cascade no longer removes.
    _deleting().add(instance.pk)


def _compound_deleted(sender, instance, **kwargs):
    _deleting().discard(instance.pk)


def connect() -> None:
    for model in WATCHED:
        post_save.connect(_on_change, sender=model, dispatch_uid=f"facts-save-{model.__name__}")
        post_delete.connect(_on_change, sender=model, dispatch_uid=f"facts-del-{model.__name__}")
    pre_delete.connect(_compound_deleting, sender=Compound, dispatch_uid="facts-compound-pre")
    post_delete.connect(_compound_deleted, sender=Compound, dispatch_uid="facts-compound-post")
    summaries.register(refresh)
    tally.connect()
    entrytally.connect()


def first_fill(sender, using="default", **kwargs):
    """post_migrate: the first migrate after the kept summary arrived derives
    it for the compounds already there (later on, every write keeps it)."""
    if not CompoundFacts.objects.using(using).exists() and Compound.objects.using(using).exists():
        rebuild()
    elif not StreetTally.objects.using(using).exists() and Compound.objects.using(using).exists():
        tally.rebuild()
