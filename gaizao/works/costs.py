"""Cost roll-ups (pure: plain data in, plain data out, exact Decimal).

Per item: budget (plan quantity × unit cost, plus approved change orders),
committed, paid and spent, and the value of work done (budget × percent
complete). Two flags the auditors keep finding (审计署 老旧小区改造 专项审计
的常见问题: 超进度拨付工程款, 超概算):
- `paid_above_work`: progress payments exceed the value of work done;
- `overrun`: committed or spent exceeds the budget.
Per funding source: the plan's funding line against committed/paid/spent."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

ZERO = Decimal("0")
CENT = Decimal("0.01")


@dataclass
class ItemCost:
    item_id: int
    name: str
    budget: Decimal
    percent_done: Decimal
    committed: Decimal = ZERO
    paid: Decimal = ZERO
    spent: Decimal = ZERO

    @property
    def work_done(self) -> Decimal:
        return (self.budget * self.percent_done / 100).quantize(CENT)

    @property
    def paid_above_work(self) -> bool:
        return self.paid > self.work_done

    @property
    def overrun(self) -> bool:
        return max(self.committed, self.spent) > self.budget


@dataclass
class SourceCost:
    source: str
    planned: Decimal = ZERO
    committed: Decimal = ZERO
    paid: Decimal = ZERO
    spent: Decimal = ZERO

    @property
    def overrun(self) -> bool:
        return max(self.committed, self.spent) > self.planned


@dataclass
class Rollup:
    items: list[ItemCost]
    sources: list[SourceCost]
    totals: dict = field(default_factory=dict)

    @property
    def flags(self) -> dict:
        return {
            "paid_above_work": [i for i in self.items if i.paid_above_work],
            "overrun": [i for i in self.items if i.overrun],
            "source_overrun": [s for s in self.sources if s.overrun],
        }


def rollup(
    items: list[dict],
    entries: list[dict],
    planned_by_source: dict[str, Decimal],
    approved_changes: dict[int, Decimal] | None = None,
    source_order: list[str] | None = None,
) -> Rollup:
    """items: {"id", "name", "budget", "percent_done"}; entries: {"item_id",
    "source", "kind" (committed|paid|spent), "amount"}; approved_changes:
    item id → amount added to (or taken from) its budget."""
    changes = approved_changes or {}
    by_item = {
        i["id"]: ItemCost(
            item_id=i["id"],
            name=i["name"],
            budget=Decimal(i["budget"]) + changes.get(i["id"], ZERO),
            percent_done=Decimal(i["percent_done"]),
        )
        for i in items
    }
    by_source: dict[str, SourceCost] = {}
    for s, amount in planned_by_source.items():
        by_source[s] = SourceCost(source=s, planned=Decimal(amount))
    totals: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for e in entries:
        kind, amount = e["kind"], Decimal(e["amount"])
        ic = by_item.get(e["item_id"])
        if ic is not None:
            setattr(ic, kind, getattr(ic, kind) + amount)
        sc = by_source.setdefault(e["source"], SourceCost(source=e["source"]))
        setattr(sc, kind, getattr(sc, kind) + amount)
        totals[kind] += amount
    for ic in by_item.values():
        totals["budget"] += ic.budget
        totals["work_done"] += ic.work_done
    order = source_order or sorted(by_source)
    sources = sorted(
        by_source.values(), key=lambda s: order.index(s.source) if s.source in order else 99
    )
    return Rollup(items=list(by_item.values()), sources=sources, totals=dict(totals))
