"""stewardship writes after the handover: maintenance orders, the
maintenance fund, quarterly ratings. Each audited, in one transaction."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from gaizao.core import audit
from gaizao.core.errors import DomainError

from .models import RATING_CHECKLIST, FundEntry, MaintenanceOrder, Rating


def maintenance_order_create(
    *, actor, compound, source: str, text: str, source_ref: str = "", assignee=None, src="web"
) -> MaintenanceOrder:
    text = (text or "").strip()
    if not text:
        raise DomainError(_("请填写维修内容"))
    if source not in MaintenanceOrder.Source.values:
        raise DomainError(_("维修工单来源“%(s)s”无效") % {"s": source})
    with transaction.atomic():
        mo = MaintenanceOrder.objects.create(
            compound=compound,
            source=source,
            source_ref=source_ref[:64],
            text=text[:2000],
            assignee=assignee,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit.record(
            actor=actor, instance=mo, action="create", source=src, changes={"source": source}
        )
    return mo


def maintenance_order_done(*, actor, order: MaintenanceOrder, src="web") -> MaintenanceOrder:
    if order.status == "done":
        raise DomainError(_("该维修工单已完成"))
    with transaction.atomic():
        order.status, order.done_at = "done", timezone.now()
        order.save(update_fields=["status", "done_at", "updated_at"])
        audit.record(
            actor=actor,
            instance=order,
            action="update",
            source=src,
            changes={"status": ["open", "done"]},
        )
    return order


def fund_balance(compound) -> Decimal:
    sums = dict(
        FundEntry.objects.filter(compound=compound).values_list("kind").annotate(s=Sum("amount"))
    )
    return (sums.get("contribution") or Decimal("0")) - (sums.get("draw") or Decimal("0"))


def fund_entry_record(
    *, actor, compound, kind: str, amount, on, decision: str = "", src="web"
) -> FundEntry:
    try:
        amount = Decimal(str(amount)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise DomainError(_("金额“%(v)s”不是有效数字") % {"v": amount})
    if amount <= 0:
        raise DomainError(_("金额须大于 0"))
    if kind not in FundEntry.Kind.values:
        raise DomainError(_("类型无效"))
    if not isinstance(on, date):
        try:
            on = date.fromisoformat(str(on))
        except ValueError:
            raise DomainError(_("日期“%(v)s”无效(格式:2025-03-01)") % {"v": on})
    decision = (decision or "").strip()
    with transaction.atomic():
        if kind == "draw":
            # 《民法典》第二百七十八条: a draw on the fund is the owners' decision.
            if not decision:
                raise DomainError(_("使用维修资金须写明业主表决依据(民法典第二百七十八条)"))
            if amount > fund_balance(compound):
                raise DomainError(_("使用金额超过维修资金余额"))
        e = FundEntry.objects.create(
            compound=compound,
            kind=kind,
            amount=amount,
            on=on,
            decision=decision[:200],
            recorded_by=actor,
        )
        audit.record(
            actor=actor,
            instance=e,
            action="create",
            source=src,
            changes={"kind": kind, "amount": str(amount)},
        )
    return e


def rating_record(
    *, actor, compound, year: int, quarter: int, checked: list[str], src="web"
) -> Rating:
    keys = [k for k, _label in RATING_CHECKLIST]
    if quarter not in (1, 2, 3, 4):
        raise DomainError(_("季度须为 1–4"))
    unknown = [k for k in checked if k not in keys]
    if unknown:
        raise DomainError(_("考评项“%(k)s”无效") % {"k": unknown[0]})
    checklist = {k: (k in checked) for k in keys}
    score = round(100 * sum(checklist.values()) / len(keys))
    with transaction.atomic():
        r, created = Rating.objects.update_or_create(
            compound=compound,
            year=year,
            quarter=quarter,
            defaults={"checklist": checklist, "score": score, "rated_by": actor},
        )
        audit.record(
            actor=actor,
            instance=r,
            action="create" if created else "update",
            source=src,
            changes={"score": score},
        )
    return r


def rating_trend(compound) -> list[Rating]:
    return list(Rating.objects.filter(compound=compound).order_by("year", "quarter"))
