"""Legal votes (业主共同决定, Civil Code art. 278): create, open, ballots, conflicts, close, publish."""

from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gaizao.core import audit
from gaizao.core.errors import DomainError, ErrorDetail
from gaizao.inventory.models import Compound

from .. import selectors
from .. import tally as T
from ..models import (
    BallotConflict,
    Channel,
    Vote,
)
from ._common import _require

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
    plan_id: int | None = None,
    plan_version: int | None = None,
    proposal: dict | None = None,
    now=None,
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
    _check_period(compound, opens_at, closes_at, record_past=record_past, now=now)
    # The law in force when the decision is made: the closing date decides
    # (a vote open across 2021-01-01 is decided under the Civil Code, and
    # flagged in its result, see _tally_data).
    law = T.law_for_date(timezone.localtime(closes_at).date())
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
            plan_id=plan_id,
            plan_version=plan_version,
            proposal=proposal or {},
        )
        changes = {"matter": matter, "law": law}
        if plan_id:
            changes["plan"] = f"{plan_id} v{plan_version}"
        if past_reason:
            changes["past_reason"] = past_reason
        audit.record(actor=actor, instance=v, action="create", changes=changes)
    return v


def _check_period(compound, opens_at, closes_at, *, record_past: bool, now=None) -> None:
    """The jurisdiction's vote rules (selectors.vote_rules_for):

    * a minimum voting period, always (a vote open for five minutes lets one
      staff member decide a compound alone);
    * the notice: 《业主大会和业主委员会指导规则》第二十三条 — owners are told
      15 days (the jurisdiction's number) before the vote opens; a vote
      already held (record_past) was announced then, outside this system.
    """
    rules = selectors.vote_rules_for(compound)
    if closes_at - opens_at < timedelta(days=rules.min_voting_days):
        raise DomainError(
            _("表决期不少于 %(n)s 天(本辖区表决规则),请延后截止时间")
            % {"n": rules.min_voting_days},
            errors=[ErrorDetail(_("表决期过短"), field="closes_at")],
        )
    if record_past or rules.notice_days_before == 0:
        # 0: the jurisdiction asks no notice period of its own.
        return
    now = now or timezone.now()
    if opens_at < now + timedelta(days=rules.notice_days_before):
        earliest = timezone.localtime(now + timedelta(days=rules.notice_days_before))
        raise DomainError(
            _(
                "表决开始前须提前 %(n)s 日公告(《业主大会和业主委员会指导规则》第二十三条),"
                "开始时间最早为 %(at)s"
            )
            % {"n": rules.notice_days_before, "at": f"{earliest:%Y-%m-%d %H:%M}"},
            errors=[ErrorDetail(_("公告期不足"), field="opens_at")],
        )


def vote_update(
    *, actor, vote: Vote, title: str, description: str, opens_at, closes_at, notice_days: int
) -> Vote:
    """Edit a draft (nothing has been announced yet); the same checks as creating."""
    _require(actor, "vote.manage", _("您的角色无权修改表决"))
    if not opens_at or not closes_at or closes_at <= opens_at:
        raise DomainError(_("截止时间应晚于开始时间"))
    if not 1 <= int(notice_days) <= 60:
        raise DomainError(_("公示期应为 1–60 天"))
    with transaction.atomic():
        v = _locked(vote.pk, shared=False)
        if v.status != Vote.Status.DRAFT:
            raise DomainError(_("只有草稿状态的表决可以修改"))
        _check_period(v.compound, opens_at, closes_at, record_past=bool(v.past_reason))
        before = audit.snapshot(v, ["title", "opens_at", "closes_at", "notice_days"])
        v.title = ((title or "").strip() or v.title)[:200]
        v.description = description or ""
        v.opens_at, v.closes_at, v.notice_days = opens_at, closes_at, int(notice_days)
        v.law = T.law_for_date(timezone.localtime(closes_at).date())
        v.save()
        audit.record(
            actor=actor,
            instance=v,
            action="update",
            changes=audit.diff(
                before, audit.snapshot(v, ["title", "opens_at", "closes_at", "notice_days"])
            ),
        )
    return v


def vote_cancel(*, actor, vote: Vote, reason: str) -> Vote:
    """Cancel a draft (never an announced or running vote: owners were told)."""
    _require(actor, "vote.manage", _("您的角色无权取消表决"))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(
            _("请填写取消原因"), errors=[ErrorDetail(_("请填写取消原因"), field="reason")]
        )
    with transaction.atomic():
        v = _locked(vote.pk, shared=False)
        if v.status != Vote.Status.DRAFT:
            raise DomainError(_("只有草稿状态的表决可以取消"))
        v.status = Vote.Status.CANCELLED
        v.save(update_fields=["status", "updated_at"])
        audit.record(
            actor=actor,
            instance=v,
            action="update",
            changes={"status": ["draft", "cancelled"], "reason": reason[:500]},
        )
    return v


def freeze_register(v: Vote, now=None) -> None:
    """Store the owners' register once, when the vote opens (the first
    ballot or the close after the opening time, whichever comes first): the
    denominators of the result are those of that moment. A conditional
    UPDATE, so two ballots arriving together freeze it once."""
    now = now or timezone.now()
    if v.register_frozen_at is not None or now < v.opens_at:
        return
    rows = selectors.register_rows(v.compound_id)
    n = Vote.objects.filter(pk=v.pk, register_frozen_at__isnull=True).update(
        register=rows, register_frozen_at=now
    )
    if n:
        v.register, v.register_frozen_at = rows, now


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
        now = timezone.now()
        v.status, v.notice_published_at = Vote.Status.OPEN, now
        v.save(update_fields=["status", "notice_published_at", "updated_at"])
        freeze_register(v, now)
        audit.record(
            actor=actor, instance=v, action="update", changes={"status": ["draft", "open"]}
        )
    return v


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
    counts = selectors.vote_counts(v)
    data["ballots"] = counts["total"]
    # How the ballots were collected (online, paper, assisted): stated on the
    # result and the certificate.
    data["channels"] = {c: counts["by_channel"].get(c, 0) for c in Channel.values}
    # The denominators are those of the register frozen at opening.
    data["register_units"] = counts["units"]
    if v.register_frozen_at:
        data["register_frozen_at"] = timezone.localtime(v.register_frozen_at).isoformat()
    # Deemed consent (未参与表决视为同意) only where the compound's adopted
    # 议事规则 provides it: a second count, labelled, beside the statutory
    # one above, which alone decides `passed`.
    rule = selectors.deemed_consent_rule(v)
    if rule is not None:
        deemed = T.tally(T.with_deemed_consent(selectors.unit_votes(v)), matter=v.matter, law=v.law)
        data["deemed"] = {
            **deemed.as_dict(),
            "source": rule.source,
            "adopted_on": rule.adopted_on.isoformat(),
        }
    # A vote open across 2021-01-01 began under the Property Law and was
    # decided under the Civil Code (the closing date chooses the law).
    opens, closes = timezone.localtime(v.opens_at).date(), timezone.localtime(v.closes_at).date()
    if opens < T.CIVIL_CODE_IN_FORCE <= closes:
        data["spans_2021"] = True
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
        freeze_register(v, now)
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
