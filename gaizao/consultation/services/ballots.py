"""Ballots are the owners' (业主共同决定 as a legal record): cast, changed by
their owner until the close (history kept), conflicts between an owner's
ballot and a sheet entered by staff resolved by a SECOND staff member with a
reason and the evidence, and the owner told.

Assisted ballots (代为录入) carry evidence: the sheet photo or a witness (a
second staff member); a jurisdiction may require both (VoteRules)."""

import uuid

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gaizao.accounts.models import Role
from gaizao.core import audit, notify
from gaizao.core.errors import DomainError, ErrorDetail
from gaizao.core.uploads import check_document
from gaizao.inventory.models import Unit

from .. import selectors
from ..models import Ballot, BallotChange, BallotConflict, Channel, Choice, Vote
from ..permissions import may_witness
from ._common import DuplicateBallot, _require
from .votes import _locked, freeze_register


def _sheet_file(f, field: str = "sheet_photo"):
    """A ballot sheet photo or PDF scan, checked by its first bytes (an HTML
    or SVG file passed off as a photo would be served back from our site)
    and renamed after what it really is; DomainError otherwise."""
    if not f:
        return None
    ext, problem = check_document(f, allow_pdf=True)
    if problem:
        raise DomainError(problem, errors=[ErrorDetail(problem, field=field)])
    f.name = f"{uuid.uuid4().hex}{ext}"
    return f


def _label(unit: Unit) -> str:
    return f"{unit.building.number}{unit}"


def _check_evidence(*, actor, vote: Vote, channel: str, sheet_photo, witness) -> None:
    if channel == Channel.PAPER and not sheet_photo:
        raise DomainError(
            _("录入纸质表决票须上传表决票照片"),
            errors=[ErrorDetail(_("请上传表决票照片"), field="sheet_photo")],
        )
    if channel != Channel.ASSISTED:
        return
    if witness is not None:
        if witness.pk == actor.pk:
            raise DomainError(
                _("见证人须是录入人以外的另一名工作人员"),
                errors=[ErrorDetail(_("见证人不能是本人"), field="witness")],
            )
        if not may_witness(witness, vote.compound_id):
            raise DomainError(
                _("见证人须是本辖区可录入表决票的工作人员"),
                errors=[ErrorDetail(_("见证人无效"), field="witness")],
            )
    rules = selectors.vote_rules_for(vote.compound)
    if rules.assisted_needs_both and not (sheet_photo and witness):
        raise DomainError(
            _("本辖区规定:代为录入须同时上传表决票照片并由另一名工作人员见证"),
            errors=[ErrorDetail(_("须照片和见证人"), field="witness")],
        )
    if not (sheet_photo or witness):
        raise DomainError(
            _("代为录入须有依据:上传表决票照片,或由另一名工作人员见证"),
            errors=[ErrorDetail(_("须照片或见证人"), field="witness")],
        )


def ballot_cast(
    *,
    actor,
    vote: Vote,
    unit: Unit,
    choice: str,
    channel: str = Channel.ONLINE,
    sheet_photo=None,
    witness=None,
    now=None,
) -> Ballot:
    """Record a unit's ballot.

    Online: the resident of that unit while the vote is open; casting again
    changes their own online ballot (BallotChange keeps the history).
    Paper (with the sheet photo) and assisted (photo or witness): staff,
    from the opening time until the tally. A staff ballot for a unit that
    already has one — or an online ballot for a unit whose ballot staff
    entered — is refused and kept as a BallotConflict for a second staff
    member; while one is open for the unit, a repeated one is refused
    without a new conflict."""
    now = now or timezone.now()
    if choice not in Choice.values:
        raise DomainError(_("请选择 同意、反对 或 弃权"))
    if channel not in Channel.values:
        raise DomainError(_("表决方式无效"))
    if channel == Channel.ONLINE:
        if actor.role != Role.RESIDENT or actor.unit_id != unit.pk:
            raise DomainError(_("只能为本户表决"))
        witness = None
    else:
        _require(actor, "ballot.enter", _("您的角色无权录入表决票"))
        _check_evidence(
            actor=actor, vote=vote, channel=channel, sheet_photo=sheet_photo, witness=witness
        )
    sheet_photo = _sheet_file(sheet_photo)
    if unit.building.compound_id != vote.compound_id:
        raise DomainError(_("该房屋不属于本次表决的小区"))
    outcome = None
    with transaction.atomic():
        v = _locked(vote.pk, shared=True)
        if v.status != Vote.Status.OPEN:
            raise DomainError(_("表决未开启或已结束计票,不能再投票"))
        if channel == Channel.ONLINE and not v.accepts_online(now):
            raise DomainError(_("不在线上表决时间内(已截止或尚未开始)"))
        if now < v.opens_at:
            raise DomainError(_("表决尚未开始(公告期内),不能录入表决票"))
        freeze_register(v, now)
        existing = Ballot.objects.select_for_update().filter(vote=v, unit=unit).first()
        if existing is not None and channel == Channel.ONLINE and existing.channel == "online":
            # The owner changes their own ballot before the close.
            if existing.choice != choice:
                BallotChange.objects.create(
                    vote=v,
                    unit=unit,
                    choice_before=existing.choice,
                    channel_before=existing.channel,
                    choice_after=choice,
                    channel_after=channel,
                    changed_by=actor,
                    changed_at=now,
                )
                before = existing.choice
                existing.choice, existing.cast_at, existing.entered_by = choice, now, actor
                existing.save(update_fields=["choice", "cast_at", "entered_by"])
                audit.record(
                    actor=actor,
                    instance=existing,
                    action="update",
                    changes={"choice": [before, choice]},
                )
            return existing
        b = None
        if existing is None:
            try:
                with transaction.atomic():
                    b = Ballot.objects.create(
                        vote=v,
                        unit=unit,
                        choice=choice,
                        channel=channel,
                        entered_by=actor,
                        assisted_by=actor if channel == Channel.ASSISTED else None,
                        witness=witness,
                        sheet_photo=sheet_photo or "",
                        cast_at=now,
                    )
            except IntegrityError:
                b = None
            if b is not None:
                # Online, paper and assisted ballots alike (issue 9 #6).
                audit.record(
                    actor=actor,
                    instance=b,
                    action="create",
                    changes={
                        "choice": [None, choice],
                        "channel": [None, channel],
                        "witness": [None, getattr(witness, "username", None)],
                    },
                )
        if b is None:
            try:
                with transaction.atomic():
                    conflict = BallotConflict.objects.create(
                        vote=v,
                        unit=unit,
                        attempted_choice=choice,
                        channel=channel,
                        attempted_by=actor,
                        sheet_photo=sheet_photo or "",
                        attempted_at=now,
                    )
                    audit.record(
                        actor=actor,
                        instance=conflict,
                        action="create",
                        changes={"attempted_choice": [None, choice], "channel": [None, channel]},
                    )
                outcome = "conflict"
            except IntegrityError:
                outcome = "pending"
    if b is not None:
        return b
    unit_label = _label(unit)
    if outcome == "pending":
        raise DuplicateBallot(
            _("%(unit)s 已有一张重复表决票等待处理,本张未记录;请先处理已有的冲突")
            % {"unit": unit_label},
            code="duplicate",
        )
    # Raised after the transaction committed, so the conflict record stays.
    if channel == Channel.ONLINE:
        raise DuplicateBallot(
            _(
                "%(unit)s 已由工作人员录入表决票,您的线上表决已记为待核实,"
                "将由另一名工作人员核实处理,结果会通知您。"
            )
            % {"unit": unit_label},
            code="duplicate",
        )
    first = Ballot.objects.filter(vote_id=vote.pk, unit=unit).first()
    raise DuplicateBallot(
        _(
            "%(unit)s 该户已有表决票(%(choice)s,%(channel)s,%(at)s),"
            "本张已记为冲突,须由另一名工作人员填写理由并上传依据后处理"
        )
        % {
            "unit": unit_label,
            "choice": first.get_choice_display() if first else "—",
            "channel": first.get_channel_display() if first else "—",
            "at": f"{timezone.localtime(first.cast_at):%Y-%m-%d %H:%M}" if first else "—",
        },
        code="duplicate",
    )


def conflict_resolve(
    *, actor, conflict: BallotConflict, resolution: str, reason: str = "", evidence=None
) -> BallotConflict:
    """Keep the first ballot or replace it with the second. Only a staff
    member other than the one who entered either ballot, with a reason and
    the evidence (a photo or scan: the owner's signed statement, the call
    record); the owner of the unit is told through gaizao.core.notify."""
    _require(actor, "vote.manage", _("您的角色无权处理重复表决票"))
    if resolution not in BallotConflict.Resolution.values:
        raise DomainError(
            _("请选择处理方式"), errors=[ErrorDetail(_("请选择"), field="resolution")]
        )
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(
            _("处理重复表决票须填写理由"), errors=[ErrorDetail(_("请填写理由"), field="reason")]
        )
    if len(reason) > 500:
        raise DomainError(_("理由最多 500 字"), errors=[ErrorDetail(_("过长"), field="reason")])
    if not evidence:
        raise DomainError(
            _("处理重复表决票须上传依据(业主签字的说明、沟通记录等的照片或扫描件)"),
            errors=[ErrorDetail(_("请上传依据"), field="evidence")],
        )
    evidence = _sheet_file(evidence, field="evidence")
    with transaction.atomic():
        v = _locked(conflict.vote_id, shared=False)
        c = (
            BallotConflict.objects.select_for_update()
            .select_related("unit__building")
            .get(pk=conflict.pk)
        )
        if c.resolution:
            raise DomainError(_("该重复表决票已处理"))
        if v.status != Vote.Status.OPEN:
            raise DomainError(_("表决已计票,不能再处理重复表决票"))
        b = Ballot.objects.select_for_update().get(vote=v, unit_id=c.unit_id)
        involved = {c.attempted_by_id}
        if b.channel != Channel.ONLINE:
            involved.add(b.entered_by_id)
        if actor.pk in involved:
            raise DomainError(
                _("录入该户表决票的工作人员不能处理本冲突,须由另一名工作人员处理"),
                code="second_person",
            )
        changes = {"resolution": resolution, "reason": reason}
        if resolution == BallotConflict.Resolution.REPLACE:
            fields = ["choice", "channel", "entered_by", "assisted_by"]
            before = audit.snapshot(b, fields)
            BallotChange.objects.create(
                vote=v,
                unit_id=c.unit_id,
                choice_before=b.choice,
                channel_before=b.channel,
                choice_after=c.attempted_choice,
                channel_after=c.channel,
                changed_by=actor,
                reason=reason,
            )
            b.choice, b.channel, b.entered_by = c.attempted_choice, c.channel, c.attempted_by
            b.assisted_by = c.attempted_by if c.channel == Channel.ASSISTED else None
            b.witness = None
            b.sheet_photo = c.sheet_photo
            b.cast_at = c.attempted_at
            b.save()
            changes["ballot"] = audit.diff(before, audit.snapshot(b, fields))
        c.resolution, c.resolved_by, c.resolved_at = resolution, actor, timezone.now()
        c.reason, c.evidence = reason, evidence
        c.save(update_fields=["resolution", "resolved_by", "resolved_at", "reason", "evidence"])
        audit.record(actor=actor, instance=c, action="update", changes=changes)
        counted = Choice(b.choice).label
        notify.send(
            recipients=list(selectors.unit_residents(c.unit_id)),
            subject=_("您家的表决票已核实:%(title)s") % {"title": v.title},
            body=_(
                "%(unit)s 在“%(title)s”中有两张意见不同的表决票,工作人员已核实处理:"
                "计入的意见为“%(choice)s”。理由:%(reason)s。如有异议,可在公示期内提出。"
            )
            % {"unit": _label(c.unit), "title": v.title, "choice": counted, "reason": reason},
            kind="consultation.ballot_conflict",
            ref=f"vote:{v.pk}:conflict:{c.pk}",
        )
    return c
