"""The notice period (公示): objections, replies, overturning and re-tallying a result."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gaizao.accounts.models import Role
from gaizao.core import audit
from gaizao.core.errors import DomainError
from gaizao.inventory.models import Unit

from .. import hooks
from ..models import (
    Ballot,
    Channel,
    Choice,
    Objection,
    Vote,
)
from ..permissions import can_do
from ._common import _require
from .ballots import _sheet_file
from .votes import _locked, _tally_data


def objection_add(*, actor, vote: Vote, text: str) -> Objection:
    text = (text or "").strip()
    if not text:
        raise DomainError(_("请填写异议内容"))
    if len(text) > 2000:
        raise DomainError(_("异议内容最多 2000 字"))
    if not (actor.role == Role.RESIDENT or can_do(actor, "vote.follow")):
        raise DomainError(_("您的角色无权提出异议"))
    if vote.overturned:
        raise DomainError(_("该表决结果已撤销,不再受理异议"))
    if not vote.in_notice_period:
        if vote.status == Vote.Status.PUBLISHED and vote.notice_ends_at:
            end = timezone.localtime(vote.notice_ends_at)
            raise DomainError(
                _("公示期已于 %(end)s 结束,不再受理异议。如有争议,请联系街道办事处。")
                % {"end": f"{end:%Y-%m-%d %H:%M}"}
            )
        raise DomainError(_("只能在结果公示期内提出异议"))
    with transaction.atomic():
        o = Objection.objects.create(vote=vote, text=text, raised_by=actor)
        audit.record(actor=actor, instance=o, action="create", changes={"vote": vote.pk})
    return o


REPLY_STATES = {
    Objection.State.REPLIED,
    Objection.State.UPHELD,
    Objection.State.REJECTED,
}


def objection_reply(*, actor, objection: Objection, reply: str, state: str) -> Objection:
    """Answer an objection once: 已答复 (explained), 成立 (upheld) or 不成立.
    The answer is part of the public record of the vote, so it is not edited
    afterwards; a wrong answer is corrected by a new objection."""
    _require(actor, "objection.reply", _("您的角色无权答复异议"))
    reply = (reply or "").strip()
    if state not in REPLY_STATES:
        raise DomainError(_("请选择答复结论:已答复、成立 或 不成立"))
    if not reply:
        raise DomainError(_("请填写答复内容"))
    if len(reply) > 2000:
        raise DomainError(_("答复内容最多 2000 字"))
    with transaction.atomic():
        o = Objection.objects.select_for_update().get(pk=objection.pk)
        if o.state != Objection.State.PENDING:
            raise DomainError(_("该异议已答复,不能重复答复"))
        o.reply, o.state = reply, state
        o.replied_by, o.replied_at = actor, timezone.now()
        o.save(update_fields=["reply", "state", "replied_by", "replied_at"])
        audit.record(
            actor=actor,
            instance=o,
            action="update",
            changes={"state": ["pending", state], "vote": o.vote_id},
        )
    return o


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("请填写原因"))
    if len(reason) > 500:
        raise DomainError(_("原因最多 500 字"))
    return reason


def _require_upheld(v: Vote) -> None:
    if v.status != Vote.Status.PUBLISHED:
        raise DomainError(_("只有已公示的表决可以撤销或重新计票"))
    if v.overturned:
        raise DomainError(_("该表决结果已撤销"))
    if not Objection.objects.filter(vote=v, state=Objection.State.UPHELD).exists():
        raise DomainError(_("没有答复为“成立”的异议,不能撤销表决结果或重新计票"))


def vote_overturn(*, actor, vote: Vote, reason: str) -> Vote:
    """Set a published result aside after an upheld objection. The plans
    approval gate (selectors.compound_vote_passed) no longer counts it."""
    _require(actor, "vote.overturn", _("您的角色无权撤销表决结果"))
    reason = _reason(reason)
    with transaction.atomic():
        v = _locked(vote.pk, shared=False)
        _require_upheld(v)
        v.overturned, v.overturned_reason = True, reason
        v.overturned_at, v.overturned_by = timezone.now(), actor
        v.save(
            update_fields=[
                "overturned",
                "overturned_reason",
                "overturned_at",
                "overturned_by",
                "updated_at",
            ]
        )
        audit.record(
            actor=actor,
            instance=v,
            action="update",
            changes={"overturned": [False, True], "reason": reason, "passed": v.passed},
        )
        # Approvals resting on this result are withdrawn in the same transaction.
        hooks.vote_overturned(vote=v, actor=actor, reason=reason)
    return v


VOID = "void"


def vote_retally(
    *, actor, vote: Vote, unit: Unit, choice: str, reason: str, sheet_photo=None
) -> Vote:
    """After an upheld objection: correct one unit's ballot (a new choice,
    VOID to strike it, or a paper sheet left out of the count, with its
    photo) and tally again. The new result is published afresh
    with a new notice period; the previous result is kept in the result's
    "corrections" and in the audit trail."""
    _require(actor, "vote.overturn", _("您的角色无权更正表决票"))
    reason = _reason(reason)
    if choice not in (*Choice.values, VOID):
        raise DomainError(_("请选择更正后的意见:同意、反对、弃权 或 作废"))
    if unit.building.compound_id != vote.compound_id:
        raise DomainError(_("该房屋不属于本次表决的小区"))
    sheet_photo = _sheet_file(sheet_photo)
    label = f"{unit.building.number}{unit}"
    with transaction.atomic():
        v = _locked(vote.pk, shared=False)
        _require_upheld(v)
        b = Ballot.objects.select_for_update().filter(vote=v, unit=unit).first()
        before = b.choice if b else None
        if choice == VOID:
            if b is None:
                raise DomainError(_("%(label)s 没有表决票,无需作废") % {"label": label})
            b.delete()
        elif b is None:
            # A valid paper sheet that was left out of the count.
            if not sheet_photo:
                raise DomainError(
                    _("%(label)s 没有表决票;补计漏计的纸质票须上传表决票照片") % {"label": label}
                )
            Ballot.objects.create(
                vote=v,
                unit=unit,
                choice=choice,
                channel=Channel.PAPER,
                entered_by=actor,
                sheet_photo=sheet_photo,
            )
        else:
            if b.choice == choice:
                raise DomainError(
                    _("%(label)s 的表决票已是“%(label2)s”,无需更正")
                    % {"label": label, "label2": Choice(choice).label}
                )
            b.choice = choice
            b.save(update_fields=["choice"])
        previous = {k: v.result.get(k) for k in ("passed", "owners_agreeing", "area_agreeing")}
        corrections = list(v.result.get("corrections", []))
        data, passed = _tally_data(v)
        now = timezone.now()
        corrections.append(
            {
                "unit": label,
                "from": before,
                "to": None if choice == VOID else choice,
                "reason": reason,
                "at": now.isoformat(),
                "previous": previous,
            }
        )
        data["corrections"] = corrections
        was = v.passed
        v.result, v.passed = data, passed
        v.published_at, v.notice_ends_at = now, now + timedelta(days=v.notice_days)
        v.save(update_fields=["result", "passed", "published_at", "notice_ends_at", "updated_at"])
        audit.record(
            actor=actor,
            instance=v,
            action="update",
            changes={
                "retally": {"unit": unit.pk, "ballot": [before, choice], "reason": reason},
                "passed": [was, passed],
            },
        )
        if was and not passed:
            hooks.vote_overturned(vote=v, actor=actor, reason=reason)
    return v
