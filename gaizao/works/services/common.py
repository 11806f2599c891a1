from datetime import date
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext as _

from gaizao.core.errors import DomainError


def as_date(value, label: str, *, required: bool = True, not_future: bool = False) -> date | None:
    if value in (None, ""):
        if required:
            raise DomainError(_("请填写%(label)s") % {"label": label})
        return None
    if not isinstance(value, date):
        try:
            value = date.fromisoformat(str(value))
        except ValueError:
            raise DomainError(
                _("%(label)s“%(value)s”不是有效日期(格式:2025-03-01)")
                % {"label": label, "value": value}
            )
    if not_future and value > timezone.localdate():
        raise DomainError(_("%(label)s不能晚于今天") % {"label": label})
    return value


def as_money(value, label: str, *, allow_negative: bool = False) -> Decimal:
    try:
        d = Decimal(str(value).strip().replace(",", "")).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise DomainError(_("%(label)s“%(value)s”不是有效金额") % {"label": label, "value": value})
    if not d.is_finite() or (d <= 0 and not allow_negative) or abs(d) >= Decimal("1e12"):
        raise DomainError(_("%(label)s须为大于 0 的金额") % {"label": label})
    return d


def as_percent(value, label: str) -> Decimal:
    try:
        d = Decimal(str(value).strip().rstrip("%")).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise DomainError(
            _("%(label)s“%(value)s”不是有效百分比") % {"label": label, "value": value}
        )
    if not d.is_finite() or d < 0 or d > 100:
        raise DomainError(_("%(label)s须在 0–100 之间") % {"label": label})
    return d
