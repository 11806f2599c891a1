"""Differences between two versions of a plan: pure, over plain tuples."""

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class ItemRow:
    code: str
    name: str
    unit: str
    quantity: Decimal
    unit_cost: Decimal
    cost: Decimal


@dataclass(frozen=True)
class Change:
    kind: str  # "added" | "removed" | "changed"
    code: str
    name: str
    unit: str
    old_quantity: Decimal | None
    new_quantity: Decimal | None
    old_cost: Decimal | None
    new_cost: Decimal | None
    old_unit_cost: Decimal | None = None
    new_unit_cost: Decimal | None = None

    @property
    def cost_delta(self) -> Decimal:
        return (self.new_cost or Decimal(0)) - (self.old_cost or Decimal(0))


def diff_items(old: list[ItemRow], new: list[ItemRow]) -> list[Change]:
    a = {r.code: r for r in old}
    b = {r.code: r for r in new}
    out = []
    for code in sorted(set(a) | set(b)):
        o, n = a.get(code), b.get(code)
        if o is None:
            out.append(
                Change(
                    "added", code, n.name, n.unit, None, n.quantity, None, n.cost, None, n.unit_cost
                )
            )
        elif n is None:
            out.append(
                Change(
                    "removed",
                    code,
                    o.name,
                    o.unit,
                    o.quantity,
                    None,
                    o.cost,
                    None,
                    o.unit_cost,
                    None,
                )
            )
        elif (o.quantity, o.unit_cost) != (n.quantity, n.unit_cost):
            out.append(
                Change(
                    "changed",
                    code,
                    n.name,
                    n.unit,
                    o.quantity,
                    n.quantity,
                    o.cost,
                    n.cost,
                    o.unit_cost,
                    n.unit_cost,
                )
            )
    return out


def diff_funding(
    old: dict[str, Decimal], new: dict[str, Decimal]
) -> list[tuple[str, Decimal, Decimal]]:
    """(source, old amount, new amount) for every source whose amount changed."""
    return [
        (s, old.get(s, Decimal("0.00")), new.get(s, Decimal("0.00")))
        for s in sorted(set(old) | set(new))
        if old.get(s, Decimal("0.00")) != new.get(s, Decimal("0.00"))
    ]
