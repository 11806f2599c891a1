"""Cost estimate: pure functions over plain data (no ORM), in Decimal.

Every money amount is rounded to 0.01 元 (ROUND_HALF_UP) per item; the tier
and total figures are sums of the rounded item costs, so a printed bill adds up.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
TIERS = ["basic", "safety", "improvement", "enhancement"]


def q2(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def item_cost(quantity, unit_cost) -> Decimal:
    return q2(Decimal(quantity) * Decimal(unit_cost))


@dataclass(frozen=True)
class CostLine:
    tier: str
    quantity: Decimal
    unit_cost: Decimal

    @property
    def cost(self) -> Decimal:
        return item_cost(self.quantity, self.unit_cost)


@dataclass
class CostSummary:
    by_tier: dict[str, Decimal] = field(default_factory=dict)
    total: Decimal = Decimal("0.00")
    per_m2: Decimal | None = None
    per_household: Decimal | None = None


def cost_by_tier(lines: list[CostLine]) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    for ln in lines:
        out[ln.tier] = out.get(ln.tier, Decimal("0.00")) + ln.cost
    order = {t: i for i, t in enumerate(TIERS)}
    return dict(sorted(out.items(), key=lambda kv: order.get(kv[0], 99)))


def summarise(lines: list[CostLine], floor_area=None, households=None) -> CostSummary:
    """Total, per tier, per m² of floor area and per household (None when the
    compound's area or household count is unknown or zero)."""
    by_tier = cost_by_tier(lines)
    total = sum(by_tier.values(), Decimal("0.00"))
    area = Decimal(floor_area) if floor_area else None
    hh = Decimal(households) if households else None
    return CostSummary(
        by_tier=by_tier,
        total=total,
        per_m2=q2(total / area) if area and area > 0 else None,
        per_household=q2(total / hh) if hh and hh > 0 else None,
    )
