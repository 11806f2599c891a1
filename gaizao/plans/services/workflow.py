"""The plan workflow: draft → consulted → approved → superseded, and its gates (以管定建, the owners' vote)."""

from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from gaizao.consultation import services as consultation_services
from gaizao.core import audit, notify
from gaizao.core.errors import DomainError
from gaizao.eligibility.selectors import approval_blocker as scope_blocker
from gaizao.stewardship.models import ManagementArrangement

from .. import selectors, selectors_votes
from ..funding import fmt
from ..models import (
    FundingSource,
    Plan,
    PlanStatus,
    PlanVoteReuse,
)
from ..selectors import (
    plan_compounds,
)
from ._base import _lock, _new_version, plan_rule

# ---- workflow -----------------------------------------------------------------


def approval_blockers(plan: Plan) -> list[str]:
    """Why the plan cannot be approved yet (empty list: it can)."""
    out = []
    if plan.status != PlanStatus.CONSULTED:
        out.append(_("方案须先征询居民意见(状态为“居民已征询”)才能审批"))
    if not plan.items.exists():
        out.append(_("方案没有改造项目,不能审批"))
    compounds = plan_compounds(plan)
    arranged = {
        a.compound_id: a
        for a in ManagementArrangement.objects.filter(compound__in=compounds).only(
            "compound_id", "manager_id", "manager_name", "rules_adopted"
        )
    }
    for c in compounds:
        a = arranged.get(c.pk)
        if a is None:
            out.append(
                _("%(name)s尚未登记改造后的长效管理安排(以管定建),不能审批方案") % {"name": c.name}
            )
            continue
        # 以管定建 means a real arrangement: who manages, and under which rules.
        if a.manager_id is None and not a.manager_name.strip():
            out.append(
                _("%(name)s的长效管理安排未明确管理单位(由谁管理),不能审批方案") % {"name": c.name}
            )
        if not a.rules_adopted:
            out.append(
                _("%(name)s尚未制定管理规约(按什么规则管理),不能审批方案") % {"name": c.name}
            )
    # Within the renovation scope, or a recorded decision of the leadership office.
    out.extend(b for b in map(scope_blocker, compounds) if b)
    rule = plan_rule(plan)
    if (rule is None or rule.vote_required) and plan.compound_id:
        # The decision is bound to this version (issue 8: approval tied to
        # what owners voted on), its notice period over, no objection pending.
        out.extend(selectors.plan_vote_blockers(plan))
    elif rule is None or rule.vote_required:
        for c in compounds:
            if not selectors.compound_vote_passed(c.pk):
                out.append(
                    _(
                        "%(name)s的业主表决(民法典第二百七十八条,改建建筑物及其附属设施)"
                        "尚未通过,不能审批方案"
                    )
                    % {"name": c.name}
                )
    # 民法典第二百七十八条第一款第五项: using the maintenance fund is the
    # owners' decision (more than half of the participating area and owners).
    fund = plan.funding_lines.filter(source=FundingSource.MAINTENANCE_FUND).aggregate(
        s=Sum("amount")
    )["s"] or Decimal("0")
    if fund > 0:
        for c in compounds:
            if not selectors.compound_vote_passed(c.pk, selectors.ART_278_USE_FUND):
                out.append(
                    _(
                        "%(name)s使用专项维修资金 %(amount)s 元,须业主共同决定"
                        "(民法典第二百七十八条第一款第五项)通过"
                    )
                    % {"name": c.name, "amount": fmt(fund)}
                )
    # 第六项: drawing more than the fund holds means raising it (续筹) — the
    # owners' decision at three quarters (第二款).
    if fund > plan.maintenance_fund_balance:
        for c in compounds:
            if not selectors.compound_vote_passed(c.pk, selectors.ART_278_RAISE_FUND):
                out.append(
                    _(
                        "%(name)s动用专项维修资金 %(amount)s 元超过可用余额 %(balance)s 元,"
                        "须业主共同决定筹集维修资金(民法典第二百七十八条第一款第六项)通过"
                    )
                    % {
                        "name": c.name,
                        "amount": fmt(fund),
                        "balance": fmt(plan.maintenance_fund_balance),
                    }
                )
    # 第八项: items that change the use of common parts or run a business on
    # them (parking, paid chargers, parcel lockers) — three quarters.
    common_use = selectors.common_use_items(plan.items.all())
    if common_use:
        names = "、".join(i.name for i in common_use)
        for c in compounds:
            if not selectors.compound_vote_passed(c.pk, selectors.ART_278_COMMON_USE):
                out.append(
                    _(
                        "%(name)s的方案含改变共有部分用途或利用共有部分经营的项目(%(items)s),"
                        "须业主共同决定(民法典第二百七十八条第一款第八项,四分之三以上)通过"
                    )
                    % {"name": c.name, "items": names}
                )
    lines_sum = plan.funding_lines.aggregate(s=Sum("amount"))["s"] or Decimal("0")
    if lines_sum != plan.total_cost:
        out.append(
            _("资金合计 %(lines_sum)s 元,与总造价 %(value)s 元不符")
            % {"lines_sum": fmt(lines_sum), "value": fmt(plan.total_cost)}
        )
    return out


def plan_mark_consulted(*, actor, plan: Plan, source: str = "web") -> Plan:
    with transaction.atomic():
        plan = _lock(plan)
        if plan.status != PlanStatus.DRAFT:
            raise DomainError(
                _("只有草稿可以登记为“居民已征询”(当前状态:%(status)s)")
                % {"status": plan.get_status_display()}
            )
        if not plan.items.exists():
            raise DomainError(_("方案没有改造项目,不能征询居民意见"))
        plan.status = PlanStatus.CONSULTED
        plan.consulted_at = timezone.now()
        plan.save(update_fields=["status", "consulted_at", "updated_at"])
        audit.record(
            actor=actor,
            instance=plan,
            action="update",
            source=source,
            changes={"status": ["draft", "consulted"]},
        )
    return plan


def plan_approve(*, actor, plan: Plan, source: str = "web") -> Plan:
    with transaction.atomic():
        plan = _lock(plan)
        # The one who drafted the version cannot approve it (four eyes).
        if plan.created_by_id and plan.created_by_id == actor.pk:
            raise DomainError(_("方案编制人不能审批自己编制的方案"), code="approval_blocked")
        blockers = approval_blockers(plan)
        if blockers:
            raise DomainError(
                blockers[0] if len(blockers) == 1 else ";".join(blockers), code="approval_blocked"
            )
        plan.status = PlanStatus.APPROVED
        plan.approved_at = timezone.now()
        plan.approved_by = actor
        plan.save(update_fields=["status", "approved_at", "approved_by", "updated_at"])
        audit.record(
            actor=actor,
            instance=plan,
            action="update",
            source=source,
            changes={"status": ["consulted", "approved"]},
        )
    return plan


def plan_revise(*, actor, plan: Plan, source: str = "web") -> Plan:
    """修订已审批方案: a new draft version; the approved one is superseded."""
    with transaction.atomic():
        locked = _lock(plan)
        if locked.status != PlanStatus.APPROVED:
            raise DomainError(_("只有已审批的方案需要生成新版本;草稿可直接修改"))
        return _new_version(locked, actor, source)


def plan_vote_start(
    *,
    actor,
    plan: Plan,
    opens_at,
    closes_at,
    notice_days: int = 7,
    record_past: bool = False,
    past_reason: str = "",
    now=None,
):
    """Put this plan version to the owners (民法典第二百七十八条第一款第七项):
    the vote carries the proposal (items, total cost, residents' share) so
    owners see what they decide and the approval is bound to this version."""
    if not plan.compound_id:
        raise DomainError(_("片区方案请按小区分别发起业主表决"))
    if plan.status not in (PlanStatus.DRAFT, PlanStatus.CONSULTED):
        raise DomainError(_("只有未审批的方案可以提交业主表决"))
    items = list(plan.items.order_by("id"))
    resident = plan.funding_lines.filter(source=FundingSource.RESIDENT).aggregate(s=Sum("amount"))[
        "s"
    ] or Decimal("0")
    proposal = {
        "label": str(plan),
        "version": plan.version,
        "total_cost": fmt(plan.total_cost),
        "total_cost_raw": str(plan.total_cost),
        "items": [{"code": i.code, "name": i.name, "cost": fmt(i.cost)} for i in items],
        "resident_total": str(resident),
        "area_total": str(selectors.compound_exclusive_area(plan.compound_id)),
    }
    return consultation_services.vote_create(
        actor=actor,
        compound=plan.compound,
        matter=selectors.ART_278_RENOVATION,
        title=f"{plan.compound.name}改造方案(第{plan.version}版)表决",
        opens_at=opens_at,
        closes_at=closes_at,
        description=_("按《民法典》第二百七十八条,由业主共同决定改造方案。"),
        notice_days=notice_days,
        record_past=record_past,
        past_reason=past_reason,
        plan_id=plan.pk,
        plan_version=plan.version,
        proposal=proposal,
        now=now,
    )


def plans_withdraw_for_vote(*, vote, actor, reason: str) -> None:
    """A vote set aside (or re-tallied as not passed): the approval of the
    plan version it carried is withdrawn — the plan goes back to 居民已征询 —
    and the drafter and the approver are told. Registered with
    consultation.hooks in PlansConfig.ready()."""
    if not vote.plan_id:
        return
    ids = [vote.plan_id, *selectors_votes.plans_reusing_vote(vote.pk).values_list("pk", flat=True)]
    for plan in Plan.objects.select_for_update().filter(pk__in=ids, status=PlanStatus.APPROVED):
        _withdraw(plan, vote=vote, actor=actor, reason=reason)


def _withdraw(plan: Plan, *, vote, actor, reason: str) -> None:
    approver = plan.approved_by
    plan.status, plan.approved_at, plan.approved_by = PlanStatus.CONSULTED, None, None
    plan.save(update_fields=["status", "approved_at", "approved_by", "updated_at"])
    audit.record(
        actor=actor,
        instance=plan,
        action="update",
        changes={"status": ["approved", "consulted"], "withdrawn": reason, "vote": vote.pk},
    )
    notify.send(
        recipients=[plan.created_by, approver],
        subject=_("方案审批已撤回:%(plan)s") % {"plan": str(plan)},
        body=_(
            "该方案所依据的业主表决“%(title)s”已被撤销(%(reason)s),方案审批随之撤回,须重新表决。"
        )
        % {"title": vote.title, "reason": reason},
        kind="plans.approval_withdrawn",
        ref=f"plan:{plan.pk}",
    )


def plan_vote_reuse_confirm(
    *, actor, plan: Plan, reason: str, source: str = "web"
) -> PlanVoteReuse:
    """A second person (not the drafter of this version) confirms that it may
    rest on the previous version's passed vote: the total cost rose within
    the jurisdiction's tolerance and no item was added. Recorded and audited;
    the approval gate checks the tolerance again."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("请填写沿用上一版业主表决的理由"))
    with transaction.atomic():
        plan = _lock(plan)
        if plan.status not in (PlanStatus.DRAFT, PlanStatus.CONSULTED):
            raise DomainError(_("只有未审批的方案可以确认沿用业主表决"))
        if plan.created_by_id and plan.created_by_id == actor.pk:
            raise DomainError(_("须由方案编制人以外的另一人确认沿用业主表决"))
        vote = selectors_votes.previous_vote(plan)
        problems = selectors_votes.reuse_problems(plan, vote)
        if problems:
            raise DomainError(";".join(problems))
        reuse, _created = PlanVoteReuse.objects.update_or_create(
            plan=plan,
            defaults={
                "vote": vote,
                "voted_cost": selectors_votes.voted_cost(vote),
                "cost": plan.total_cost,
                "reason": reason,
                "confirmed_by": actor,
            },
        )
        audit.record(
            actor=actor,
            instance=plan,
            action="update",
            source=source,
            changes={
                "vote_reused": [None, vote.pk],
                "voted_cost": str(reuse.voted_cost),
                "cost": str(plan.total_cost),
                "reason": reason,
            },
        )
    return reuse
