"""Reads for feedback and satisfaction, scoped through permissions.py,
with the joins done here (STYLE.md habit 3). `summarise_satisfaction` is a
pure function over plain data."""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gaizao.core.masking import mask_name
from gaizao.core.sorting import unit_key
from gaizao.inventory.models import Unit

from . import permissions as perms
from .models import (
    SATISFACTION_ASPECTS,
    Feedback,
    FeedbackEvent,
    FeedbackStatus,
    ResponsibleParty,
    SatisfactionEvaluation,
    SatisfactionResponse,
)

S = FeedbackStatus
OPEN_STATES = [S.OPEN, S.ACCEPTED, S.REOPENED]
LIST_RELATED = (
    "compound__street",
    "compound__community",
    "responsible_org",
    "reporter",
    "unit__building",
)


def overdue_q(today=None) -> Q:
    """Still owed an answer by the responsible side and past its due date."""
    today = today or timezone.localdate()
    return Q(status__in=OPEN_STATES, due_on__lt=today)


def is_overdue(fb, today=None) -> bool:
    today = today or timezone.localdate()
    return fb.status in OPEN_STATES and fb.due_on < today


def feedback_queue(
    user,
    *,
    status: str = "",
    category: str = "",
    overdue: bool = False,
    compound_id=None,
    mine: bool = False,
):
    """The staff queue: everything the user may see, filtered; overdue first."""
    qs = perms.feedback_for_user(user).select_related(*LIST_RELATED)
    if status in S.values:
        qs = qs.filter(status=status)
    elif status == "active":
        qs = qs.filter(status__in=OPEN_STATES + [S.FIXED])
    if category:
        qs = qs.filter(category=category)
    if overdue:
        qs = qs.filter(overdue_q())
    if compound_id:
        qs = qs.filter(compound_id=compound_id)
    if mine and user.organisation_id:
        qs = qs.filter(responsible_org_id=user.organisation_id)
    return qs.order_by("due_on", "-id") if overdue else qs.order_by("-created_at", "-id")


def waiting_for_staff(user):
    """Items the user's side still owes an answer (受理 or 整改): open,
    accepted or reopened in their jurisdiction; for a company, those routed
    to it. Residents have none (their "问题解决了吗?" is awaiting_my_answer)."""
    if perms.has_resident_role(user):
        return Feedback.objects.none()
    qs = perms.feedback_for_user(user).filter(status__in=OPEN_STATES)
    if user.organisation_id:
        qs = qs.filter(responsible_org_id=user.organisation_id)
    return qs


def my_feedback(user):
    return (
        perms.feedback_for_user(user)
        .filter(reporter=user)
        .select_related("responsible_org")
        .order_by("-created_at", "-id")
    )


def awaiting_my_answer(user):
    """Items marked fixed that the reporter has not yet confirmed or reopened."""
    return my_feedback(user).filter(status=S.FIXED)


def attach_fix_reports(items) -> list:
    """Set `fix_event` on each item: its latest 整改完成 event with the
    after-photos, so "问题解决了吗?" shows what was done. Two queries for
    any number of items."""
    items = list(items)
    by_id = {fb.pk: fb for fb in items}
    for fb in items:
        fb.fix_event = None
    events = (
        FeedbackEvent.objects.filter(feedback_id__in=by_id, action=FeedbackEvent.Action.FIX)
        .prefetch_related("photos")
        .order_by("at", "id")
    )
    for ev in events:
        by_id[ev.feedback_id].fix_event = ev  # the latest wins
    return items


def report_photos(fb):
    """The reporter's photos (after-photos are shown with their 整改 event)."""
    return fb.photos.filter(event__isnull=True)


def answer_units(fb):
    """Households of the feedback's compound, for staff recording an answer
    on a resident's behalf (which owner confirmed or objected)."""
    units = Unit.objects.filter(building__compound_id=fb.compound_id).select_related("building")
    return sorted(units, key=lambda u: unit_key(u.building.number, u.entrance, u.number))


def compound_feedback_for_resident(user, limit: int = 30):
    """Others' items in the resident's compound (shown without reporter)."""
    return (
        perms.feedback_for_user(user)
        .exclude(reporter=user)
        .select_related("responsible_org")
        .order_by("-created_at", "-id")[:limit]
    )


def queue_counts(user) -> dict:
    return perms.feedback_for_user(user).aggregate(
        open=Count("id", filter=Q(status__in=OPEN_STATES)),
        overdue=Count("id", filter=overdue_q()),
        fixed=Count("id", filter=Q(status=S.FIXED)),
        confirmed=Count("id", filter=Q(status=S.CONFIRMED)),
    )


def reporter_label(user, fb) -> str:
    """The reporter as this user may see them (个人信息保护法)."""
    level = perms.sees_reporter(user, fb)
    if level == "none":
        return _("本小区居民")
    name = fb.reporter_name or (str(fb.reporter) if fb.reporter_id else "")
    unit = ""
    if fb.unit_id and fb.unit is not None:
        unit = f"{fb.unit.building.number}{fb.unit}"
    if unit and unit in name:
        # Account names like "1栋1单元101住户" (made at code redemption) are
        # the unit, not a person: nothing to mask, the unit says it all.
        name, unit = "", unit
    if level == "masked":
        name = mask_name(name)
    label = " ".join(x for x in [name, unit] if x)
    if fb.assisted:
        label += _("(工作人员代登记)")
    return label or "—"


def timeline(fb):
    return (
        fb.events.select_related("actor__organisation", "unit__building")
        .prefetch_related("photos")
        .order_by("at", "id")
    )


def actor_label(viewer, event, fb) -> str:
    """Who did it, as the viewer may see it: residents see roles, not names."""
    a = event.actor
    if a is None:
        return _("系统")
    if fb.reporter_id and a.pk == fb.reporter_id:
        return (
            _("反映人")
            if perms.sees_reporter(viewer, fb) == "none"
            else (
                _("我")
                if a.pk == viewer.pk
                else _("反映人 %(name)s") % {"name": reporter_label(viewer, fb)}
            )
        )
    org = a.organisation.name if a.organisation_id else ""
    if perms.has_resident_role(viewer):
        return org or a.role_label or _("工作人员")
    who = str(a)
    # A display name such as "金碧物业管理有限公司 客服" already names the
    # organisation: don't say it twice.
    if org and who.startswith(org):
        return who
    return " ".join(x for x in [org or a.role_label, who] if x)


# Satisfaction ------------------------------------------------------------------


def evaluations_list(user):
    return (
        perms.evaluations_for_user(user)
        .select_related("compound__street", "compound__community")
        .order_by("-created_at", "-id")
    )


def open_evaluations_for_resident(user):
    return perms.evaluations_for_user(user).filter(status="open").select_related("compound")


def open_evaluations_with_answer(user) -> list:
    """Open evaluations of the resident's compound, each with `answered`
    (their household has rated): for the resident home page. Two queries."""
    evaluations = list(open_evaluations_for_resident(user))
    done = set()
    if user.unit_id and evaluations:
        done = set(
            SatisfactionResponse.objects.filter(
                evaluation__in=evaluations, unit_id=user.unit_id
            ).values_list("evaluation_id", flat=True)
        )
    for ev in evaluations:
        ev.answered = ev.pk in done
    return evaluations


def my_response(user, evaluation):
    if not user.unit_id:
        return None
    return SatisfactionResponse.objects.filter(evaluation=evaluation, unit_id=user.unit_id).first()


ASPECTS = [("overall", gettext_lazy("总体评价"))] + SATISFACTION_ASPECTS


@dataclass
class AspectResult:
    field: str
    label: str
    average: float | None
    distribution: dict  # stars (1–5) → count
    satisfied_share: float | None  # share of responses with ≥ 4 stars


def summarise_satisfaction(responses: list[dict], households: int, min_responses: int = 1) -> dict:
    """Pure: averages, distributions and shares satisfied (≥ 4 stars) per
    aspect, and the response rate by households. No personal data.

    Below `min_responses` answers the scores are withheld (averages and shares
    None, distributions all zero, `withheld` True): on a small compound one
    household's score would otherwise be readable by its neighbours."""
    n = len(responses)
    withheld = n < min_responses
    aspects = []
    for field, label in ASPECTS:
        values = [] if withheld else [int(r[field]) for r in responses if r.get(field)]
        dist = {k: 0 for k in range(1, 6)}
        for v in values:
            dist[v] += 1
        aspects.append(
            AspectResult(
                field=field,
                label=str(label),
                average=round(sum(values) / len(values), 2) if values else None,
                distribution=dist,
                satisfied_share=round(sum(1 for v in values if v >= 4) / len(values), 4)
                if values
                else None,
            )
        )
    return {
        "responses": n,
        "households": households,
        "response_rate": round(n / households, 4) if households else None,
        "aspects": aspects,
        "withheld": withheld,
        "min_responses": min_responses,
    }


def satisfaction_results(evaluation: SatisfactionEvaluation) -> dict:
    rows = list(
        SatisfactionResponse.objects.filter(evaluation=evaluation).values(
            *[f for f, _label in ASPECTS]
        )
    )
    households = Unit.objects.filter(building__compound_id=evaluation.compound_id).count()
    households = households or (evaluation.compound.households or 0)
    return summarise_satisfaction(
        rows, households, min_responses=settings.GAIZAO_SATISFACTION_MIN_RESPONSES
    )


def satisfaction_export_rows(evaluation):
    """Staff export: one row per household answer (unit, no owner names)."""
    qs = SatisfactionResponse.objects.filter(evaluation=evaluation).select_related("unit__building")
    rows = sorted(
        qs, key=lambda r: unit_key(r.unit.building.number, r.unit.entrance, r.unit.number)
    )
    for r in rows:
        yield [
            f"{r.unit.building.number}{r.unit}",
            r.overall,
            r.quality,
            r.content,
            r.civility,
            r.management,
            r.comment,
            timezone.localtime(r.updated_at).strftime("%Y-%m-%d %H:%M"),
        ]


def responsible_parties(compound):
    """The compound's responsible parties (one per kind), with their organisations."""
    return ResponsibleParty.objects.filter(compound=compound).select_related("organisation")
