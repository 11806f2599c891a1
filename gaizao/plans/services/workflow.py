"""The plan workflow: draft → consulted → approved → superseded, and its gates (以管定建, the owners' vote)."""

from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from gaizao.core import audit
from gaizao.core.errors import DomainError
from gaizao.stewardship.models import ManagementArrangement

from .. import selectors
from ..funding import fmt
from ..models import (
    Plan,
    PlanStatus,
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
    rule = plan_rule(plan)
    if rule is None or rule.vote_required:
        for c in compounds:
            if not selectors.compound_vote_passed(c.pk):
                out.append(
                    _(
                        "%(name)s的业主表决(民法典第二百七十八条,改建建筑物及其附属设施)"
                        "尚未通过,不能审批方案"
                    )
                    % {"name": c.name}
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
