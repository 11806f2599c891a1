"""Writes for feedback and satisfaction evaluations (STYLE.md habit 1):
validated, inside transaction.atomic(), one timeline event per transition."""

import uuid
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gaizao.core.errors import DomainError, ErrorDetail
from gaizao.core.uploads import image_extension
from gaizao.inventory.permissions import resident_compound_id
from gaizao.regions.models import Organisation

from . import permissions_feedback as perms
from .models import (
    SATISFACTION_ASPECTS,
    Feedback,
    FeedbackCategory,
    FeedbackEvent,
    FeedbackPhoto,
    FeedbackStatus,
    ResponsibleParty,
    SatisfactionEvaluation,
    SatisfactionResponse,
)

C = FeedbackCategory
S = FeedbackStatus

# Routing by category: who answers for it (DESIGN.md: every stage has a
# responsible organisation). Construction → the compound's contractor;
# management → the managing organisation; pipes, power, gas → the utility;
# each falls back to the community committee, which always exists.
CONSTRUCTION = {
    C.CONSTRUCTION_QUALITY,
    C.CONSTRUCTION_SAFETY,
    C.NOISE_DUST,
    C.PROGRESS,
    C.CIVILISED,
}
MANAGEMENT = {C.PROPERTY_SERVICE, C.FACILITY_DAMAGE}
UTILITIES = {C.UTILITIES}

# Time limit per category, in days (层层压实责任): safety first.
SLA_DAYS = {
    C.CONSTRUCTION_SAFETY: 1,
    C.NOISE_DUST: 2,
    C.CIVILISED: 3,
    C.UTILITIES: 3,
    C.PROPERTY_SERVICE: 3,
    C.CONSTRUCTION_QUALITY: 5,
    C.FACILITY_DAMAGE: 5,
    C.PROGRESS: 7,
    C.OTHER: 7,
}
OPEN_STATES = {S.OPEN, S.ACCEPTED, S.REOPENED}  # the responsible side owes an answer

MAX_PHOTOS = 9
MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_TEXT = 2000


def auto_confirm_days() -> int:
    """Days a reporter has to answer "问题解决了吗?" before it counts as yes."""
    return int(getattr(settings, "GAIZAO_FEEDBACK_AUTO_CONFIRM_DAYS", 7))


def community_organisation(compound) -> Organisation:
    """The community committee of the compound's community, made on demand;
    the street office when the compound has no community on record."""
    area = compound.community or compound.street
    kind = (
        Organisation.Kind.COMMUNITY_COMMITTEE
        if compound.community_id
        else Organisation.Kind.STREET_OFFICE
    )
    org, _created = Organisation.objects.get_or_create(
        kind=kind, area=area, defaults={"name": area.name}
    )
    return org


def route(compound, category: str) -> Organisation:
    """The organisation responsible for a feedback item of this category."""
    if category in CONSTRUCTION or category in UTILITIES:
        kind = (
            ResponsibleParty.Kind.CONTRACTOR
            if category in CONSTRUCTION
            else ResponsibleParty.Kind.UTILITY
        )
        party = (
            ResponsibleParty.objects.filter(compound=compound, kind=kind)
            .select_related("organisation")
            .first()
        )
        if party is not None:
            return party.organisation
    elif category in MANAGEMENT:
        manager = compound.property_company or compound.property_rights_unit
        if manager is not None:
            return manager
    return community_organisation(compound)


def due_date(category: str, start: date) -> date:
    return start + timedelta(days=SLA_DAYS.get(category, 7))


def check_photos(files) -> list:
    """Every photo must be an image of at most 10 MB, judged by its first
    bytes (gaizao.core.uploads), not its name or the browser's content type;
    all problems at once. Each accepted file is renamed after its real type,
    so a page passed off as "x.jpg" is never stored as one."""
    files = [f for f in (files or []) if f]
    errors = []
    if len(files) > MAX_PHOTOS:
        errors.append(
            ErrorDetail(
                _("最多上传 %(MAX_PHOTOS)s 张照片") % {"MAX_PHOTOS": MAX_PHOTOS}, field="photos"
            )
        )
    for f in files:
        name = getattr(f, "name", "") or _("照片")
        if f.size > MAX_PHOTO_BYTES:
            errors.append(
                ErrorDetail(
                    _("照片“%(name)s”超过 10 MB,请压缩后再传") % {"name": name}, field="photos"
                )
            )
            continue
        f.seek(0)
        ext = image_extension(f.read(32))
        f.seek(0)
        if ext is None:
            errors.append(
                ErrorDetail(
                    _("“%(name)s”不是图片,只能上传 JPG、PNG、GIF、WEBP 或 HEIC 照片")
                    % {"name": name},
                    field="photos",
                )
            )
            continue
        f.name = f"{uuid.uuid4().hex}{ext}"
    if errors:
        raise DomainError(
            errors[0].message
            if len(errors) == 1
            else _("照片有误:") + ";".join(e.message for e in errors),
            errors=errors,
        )
    return files


def _clean_text(text: str, place: str, category: str) -> tuple[str, str]:
    errors = []
    text = (text or "").strip()
    place = (place or "").strip()
    if category not in C.values:
        errors.append(ErrorDetail(_("请选择问题类别"), field="category"))
    if not text:
        errors.append(ErrorDetail(_("请写明遇到的问题"), field="text"))
    elif len(text) > MAX_TEXT:
        errors.append(
            ErrorDetail(
                _("问题描述不能超过 %(MAX_TEXT)s 字") % {"MAX_TEXT": MAX_TEXT}, field="text"
            )
        )
    if len(place) > 200:
        errors.append(ErrorDetail(_("位置不能超过 200 字"), field="place"))
    if errors:
        raise DomainError(
            errors[0].message if len(errors) == 1 else _("请检查填写的内容"), errors=errors
        )
    return text, place


def feedback_create(
    *,
    actor,
    category: str,
    text: str,
    place: str = "",
    photos=(),
    compound=None,
    reporter_name: str = "",
    reporter_phone: str = "",
) -> Feedback:
    """A resident reports on their own compound; jurisdiction staff record
    for a resident (assisted) on a compound of their area."""
    text, place = _clean_text(text, place, category)
    photos = check_photos(photos)
    if perms.is_resident(actor):
        if not perms.can_do(actor, "feedback.report") or not resident_compound_id(actor):
            raise PermissionDenied(_("您的账号没有绑定住户,不能提交反馈"))
        from gaizao.inventory.models import Compound

        own = Compound.objects.select_related(
            "street", "community", "property_company", "property_rights_unit"
        ).get(pk=resident_compound_id(actor))
        if compound is not None and compound.pk != own.pk:
            raise PermissionDenied(_("只能反映本小区的问题"))
        compound, assisted, reporter = own, False, actor
        unit_id = actor.unit_id
    else:
        if compound is None:
            raise DomainError(
                _("请选择小区"), errors=[ErrorDetail(_("请选择小区"), field="compound")]
            )
        if not perms.can_do(actor, "feedback.record_assisted") or not perms.in_jurisdiction(
            actor, compound
        ):
            raise PermissionDenied(_("您的角色无权代居民登记反馈"))
        if not (reporter_name or "").strip():
            raise DomainError(
                _("代为登记时请填写反映人姓名"),
                errors=[ErrorDetail(_("请填写反映人姓名"), field="reporter_name")],
            )
        assisted, reporter, unit_id = True, None, None
    today = timezone.localdate()
    with transaction.atomic():
        # A double tap (or a resend on a slow phone) must not file the same
        # problem twice: the same text from the same person on the same
        # compound within ten minutes is the same report. The compound row
        # lock makes two simultaneous presses wait for each other.
        type(compound).objects.select_for_update().filter(pk=compound.pk).first()
        same = (
            Feedback.objects.filter(
                compound=compound,
                recorded_by=actor,
                category=category,
                text=text,
                created_at__gte=timezone.now() - timedelta(minutes=10),
            )
            .order_by("id")
            .first()
        )
        if same is not None:
            raise DomainError(
                _("您刚刚已提交过相同的反映(编号 %(n)s),无需重复提交") % {"n": same.pk},
                code="feedback_duplicate",
            )
        fb = Feedback.objects.create(
            compound=compound,
            reporter=reporter,
            unit_id=unit_id,
            assisted=assisted,
            recorded_by=actor,
            reporter_name=(reporter_name or "").strip()[:64],
            reporter_phone=(reporter_phone or "").strip()[:32],
            category=category,
            text=text,
            place=place,
            status=S.OPEN,
            responsible_org=route(compound, category),
            due_on=due_date(category, today),
        )
        for f in photos:
            FeedbackPhoto.objects.create(feedback=fb, image=f)
        FeedbackEvent.objects.create(
            feedback=fb,
            actor=actor,
            action=FeedbackEvent.Action.CREATE,
            from_status="",
            to_status=S.OPEN,
            assisted=assisted,
        )
    return fb


def feedback_transition(*, actor, feedback: Feedback, action: str, comment: str = "") -> Feedback:
    """accept / fix / confirm / reopen, per permissions_feedback.TRANSITIONS."""
    comment = (comment or "").strip()
    if len(comment) > MAX_TEXT:
        raise DomainError(_("说明不能超过 %(MAX_TEXT)s 字") % {"MAX_TEXT": MAX_TEXT})
    perms.authorize_transition(actor, feedback, action)
    with transaction.atomic():
        # Lock the row and check again: two people clicking at once must not
        # both move it (e.g. a reporter's 没解决 racing the auto-confirm).
        fb = Feedback.objects.select_for_update().get(pk=feedback.pk)
        fb.compound = feedback.compound
        perms.authorize_transition(actor, fb, action)
        before = fb.status
        fb.status = perms.TRANSITIONS[action][1]
        now = timezone.now()
        fields = ["status", "updated_at"]
        if action == "fix":
            fb.fixed_at = now
            fields.append("fixed_at")
        elif action == "confirm":
            fb.closed_at = now
            fields.append("closed_at")
        elif action == "reopen":
            # The responsible side gets a fresh time limit for the second try.
            fb.due_on = due_date(fb.category, timezone.localdate())
            fb.fixed_at = None
            fields += ["due_on", "fixed_at"]
        fb.save(update_fields=fields)
        assisted = action in ("confirm", "reopen") and fb.reporter_id != actor.pk
        FeedbackEvent.objects.create(
            feedback=fb,
            actor=actor,
            action=action,
            from_status=before,
            to_status=fb.status,
            comment=comment,
            assisted=assisted,
        )
    feedback.status, feedback.fixed_at, feedback.closed_at, feedback.due_on = (
        fb.status,
        fb.fixed_at,
        fb.closed_at,
        fb.due_on,
    )
    return feedback


def feedback_add_photos(*, actor, feedback: Feedback, photos) -> list[FeedbackPhoto]:
    """The reporter (or the worker who recorded it) adds photos while open."""
    if not (
        feedback.reporter_id == actor.pk
        or (feedback.assisted and feedback.recorded_by_id == actor.pk)
    ):
        raise PermissionDenied(_("只有反映人可以补充照片"))
    if feedback.status == S.CONFIRMED:
        raise DomainError(_("此反馈已办结,不能再补充照片"))
    photos = check_photos(photos)
    if not photos:
        raise DomainError(_("请选择照片"), errors=[ErrorDetail(_("请选择照片"), field="photos")])
    with transaction.atomic():
        if feedback.photos.count() + len(photos) > MAX_PHOTOS:
            raise DomainError(_("每条反馈最多 %(MAX_PHOTOS)s 张照片") % {"MAX_PHOTOS": MAX_PHOTOS})
        return [FeedbackPhoto.objects.create(feedback=feedback, image=f) for f in photos]


def feedback_auto_confirm(*, now=None, days: int | None = None) -> list[Feedback]:
    """Items fixed more than `days` ago without an answer count as resolved."""
    now = now or timezone.now()
    days = auto_confirm_days() if days is None else days
    cutoff = now - timedelta(days=days)
    done = []
    with transaction.atomic():
        qs = Feedback.objects.select_for_update().filter(status=S.FIXED, fixed_at__lte=cutoff)
        for fb in qs:
            fb.status, fb.closed_at, fb.auto_confirmed = S.CONFIRMED, now, True
            fb.save(update_fields=["status", "closed_at", "auto_confirmed", "updated_at"])
            FeedbackEvent.objects.create(
                feedback=fb,
                actor=None,
                action=FeedbackEvent.Action.AUTO_CONFIRM,
                from_status=S.FIXED,
                to_status=S.CONFIRMED,
                comment=f"反映人 {days} 天内未答复,视为已解决",
            )
            done.append(fb)
    return done


def responsible_party_set(*, actor, compound, kind: str, organisation) -> ResponsibleParty | None:
    """Assign (or, with organisation None, clear) a compound's contractor or utility."""
    if not perms.can_do(actor, "feedback.assign_party") or not perms.in_jurisdiction(
        actor, compound
    ):
        raise PermissionDenied(_("您的角色无权指定责任单位"))
    if kind not in ResponsibleParty.Kind.values:
        raise DomainError(_("责任单位类别不正确"))
    expected = {"contractor": Organisation.Kind.CONTRACTOR, "utility": Organisation.Kind.UTILITY}
    with transaction.atomic():
        if organisation is None:
            ResponsibleParty.objects.filter(compound=compound, kind=kind).delete()
            return None
        if organisation.kind != expected[kind]:
            raise DomainError(
                _("“%(organisation)s”不是%(label)s")
                % {"organisation": organisation, "label": ResponsibleParty.Kind(kind).label}
            )
        party, _created = ResponsibleParty.objects.update_or_create(
            compound=compound, kind=kind, defaults={"organisation": organisation}
        )
    return party


# Satisfaction ------------------------------------------------------------------


def renovation_done(compound) -> bool:
    """Whether the compound's renovation counts as finished for a
    satisfaction evaluation. There is no works app yet, so the nearest fact
    is an approved plan (一院一策) for the compound or for its cluster. When
    the works app arrives this gate moves to 竣工验收 (completion acceptance)."""
    from gaizao.plans.models import PlanStatus
    from gaizao.plans.selectors import (
        cluster_of,
        current_plan_for_cluster,
        current_plan_for_compound,
    )

    plan = current_plan_for_compound(compound)
    if plan is not None and plan.status == PlanStatus.APPROVED:
        return True
    cluster = cluster_of(compound)
    plan = current_plan_for_cluster(cluster) if cluster is not None else None
    return plan is not None and plan.status == PlanStatus.APPROVED


def satisfaction_open(*, actor, compound, title: str = "") -> SatisfactionEvaluation:
    if not perms.can_do(actor, "satisfaction.manage") or not perms.in_jurisdiction(actor, compound):
        raise PermissionDenied(_("您的角色无权发起满意度评价"))
    title = (title or "").strip()[:128] or f"{compound.name}改造满意度评价"
    if not renovation_done(compound):
        raise DomainError(_("小区改造尚未完成(方案尚未审批),暂不能开展满意度评价"))
    if SatisfactionEvaluation.objects.filter(compound=compound, status="open").exists():
        raise DomainError(_("%(name)s已有进行中的满意度评价") % {"name": compound.name})
    try:
        with transaction.atomic():
            return SatisfactionEvaluation.objects.create(
                compound=compound, title=title, opened_by=actor
            )
    except IntegrityError:  # a second click won the race to open one
        raise DomainError(_("%(name)s已有进行中的满意度评价") % {"name": compound.name})


def satisfaction_close(*, actor, evaluation: SatisfactionEvaluation) -> SatisfactionEvaluation:
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
    *, actor, evaluation: SatisfactionEvaluation, ratings: dict, comment: str = ""
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
        resp, created = SatisfactionResponse.objects.update_or_create(
            evaluation=ev,
            unit_id=actor.unit_id,
            defaults={**values, "comment": comment, "respondent": actor},
        )
    return resp, created
