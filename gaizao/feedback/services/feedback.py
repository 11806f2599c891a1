"""Writes for feedback items (STYLE.md habit 2): validated, inside
transaction.atomic(), each with an entry in the shared audit trail
(gaizao.core.audit) and, for the resident-visible timeline, a FeedbackEvent."""

import uuid
from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gaizao.core import audit
from gaizao.core.errors import DomainError, ErrorDetail
from gaizao.core.uploads import image_extension
from gaizao.inventory.models import Compound, Unit
from gaizao.inventory.permissions import resident_compound_id
from gaizao.regions.models import Organisation

from .. import permissions as perms
from ..models import Feedback, FeedbackEvent, FeedbackPhoto, ResponsibleParty
from .routing import C, S, auto_confirm_days, due_date, route

MAX_PHOTOS = 9
MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_TEXT = 2000


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
    source: str = "web",
) -> Feedback:
    """A resident reports on their own compound; jurisdiction staff record
    for a resident (assisted) on a compound of their area."""
    text, place = _clean_text(text, place, category)
    photos = check_photos(photos)
    if perms.has_resident_role(actor):
        if not perms.can_do(actor, "feedback.report") or not resident_compound_id(actor):
            raise PermissionDenied(_("您的账号没有绑定住户,不能提交反馈"))
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
        # No reporter name, phone or text in the trail: the item holds them.
        audit.record(
            actor=actor,
            instance=fb,
            action="create",
            source=source,
            changes={
                "compound": compound.pk,
                "category": category,
                "status": ["", S.OPEN],
                "responsible_org": fb.responsible_org_id,
                "due_on": fb.due_on.isoformat(),
                "assisted": assisted,
                "photos": len(photos),
            },
        )
    return fb


def _answering_unit(feedback: Feedback, unit_id, *, required: bool):
    """The household staff answer for (confirm / reopen on a resident's
    behalf): the chosen unit of the feedback's compound, else the reporter's.
    An objection (没解决) must say which owner objected."""
    if unit_id in (None, ""):
        if feedback.unit_id is None and required:
            raise DomainError(
                _("代居民登记“没解决”时,请选择提出异议的住户(哪一户业主)"),
                errors=[ErrorDetail(_("请选择答复的住户"), field="unit")],
            )
        return feedback.unit
    unit = Unit.objects.filter(pk=unit_id, building__compound_id=feedback.compound_id).first()
    if unit is None:
        raise DomainError(
            _("所选住户不在本小区"), errors=[ErrorDetail(_("所选住户不在本小区"), field="unit")]
        )
    return unit


def feedback_transition(
    *,
    actor,
    feedback: Feedback,
    action: str,
    comment: str = "",
    source: str = "web",
    photos=None,
    unit_id=None,
) -> Feedback:
    """accept / fix / confirm / reopen, per permissions.TRANSITIONS. `photos`:
    after-photos with 整改完成 (optional). `unit_id`: when staff record the
    resident's answer, the household who gave it (defaults to the reporter's)."""
    comment = (comment or "").strip()
    if len(comment) > MAX_TEXT:
        raise DomainError(_("说明不能超过 %(MAX_TEXT)s 字") % {"MAX_TEXT": MAX_TEXT})
    perms.authorize_transition(actor, feedback, action)
    photos = check_photos(photos) if action == "fix" else []
    assisted = action in ("confirm", "reopen") and feedback.reporter_id != actor.pk
    unit = _answering_unit(feedback, unit_id, required=action == "reopen") if assisted else None
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
        before_due = fb.due_on if action == "reopen" else None
        fb.save(update_fields=fields)
        changes = {"status": [before, fb.status], "transition": action}
        if before_due is not None:
            changes["due_on"] = [before_due.isoformat(), fb.due_on.isoformat()]
        if unit is not None:
            changes["answered_for_unit"] = unit.pk
        if photos:
            changes["after_photos"] = len(photos)
        audit.record(actor=actor, instance=fb, action="update", source=source, changes=changes)
        event = FeedbackEvent.objects.create(
            feedback=fb,
            actor=actor,
            action=action,
            from_status=before,
            to_status=fb.status,
            comment=comment,
            assisted=assisted,
            unit=unit,
        )
        for f in photos:
            FeedbackPhoto.objects.create(feedback=fb, event=event, image=f)
    feedback.status, feedback.fixed_at, feedback.closed_at, feedback.due_on = (
        fb.status,
        fb.fixed_at,
        fb.closed_at,
        fb.due_on,
    )
    return feedback


def feedback_add_photos(
    *, actor, feedback: Feedback, photos, source: str = "web"
) -> list[FeedbackPhoto]:
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
        had = feedback.photos.count()
        if had + len(photos) > MAX_PHOTOS:
            raise DomainError(_("每条反馈最多 %(MAX_PHOTOS)s 张照片") % {"MAX_PHOTOS": MAX_PHOTOS})
        made = [FeedbackPhoto.objects.create(feedback=feedback, image=f) for f in photos]
        audit.record(
            actor=actor,
            instance=feedback,
            action="update",
            source=source,
            changes={"photos": [had, had + len(made)]},
        )
        return made


def feedback_auto_confirm(
    *, now=None, days: int | None = None, source: str = "cli"
) -> list[Feedback]:
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
            audit.record(
                actor=None,
                instance=fb,
                action="update",
                source=source,
                changes={
                    "status": [S.FIXED, S.CONFIRMED],
                    "transition": "auto_confirm",
                    "auto_confirmed": [False, True],
                },
            )
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


def responsible_party_set(
    *, actor, compound, kind: str, organisation, source: str = "web"
) -> ResponsibleParty | None:
    """Assign (or, with organisation None, clear) a compound's contractor or utility."""
    if not perms.can_do(actor, "feedback.assign_party") or not perms.in_jurisdiction(
        actor, compound
    ):
        raise PermissionDenied(_("您的角色无权指定责任单位"))
    if kind not in ResponsibleParty.Kind.values:
        raise DomainError(_("责任单位类别不正确"))
    expected = {"contractor": Organisation.Kind.CONTRACTOR, "utility": Organisation.Kind.UTILITY}
    with transaction.atomic():
        old = (
            ResponsibleParty.objects.select_for_update()
            .filter(compound=compound, kind=kind)
            .first()
        )
        if organisation is None:
            if old is not None:
                audit.record(
                    actor=actor,
                    instance=old,
                    action="delete",
                    source=source,
                    changes={"organisation": [old.organisation_id, None]},
                )
                old.delete()
            return None
        if organisation.kind != expected[kind]:
            raise DomainError(
                _("“%(organisation)s”不是%(label)s")
                % {"organisation": organisation, "label": ResponsibleParty.Kind(kind).label}
            )
        party, created = ResponsibleParty.objects.update_or_create(
            compound=compound, kind=kind, defaults={"organisation": organisation}
        )
        audit.record(
            actor=actor,
            instance=party,
            action="create" if created else "update",
            source=source,
            changes={
                "compound": compound.pk,
                "kind": kind,
                "organisation": [old.organisation_id if old else None, organisation.pk],
            },
        )
    return party


# Satisfaction ------------------------------------------------------------------
