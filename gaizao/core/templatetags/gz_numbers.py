"""Money and quantities as Chinese readers expect them, whatever the locale:
650,000 元 (comma groups of three, no ".00" on whole amounts), 1,234.50 元.

The one place numbers are formatted for pages: `{% load gz_numbers %}` then
`{{ x|yuan }}` (whole amounts without decimals; cents when there are any),
`{{ x|money }}` (always two decimals, for bills), `{{ x|num0 }}`, `{{ x|qty }}`.
Exact Decimal arithmetic, never float. None or "" shows "—".
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template

register = template.Library()

CENT = Decimal("0.01")


def to_decimal(value) -> Decimal | None:
    if value in (None, "") or isinstance(value, bool):
        return None
    try:
        d = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return d if d.is_finite() else None


def format_yuan(value) -> str:
    d = to_decimal(value)
    if d is None:
        return "—"
    d = d.quantize(CENT, rounding=ROUND_HALF_UP)
    if d == d.to_integral_value():
        return f"{d.quantize(Decimal('1')):,}"
    return f"{d:,}"


@register.filter
def yuan(value):
    """650000.00 → 650,000; 1234.5 → 1,234.50."""
    return format_yuan(value)


@register.filter
def money(value):
    d = to_decimal(value)
    return "—" if d is None else f"{d.quantize(CENT, rounding=ROUND_HALF_UP):,}"


@register.filter
def num0(value):
    d = to_decimal(value)
    return "—" if d is None else f"{d.quantize(Decimal('1'), rounding=ROUND_HALF_UP):,}"


@register.filter
def qty(value):
    d = to_decimal(value)
    if d is None:
        return "—"
    return f"{int(d):,}" if d == d.to_integral_value() else f"{d.quantize(CENT):,}"
