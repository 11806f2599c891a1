"""Plan items and funding: set, add, remove, split, edit."""

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from gaizao.core import audit, summaries
from gaizao.core.errors import DomainError

from ..funding import SOURCE_LABELS, fmt
from ..models import (
    FundingLine,
    FundingSource,
    ItemSource,
    Plan,
    PlanItem,
)
from ..selectors import (
    catalogue_for_plan,
)
from ._base import _editable, _parse_quantity, _refresh, plan_cost_summary

# ---- items --------------------------------------------------------------------


def _reset_change(reset: bool) -> dict:
    """The audit trail says when a change replaced hand-set funding by the rules."""
    return {"funding": ["manual", "rules"]} if reset else {}


def plan_item_set(
    *,
    actor,
    plan: Plan,
    item_id,
    quantity=None,
    note: str | None = None,
    estimate: str | None = None,
    source: str = "web",
) -> tuple[Plan, PlanItem]:
    """Change an item's quantity (and note). On an approved plan this makes a
    new version first; returns the plan and item actually changed."""
    q = _parse_quantity(quantity) if quantity is not None else None
    with transaction.atomic():
        target = _editable(plan, actor, source)
        try:
            old_item = PlanItem.objects.get(pk=item_id, plan_id=plan.pk)
        except (PlanItem.DoesNotExist, ValueError, TypeError):
            raise DomainError(_("方案中没有这一项目"))
        item = target.items.get(code=old_item.code)
        before = audit.snapshot(item, ["quantity", "note", "estimate"])
        if q is not None:
            item.quantity = q
        if note is not None:
            item.note = note.strip()[:300]
        if estimate is not None:
            item.estimate = estimate.strip()
        item.save()
        reset = _refresh(target)
        changes = audit.diff(before, audit.snapshot(item, ["quantity", "note", "estimate"]))
        audit.record(
            actor=actor,
            instance=target,
            action="update",
            source=source,
            changes={f"{item.code}.{k}": v for k, v in changes.items()} | _reset_change(reset),
        )
    return target, item


def plan_item_add(
    *,
    actor,
    plan: Plan,
    code: str,
    quantity,
    item_source: str = ItemSource.STAFF,
    note: str = "",
    estimate: str = "",
    source: str = "web",
) -> tuple[Plan, PlanItem]:
    q = _parse_quantity(quantity)
    if item_source not in ItemSource.values:
        raise DomainError(_("项目来源“%(item_source)s”无效") % {"item_source": item_source})
    with transaction.atomic():
        target = _editable(plan, actor, source)
        entry = catalogue_for_plan(target).filter(code=code).first()
        if entry is None:
            raise DomainError(_("改造内容目录中没有编码为“%(code)s”的项目") % {"code": code})
        if target.items.filter(code=code).exists():
            raise DomainError(_("“%(name)s”已在方案中,请直接修改其工程量") % {"name": entry.name})
        item = PlanItem.objects.create(
            plan=target,
            catalog_item=entry,
            code=entry.code,
            name=entry.name,
            tier=entry.tier,
            unit=entry.unit,
            unit_cost=entry.unit_cost,
            quantity=q,
            estimate=estimate.strip() or "工作人员录入",
            source=item_source,
            note=note.strip()[:300],
        )
        reset = _refresh(target)
        audit.record(
            actor=actor,
            instance=target,
            action="update",
            source=source,
            changes={f"{code}.quantity": [None, str(q)]} | _reset_change(reset),
        )
    return target, item


def plan_item_remove(*, actor, plan: Plan, item_id, source: str = "web") -> Plan:
    with transaction.atomic():
        target = _editable(plan, actor, source)
        try:
            code = PlanItem.objects.get(pk=item_id, plan_id=plan.pk).code
        except (PlanItem.DoesNotExist, ValueError, TypeError):
            raise DomainError(_("方案中没有这一项目"))
        item = target.items.get(code=code)
        item.delete()
        reset = _refresh(target)
        audit.record(
            actor=actor,
            instance=target,
            action="update",
            source=source,
            changes={f"{code}.quantity": [str(item.quantity), None]} | _reset_change(reset),
        )
    return target


# An item the residents chose goes into the plan when at least half of all
# households picked it: the programme's "尊重居民意愿" (Panlong 2020 seed text,
# 提升项目 "结合居民意愿") read as the same half the item menu page shows.
MENU_THRESHOLD = Decimal("0.5")


@dataclass
class MenuImport:
    """What "加入居民点单结果" did, item by item, so the page can say why
    nothing (or only part) was added."""

    added: list[dict] = field(default_factory=list)
    below: list[dict] = field(default_factory=list)  # share < MENU_THRESHOLD
    present: list[dict] = field(default_factory=list)  # already in the plan
    refused: list[dict] = field(default_factory=list)  # the catalogue refused it

    @property
    def threshold_percent(self) -> int:
        return int(MENU_THRESHOLD * 100)


def plan_add_menu_results(
    *, actor, plan: Plan, results: list[dict], source: str = "web"
) -> MenuImport:
    """Add the residents' chosen items (居民点单) not yet in the plan: those
    picked by at least half of the households (when the share is known)."""
    out = MenuImport()
    for r in results:
        code = r.get("code")
        row = {"code": code, "name": r.get("name") or code, "share": r.get("share")}
        if r.get("share") is not None and Decimal(str(r["share"])) < MENU_THRESHOLD:
            out.below.append(row)
            continue
        if not code or plan.items.filter(code=code).exists():
            out.present.append(row)
            continue
        try:
            plan, _added = plan_item_add(
                actor=actor,
                plan=plan,
                code=code,
                quantity=r.get("quantity") or 1,
                item_source=ItemSource.RESIDENT,
                estimate="居民点单选定,工程量待核定",
                source=source,
            )
        except DomainError as e:
            out.refused.append(row | {"reason": e.message})
            continue
        out.added.append(row)
    return out


# ---- funding ----------------------------------------------------------------


def plan_funding_set(*, actor, plan: Plan, amounts: dict, source: str = "web") -> Plan:
    """Staff set the funding lines by hand. Refused unless they sum exactly
    to the total; nothing is written then."""
    parsed: dict[str, Decimal] = {}
    for key, value in amounts.items():
        if key not in FundingSource.values:
            raise DomainError(_("资金来源“%(key)s”无效") % {"key": key})
        if value in (None, ""):
            continue
        label = _(SOURCE_LABELS[key])
        try:
            amt = Decimal(str(value).strip().replace(",", ""))
        except (InvalidOperation, ValueError):
            raise DomainError(
                _("%(label)s金额“%(value)s”不是有效的数字") % {"label": label, "value": value}
            )
        if not amt.is_finite() or amt < 0:
            raise DomainError(
                _("%(label)s金额不能为负数(填写的是 %(value)s)") % {"label": label, "value": value}
            )
        if amt != amt.quantize(Decimal("0.01")):
            raise DomainError(
                _("%(label)s金额最多保留两位小数(填写的是 %(value)s)")
                % {"label": label, "value": value}
            )
        parsed[key] = amt.quantize(Decimal("0.01"))
    with transaction.atomic():
        target = _editable(plan, actor, source)
        total = plan_cost_summary(target).total
        got = sum(parsed.values(), Decimal("0.00"))
        if got != total:
            raise DomainError(
                _("资金合计 %(got)s 元,与总造价 %(total)s 元不符,差额 %(value)s 元")
                % {"got": fmt(got), "total": fmt(total), "value": fmt(total - got)},
                code="funding_mismatch",
            )
        before = {fl.source: str(fl.amount) for fl in target.funding_lines.all()}
        old_basis = {fl.source: fl.basis for fl in target.funding_lines.all()}
        # One refresh of the kept summaries for the lines and the plan's save
        # (core.summaries.suspended), not one a deleted line.
        with summaries.suspended():
            target.funding_lines.all().delete()
            FundingLine.objects.bulk_create(
                [
                    FundingLine(
                        plan=target,
                        source=k,
                        amount=v,
                        basis=old_basis.get(k, "")
                        if before.get(k) == str(v)
                        else "工作人员手工调整",
                    )
                    for k, v in sorted(
                        parsed.items(), key=lambda kv: FundingSource.values.index(kv[0])
                    )
                    if v > 0 or k == FundingSource.DISTRICT
                ]
            )
            target.funding_manual = True
            target.total_cost = total
            target.save(update_fields=["funding_manual", "total_cost", "updated_at"])
        after = {k: str(v) for k, v in parsed.items()}
        audit.record(
            actor=actor,
            instance=target,
            action="update",
            source=source,
            changes={
                f"funding.{k}": [before.get(k), after.get(k)]
                for k in set(before) | set(after)
                if before.get(k) != after.get(k)
            },
        )
    return target


def plan_funding_recompute(*, actor, plan: Plan, source: str = "web") -> Plan:
    with transaction.atomic():
        target = _editable(plan, actor, source)
        _refresh(target, recompute=True)
        audit.record(
            actor=actor,
            instance=target,
            action="update",
            source=source,
            changes={"funding": ["manual", "rules"]},
        )
    return target


def plan_update(
    *,
    actor,
    plan: Plan,
    notes: str | None = None,
    maintenance_fund_balance=None,
    source: str = "web",
) -> Plan:
    bal = None
    if maintenance_fund_balance not in (None, ""):
        try:
            bal = Decimal(str(maintenance_fund_balance).replace(",", "").strip())
        except (InvalidOperation, ValueError):
            raise DomainError(
                _("可用专项维修资金“%(maintenance_fund_balance)s”不是有效的数字")
                % {"maintenance_fund_balance": maintenance_fund_balance}
            )
        if not bal.is_finite() or bal < 0:
            raise DomainError(_("可用专项维修资金不能为负数"))
    with transaction.atomic():
        target = _editable(plan, actor, source)
        before = audit.snapshot(target, ["notes", "maintenance_fund_balance"])
        if notes is not None:
            target.notes = notes.strip()
        if bal is not None:
            target.maintenance_fund_balance = bal.quantize(Decimal("0.01"))
        target.save()
        reset = _refresh(target)
        audit.record(
            actor=actor,
            instance=target,
            action="update",
            source=source,
            changes=audit.diff(
                before, audit.snapshot(target, ["notes", "maintenance_fund_balance"])
            )
            | _reset_change(reset),
        )
    return target
