"""Legal votes (业主共同决定, Civil Code art. 278): create, open, ballots, conflicts, close, publish."""

import uuid
from datetime import timedelta

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gaizao.accounts.models import Role
from gaizao.core import audit
from gaizao.core.errors import DomainError, ErrorDetail
from gaizao.core.uploads import check_document
from gaizao.inventory.models import Compound, Unit

from .. import selectors
from .. import tally as T
from ..models import (
    Ballot,
    BallotConflict,
    Channel,
    Choice,
    Vote,
)
from ._common import DuplicateBallot, _require

# ------------------------------------------------------------------- votes


def vote_create(
    *,
    actor,
    compound,
    matter: int,
    title: str,
    opens_at,
    closes_at,
    description: str = "",
    notice_days: int = 7,
    record_past: bool = False,
    past_reason: str = "",
) -> Vote:
    """A new vote (draft). Its closing time must lie ahead, unless it records
    a vote already held (record_past, with the reason why): otherwise staff
    could open a vote that nobody can take part in, or backdate one."""
    _require(actor, "vote.manage", _("您的角色无权发起业主表决"))
    try:
        matter = int(matter)
    except (TypeError, ValueError):
        raise DomainError(_("请选择表决事项(第 1–9 项)"))
    if matter not in T.MATTERS:
        raise DomainError(_("表决事项应为《民法典》第二百七十八条第一款第 1–9 项之一"))
    title = (title or "").strip() or T.MATTERS[matter]
    if not opens_at or not closes_at or closes_at <= opens_at:
        raise DomainError(_("截止时间应晚于开始时间"))
    past_reason = (past_reason or "").strip()
    if record_past:
        if not past_reason:
            raise DomainError(
                _("补录已举行的表决须填写补录原因"),
                errors=[ErrorDetail(_("请填写补录原因"), field="past_reason")],
            )
        if len(past_reason) > 500:
            raise DomainError(_("补录原因最多 500 字"))
    else:
        past_reason = ""
        if closes_at <= timezone.now():
            raise DomainError(
                _(
                    "截止时间已过,不能发起表决。如是补录已举行的表决,请勾选“补录已举行的表决”并填写原因"
                ),
                errors=[ErrorDetail(_("截止时间应晚于现在"), field="closes_at")],
            )
    if not 1 <= int(notice_days) <= 60:
        raise DomainError(_("公示期应为 1–60 天"))
    law = T.law_for_date(timezone.localtime(opens_at).date())
    with transaction.atomic():
        # One running decision per matter and compound: a second press of
        # "发起表决" (or a second colleague) must not give residents two
        # ballots for one legal decision. The compound row lock serialises it.
        Compound.objects.select_for_update().filter(pk=compound.pk).first()
        running = (
            Vote.objects.filter(compound=compound, matter=matter, status__in=["draft", "open"])
            .order_by("id")
            .first()
        )
        if running is not None:
            raise DomainError(
                _("本小区已有第 %(n)s 项事项尚未结束的表决:“%(title)s”,请勿重复发起")
                % {"n": matter, "title": running.title},
                code="vote_exists",
            )
        v = Vote.objects.create(
            compound=compound,
            matter=matter,
            title=title[:200],
            description=description or "",
            law=law,
            opens_at=opens_at,
            closes_at=closes_at,
            notice_days=notice_days,
            past_reason=past_reason,
            created_by=actor,
        )
        changes = {"matter": matter, "law": law}
        if past_reason:
            changes["past_reason"] = past_reason
        audit.record(actor=actor, instance=v, action="create", changes=changes)
    return v


def _locked(vote_id, *, shared: bool) -> Vote:
    """Lock the vote row. Ballots take a SHARE lock (they may run side by side);
    closing takes an exclusive lock, so that no ballot is inserted into a vote
    after its status was read as open and before the tally is stored."""
    if shared and connection.vendor == "postgresql":
        with connection.cursor() as c:
            c.execute("SELECT 1 FROM consultation_vote WHERE id = %s FOR SHARE", [vote_id])
        return Vote.objects.get(pk=vote_id)
    return Vote.objects.select_for_update().get(pk=vote_id)


def vote_open(*, actor, vote: Vote, record_past: bool = False) -> Vote:
    """Open a draft vote. A vote whose closing time has passed opens only as
    the record of a vote already held (created with record_past and a
    reason); record_past here only confirms that the caller means it."""
    _require(actor, "vote.manage", _("您的角色无权开启表决"))
    with transaction.atomic():
        v = _locked(vote.pk, shared=False)
        if v.status != Vote.Status.DRAFT:
            raise DomainError(_("只有草稿状态的表决可以开启"))
        if record_past and not v.past_reason:
            raise DomainError(_("该表决不是补录的表决(建立时未填写补录原因),不能按补录开启"))
        if v.closes_at <= timezone.now() and not v.past_reason:
            raise DomainError(
                _("表决截止时间(%(closes)s)已过,不能开启。请修改时间后重新建立表决")
                % {"closes": f"{timezone.localtime(v.closes_at):%Y-%m-%d %H:%M}"}
            )
        if not selectors.compound_units(v.compound_id).exists():
            raise DomainError(_("该小区没有登记房屋,无法表决"))
        v.status = Vote.Status.OPEN
        v.save(update_fields=["status", "updated_at"])
        audit.record(
            actor=actor, instance=v, action="update", changes={"status": ["draft", "open"]}
        )
    return v


def _sheet_file(f):
    """A ballot sheet photo or PDF scan, checked by its first bytes (an HTML
    or SVG file passed off as a photo would be served back from our site)
    and renamed after what it really is; DomainError otherwise."""
    if not f:
        return None
    ext, problem = check_document(f, allow_pdf=True)
    if problem:
        raise DomainError(problem, errors=[ErrorDetail(problem, field="sheet_photo")])
    f.name = f"{uuid.uuid4().hex}{ext}"
    return f


def ballot_cast(
    *,
    actor,
    vote: Vote,
    unit: Unit,
    choice: str,
    channel: str = Channel.ONLINE,
    sheet_photo=None,
    now=None,
) -> Ballot:
    """Record a unit's ballot. Online: the resident of that unit while the vote
    is open. Paper (with the sheet photo) and assisted: staff, while the vote
    is open (also after the closing time, until it is tallied). A second ballot
    for the unit is refused (the database constraint decides, so concurrent
    submissions cannot both count) and kept as a BallotConflict."""
    now = now or timezone.now()
    if choice not in Choice.values:
        raise DomainError(_("请选择 同意、反对 或 弃权"))
    if channel not in Channel.values:
        raise DomainError(_("表决方式无效"))
    if channel == Channel.ONLINE:
        if actor.role != Role.RESIDENT or actor.unit_id != unit.pk:
            raise DomainError(_("只能为本户表决"))
    else:
        _require(actor, "ballot.enter", _("您的角色无权录入表决票"))
        if channel == Channel.PAPER and not sheet_photo:
            raise DomainError(_("录入纸质表决票须上传表决票照片"))
    sheet_photo = _sheet_file(sheet_photo)
    if unit.building.compound_id != vote.compound_id:
        raise DomainError(_("该房屋不属于本次表决的小区"))
    with transaction.atomic():
        v = _locked(vote.pk, shared=True)
        if v.status != Vote.Status.OPEN:
            raise DomainError(_("表决未开启或已结束计票,不能再投票"))
        if channel == Channel.ONLINE and not v.accepts_online(now):
            raise DomainError(_("不在线上表决时间内(已截止或尚未开始)"))
        try:
            with transaction.atomic():
                b = Ballot.objects.create(
                    vote=v,
                    unit=unit,
                    choice=choice,
                    channel=channel,
                    entered_by=actor,
                    assisted_by=actor if channel == Channel.ASSISTED else None,
                    sheet_photo=sheet_photo or "",
                    cast_at=now,
                )
        except IntegrityError:
            b = None
        if b is None:
            BallotConflict.objects.create(
                vote=v,
                unit=unit,
                attempted_choice=choice,
                channel=channel,
                attempted_by=actor,
                sheet_photo=sheet_photo or "",
                attempted_at=now,
            )
    if b is None:
        # Raised after the transaction committed, so the conflict record stays.
        if channel == Channel.ONLINE:
            raise DuplicateBallot(
                _("%(building)s%(unit)s 已经投过票,不能重复表决。如需更正,请联系社区工作人员处理。")
                % {"building": unit.building.number, "unit": unit},
                code="duplicate",
            )
        # Staff entering a sheet are the ones who resolve it: say what the
        # first ballot was and where the second one went.
        first = Ballot.objects.filter(vote_id=vote.pk, unit=unit).first()
        raise DuplicateBallot(
            _(
                "%(building)s%(unit)s 该户已有表决票(%(choice)s,%(channel)s,%(at)s),"
                "本张已记为冲突待处理,请在“重复表决票”中选择保留或替换"
            )
            % {
                "building": unit.building.number,
                "unit": unit,
                "choice": first.get_choice_display() if first else "—",
                "channel": first.get_channel_display() if first else "—",
                "at": f"{timezone.localtime(first.cast_at):%Y-%m-%d %H:%M}" if first else "—",
            },
            code="duplicate",
        )
    return b


def conflict_resolve(*, actor, conflict: BallotConflict, resolution: str) -> BallotConflict:
    _require(actor, "vote.manage", _("您的角色无权处理重复表决票"))
    if resolution not in BallotConflict.Resolution.values:
        raise DomainError(_("请选择处理方式"))
    with transaction.atomic():
        v = _locked(conflict.vote_id, shared=False)
        c = BallotConflict.objects.select_for_update().get(pk=conflict.pk)
        if c.resolution:
            raise DomainError(_("该重复表决票已处理"))
        if v.status != Vote.Status.OPEN:
            raise DomainError(_("表决已计票,不能再处理重复表决票"))
        changes = {"resolution": resolution}
        if resolution == BallotConflict.Resolution.REPLACE:
            b = Ballot.objects.select_for_update().get(vote=v, unit_id=c.unit_id)
            before = audit.snapshot(b, ["choice", "channel", "entered_by", "assisted_by"])
            b.choice, b.channel, b.entered_by = c.attempted_choice, c.channel, c.attempted_by
            b.assisted_by = c.attempted_by if c.channel == Channel.ASSISTED else None
            b.sheet_photo = c.sheet_photo
            b.cast_at = c.attempted_at
            b.save()
            changes["ballot"] = audit.diff(
                before, audit.snapshot(b, ["choice", "channel", "entered_by", "assisted_by"])
            )
        c.resolution, c.resolved_by, c.resolved_at = resolution, actor, timezone.now()
        c.save(update_fields=["resolution", "resolved_by", "resolved_at"])
        audit.record(actor=actor, instance=c, action="update", changes=changes)
    return c


def _tally_data(v: Vote) -> tuple[dict, bool]:
    """The stored result of a vote: the tally of its ballots now, with the
    displayed shares and the ballot count (no personal data)."""
    result = selectors.vote_tally(v)
    base_participating = T.RULE_SETS[v.law].base == "participating"
    data = result.as_dict()
    data["rule"] = result.rule
    data["shares"] = {
        "area_participating": T.percent(result.area_participating, result.area_total),
        "owners_participating": T.percent(result.owners_participating, result.owners_total),
        "area_agreeing": T.percent(
            result.area_agreeing,
            result.area_participating if base_participating else result.area_total,
        ),
        "owners_agreeing": T.percent(
            result.owners_agreeing,
            result.owners_participating if base_participating else result.owners_total,
        ),
    }
    data["ballots"] = Ballot.objects.filter(vote=v).count()
    return data, result.passed


def vote_close(*, actor, vote: Vote, now=None) -> Vote:
    """Stop the vote and store the tally (under the law the vote was held under)."""
    _require(actor, "vote.manage", _("您的角色无权计票"))
    now = now or timezone.now()
    with transaction.atomic():
        v = _locked(vote.pk, shared=False)
        if v.status != Vote.Status.OPEN:
            raise DomainError(_("只有表决中的表决可以计票"))
        if now < v.closes_at:
            raise DomainError(_("表决截止时间未到,不能计票"))
        n = BallotConflict.objects.filter(vote=v, resolution="").count()
        if n:
            raise DomainError(_("还有 %(n)s 张重复表决票未处理,请先处理再计票") % {"n": n})
        data, passed = _tally_data(v)
        v.result, v.passed = data, passed
        v.status, v.closed_at = Vote.Status.CLOSED, now
        v.save(update_fields=["result", "passed", "status", "closed_at", "updated_at"])
        audit.record(
            actor=actor,
            instance=v,
            action="update",
            changes={"status": ["open", "closed"], "passed": passed},
        )
    return v


def vote_publish(*, actor, vote: Vote) -> Vote:
    _require(actor, "vote.manage", _("您的角色无权公示表决结果"))
    with transaction.atomic():
        v = _locked(vote.pk, shared=False)
        if v.status != Vote.Status.CLOSED:
            raise DomainError(_("只有已计票的表决可以公示"))
        now = timezone.now()
        v.status, v.published_at = Vote.Status.PUBLISHED, now
        v.notice_ends_at = now + timedelta(days=v.notice_days)
        v.save(update_fields=["status", "published_at", "notice_ends_at", "updated_at"])
        audit.record(
            actor=actor, instance=v, action="update", changes={"status": ["closed", "published"]}
        )
    return v
