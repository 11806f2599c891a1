"""Writes for satisfaction evaluations (成果共享): open, close, and one
response per household; each audited (gaizao.core.audit)."""

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gaizao.core import audit
from gaizao.core.errors import DomainError, ErrorDetail
from gaizao.inventory.permissions import resident_compound_id
from gaizao.works.selectors import accepted as works_accepted

from .. import permissions as perms
from ..models import SATISFACTION_ASPECTS, SatisfactionEvaluation, SatisfactionResponse
from .feedback import MAX_TEXT


def renovation_done(compound) -> bool:
    """Whether the compound's renovation counts as finished for a
    satisfaction evaluation: its works (or its cluster's) passed completion
    acceptance (竣工验收) — the evaluation opens at acceptance, not at plan
    approval (issue 10)."""
    return works_accepted(compound)


def satisfaction_open(
    *, actor, compound, title: str = "", source: str = "web"
) -> SatisfactionEvaluation:
    if not perms.can_do(actor, "satisfaction.manage") or not perms.in_jurisdiction(actor, compound):
        raise PermissionDenied(_("您的角色无权发起满意度评价"))
    title = (title or "").strip()[:128] or f"{compound.name}改造满意度评价"
    if not renovation_done(compound):
        raise DomainError(_("小区改造尚未通过竣工验收,暂不能开展满意度评价"))
    if SatisfactionEvaluation.objects.filter(compound=compound, status="open").exists():
        raise DomainError(_("%(name)s已有进行中的满意度评价") % {"name": compound.name})
    try:
        with transaction.atomic():
            ev = SatisfactionEvaluation.objects.create(
                compound=compound, title=title, opened_by=actor
            )
            audit.record(
                actor=actor,
                instance=ev,
                action="create",
                source=source,
                changes={"compound": compound.pk, "status": ["", "open"]},
            )
            return ev
    except IntegrityError:  # a second click won the race to open one
        raise DomainError(_("%(name)s已有进行中的满意度评价") % {"name": compound.name})


def satisfaction_close(
    *, actor, evaluation: SatisfactionEvaluation, source: str = "web"
) -> SatisfactionEvaluation:
    if not perms.can_do(actor, "satisfaction.manage") or not perms.in_jurisdiction(
        actor, evaluation.compound
    ):
        raise PermissionDenied(_("您的角色无权结束满意度评价"))
    with transaction.atomic():
        n = SatisfactionEvaluation.objects.filter(pk=evaluation.pk, status="open").update(
            status="closed", closed_at=timezone.now(), closed_by=actor
        )
        if not n:
            raise DomainError(_("该评价已经结束"))
        audit.record(
            actor=actor,
            instance=evaluation,
            action="update",
            source=source,
            changes={"status": ["open", "closed"]},
        )
    evaluation.refresh_from_db()
    return evaluation


ASPECT_FIELDS = ["overall"] + [f for f, _label in SATISFACTION_ASPECTS]
ASPECT_LABELS = {"overall": gettext_lazy("总体评价"), **dict(SATISFACTION_ASPECTS)}


def clean_ratings(ratings: dict) -> dict:
    errors = []
    out = {}
    for f in ASPECT_FIELDS:
        v = ratings.get(f)
        try:
            n = int(v)
        except (TypeError, ValueError):
            n = 0
        if not 1 <= n <= 5:
            errors.append(
                ErrorDetail(_("请为“%(aspect)s”打 1–5 星") % {"aspect": ASPECT_LABELS[f]}, field=f)
            )
        out[f] = n
    if errors:
        raise DomainError(
            errors[0].message if len(errors) == 1 else _("请为每一项打 1–5 星"), errors=errors
        )
    return out


def satisfaction_submit(
    *,
    actor,
    evaluation: SatisfactionEvaluation,
    ratings: dict,
    comment: str = "",
    source: str = "web",
) -> tuple[SatisfactionResponse, bool]:
    """One response per household (unit); a second submission while the
    evaluation is open replaces the first. Returns (response, created)."""
    if not perms.can_do(actor, "satisfaction.respond") or not actor.unit_id:
        raise PermissionDenied(_("只有本小区住户可以参加满意度评价"))
    if resident_compound_id(actor) != evaluation.compound_id:
        raise PermissionDenied(_("只能评价本小区"))
    values = clean_ratings(ratings)
    comment = (comment or "").strip()
    if len(comment) > MAX_TEXT:
        raise DomainError(
            _("意见建议不能超过 %(MAX_TEXT)s 字") % {"MAX_TEXT": MAX_TEXT},
            errors=[
                ErrorDetail(_("不能超过 %(MAX_TEXT)s 字") % {"MAX_TEXT": MAX_TEXT}, field="comment")
            ],
        )
    with transaction.atomic():
        # Lock the evaluation so a close and a late submission cannot interleave.
        ev = SatisfactionEvaluation.objects.select_for_update().get(pk=evaluation.pk)
        if ev.status != "open":
            raise DomainError(_("该满意度评价已经结束,不能再提交或修改"), code="closed")
        old = SatisfactionResponse.objects.filter(evaluation=ev, unit_id=actor.unit_id).first()
        before = audit.snapshot(old, ASPECT_FIELDS + ["comment"]) if old else {}
        resp, created = SatisfactionResponse.objects.update_or_create(
            evaluation=ev,
            unit_id=actor.unit_id,
            defaults={**values, "comment": comment, "respondent": actor},
        )
        changes = audit.diff(before, audit.snapshot(resp, ASPECT_FIELDS + ["comment"]))
        audit.record(
            actor=actor,
            instance=resp,
            action="create" if created else "update",
            source=source,
            changes={"evaluation": ev.pk, "unit": actor.unit_id, **changes},
        )
    return resp, created
