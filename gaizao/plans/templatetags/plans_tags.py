"""Money and quantity formatting for plan pages: 1,234,567.89 whatever the locale."""

from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


def _dec(value):
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


@register.filter
def money(value):
    d = _dec(value)
    return "—" if d is None else f"{d.quantize(Decimal('0.01')):,}"


@register.filter
def num0(value):
    d = _dec(value)
    return "—" if d is None else f"{d.quantize(Decimal('1')):,}"


@register.filter
def qty(value):
    d = _dec(value)
    if d is None:
        return "—"
    return f"{int(d):,}" if d == d.to_integral_value() else f"{d.quantize(Decimal('0.01')):,}"
