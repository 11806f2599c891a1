"""stewardship writes: the management arrangement after the works (以管定建)."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from gaizao.core import audit
from gaizao.core.errors import DomainError
from gaizao.regions.models import Organisation

from .models import MANAGER_KINDS, ManagementArrangement, ManagementModel
from .selectors import district_prefix

FIELDS = [
    "model",
    "manager",
    "manager_name",
    "rules_adopted",
    "rules_adopted_on",
    "fee_per_m2_month",
    "starts_on",
    "note",
]


def _date(value, label):
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise DomainError(
            _("%(label)s“%(value)s”不是有效日期(格式:2025-03-01)")
            % {"label": label, "value": value}
        )


def _check_manager(compound, model: str, manager: Organisation) -> None:
    """以管定建: the manager is the kind of body the model names, and a body of
    the compound's own district (the district answers for the works)."""
    kinds = MANAGER_KINDS.get(model, ())
    if manager.kind not in kinds:
        raise DomainError(
            _("管理单位“%(org)s”是%(kind)s,不能按“%(model)s”模式管理小区(应为:%(allowed)s)")
            % {
                "org": manager.name,
                "kind": manager.get_kind_display(),
                "model": ManagementModel(model).label,
                "allowed": "、".join(str(Organisation.Kind(k).label) for k in kinds),
            }
        )
    prefix = district_prefix(compound)
    if manager.area_id is None or not manager.area.code.startswith(prefix):
        district = compound.street.parent.name if compound.street.parent_id else prefix
        raise DomainError(
            _("管理单位“%(org)s”不在%(compound)s所在的%(district)s,请选择本区登记的单位")
            % {"org": manager.name, "compound": compound.name, "district": district}
        )


def arrangement_save(*, actor, compound, data: dict, source: str = "web") -> ManagementArrangement:
    """Record or update the compound's arrangement. `data` keys: model,
    manager (Organisation, id or None), manager_name, rules_adopted,
    rules_adopted_on, fee_per_m2_month, starts_on, note."""
    model = data.get("model")
    if model not in ManagementModel.values:
        raise DomainError(_("请选择管理模式(物业服务企业、产权单位管理、居民自治管理、社区托管等)"))
    manager = data.get("manager")
    if manager is not None and not isinstance(manager, Organisation):
        try:
            manager = Organisation.objects.select_related("area").filter(pk=manager).first()
        except (ValueError, TypeError):
            manager = None
        if manager is None:
            raise DomainError(_("管理单位不存在"))
    manager_name = (data.get("manager_name") or "").strip()
    if manager is None and not manager_name:
        raise DomainError(_("请选择管理单位或填写管理单位名称"))
    if manager is not None:
        _check_manager(compound, model, manager)
    fee = data.get("fee_per_m2_month")
    if fee not in (None, ""):
        try:
            fee = Decimal(str(fee).strip())
        except (InvalidOperation, ValueError):
            raise DomainError(_("物业费“%(fee)s”不是有效的数字") % {"fee": fee})
        if not fee.is_finite() or fee < 0 or fee > 100:
            raise DomainError(_("物业费须在 0 至 100 元/㎡·月之间"))
        fee = fee.quantize(Decimal("0.01"))
    else:
        fee = None
    rules_adopted = bool(data.get("rules_adopted"))
    rules_on = _date(data.get("rules_adopted_on"), _("管理规约通过日期"))
    if rules_on and not rules_adopted:
        raise DomainError(_("填写了管理规约通过日期,请同时勾选“已制定管理规约”"))
    values = {
        "model": model,
        "manager": manager,
        "manager_name": manager_name[:128],
        "rules_adopted": rules_adopted,
        "rules_adopted_on": rules_on,
        "fee_per_m2_month": fee,
        "starts_on": _date(data.get("starts_on"), _("开始日期")),
        "note": (data.get("note") or "").strip(),
    }
    with transaction.atomic():
        arr = ManagementArrangement.objects.select_for_update().filter(compound=compound).first()
        created = arr is None
        if created:
            arr = ManagementArrangement(compound=compound)
        before = {} if created else audit.snapshot(arr, FIELDS)
        for k, v in values.items():
            setattr(arr, k, v)
        arr.recorded_by = actor if getattr(actor, "is_authenticated", False) else None
        arr.save()
        audit.record(
            actor=actor,
            instance=arr,
            action="create" if created else "update",
            source=source,
            changes=audit.diff(before, audit.snapshot(arr, FIELDS)),
        )
    return arr
