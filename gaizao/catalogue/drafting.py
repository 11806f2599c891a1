"""Drafting a plan from the latest survey: pure functions, no ORM.

基础类应改尽改: every basic facility the survey found broken (损坏) or missing
(缺失) becomes every auto-estimated basic catalogue item that repairs it, with
a quantity estimated from the compound's data and the formula written out in
Chinese. Worn (老化) basic facilities and any broken or missing facility of
the seed's 提升项目 list are *suggested* only (shown with an add button): they
are the residents' and staff's choice, and adding them blindly would inflate
the estimate.
"""

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

# Road length is rarely recorded: estimated from floor area (a typical 1990s
# compound of 20,000 m² has about 300 m of internal roads).
ROAD_M_PER_M2 = Decimal("0.015")
# A compound record without floor area: households × a typical flat.
M2_PER_HOUSEHOLD = Decimal("70")
# Without entrance data: two entrances per building.
ENTRANCES_PER_BUILDING = 2
COUNT_UNITS = {"个", "套", "处", "项", "部"}


@dataclass(frozen=True)
class CompoundFacts:
    name: str
    floor_area: Decimal | None
    building_count: int | None
    households: int | None
    entrances: int | None = None  # sum over buildings, when recorded


@dataclass(frozen=True)
class CatalogEntry:
    code: str
    name: str
    unit: str
    tier: str
    facility: str | None
    basis: str
    factor: Decimal


@dataclass(frozen=True)
class DraftLine:
    code: str
    quantity: Decimal
    estimate: str
    facility: str | None = None
    rating: str = ""


def fmt(d) -> str:
    d = Decimal(d)
    if d == d.to_integral_value():
        return f"{int(d):,}"
    # Factors like 0.015 m/㎡ keep their digits; measured values keep at most 4.
    return f"{d.quantize(Decimal('0.0001'), rounding=ROUND_HALF_UP).normalize():,f}"


def _round(q: Decimal, unit: str) -> Decimal:
    """Counted items round up (half a lamp is a lamp); lengths and areas to 1."""
    if unit in COUNT_UNITS:
        return Decimal(max(1, math.ceil(q)))
    return max(Decimal(1), q.quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def _area(f: CompoundFacts) -> tuple[Decimal, str]:
    if f.floor_area:
        return Decimal(f.floor_area), f"建筑面积 {fmt(f.floor_area)}㎡"
    hh = f.households or 1
    a = M2_PER_HOUSEHOLD * hh
    return a, f"建筑面积未登记,按 {hh} 户 × {fmt(M2_PER_HOUSEHOLD)}㎡ 估为 {fmt(a)}㎡"


def _buildings(f: CompoundFacts) -> tuple[int, str]:
    if f.building_count:
        return f.building_count, f"楼栋 {f.building_count} 栋"
    n = max(1, math.ceil((f.households or 24) / 24))
    return n, f"楼栋数未登记,按每栋 24 户估为 {n} 栋"


def _entrances(f: CompoundFacts) -> tuple[int, str]:
    if f.entrances:
        return f.entrances, f"单元 {f.entrances} 个"
    b, text = _buildings(f)
    n = b * ENTRANCES_PER_BUILDING
    return n, f"{text},每栋按 {ENTRANCES_PER_BUILDING} 个单元估为 {n} 个单元"


def _road_length(f: CompoundFacts) -> tuple[Decimal, str]:
    a, text = _area(f)
    length = (a * ROAD_M_PER_M2).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
    return length, f"{text} × {fmt(ROAD_M_PER_M2)} m/㎡ 估算道路长度 {fmt(length)} m"


def estimate(entry: CatalogEntry, f: CompoundFacts) -> tuple[Decimal, str] | None:
    """(quantity, explanation) or None when the item has no estimate basis."""
    k = Decimal(entry.factor)
    u = entry.unit
    what = entry.name
    if entry.basis == "floor_area":
        a, text = _area(f)
        q = _round(a * k, u)
        return q, f"按{text} × {fmt(k)} {u}/㎡ 估算{what} {fmt(q)} {u}"
    if entry.basis == "building":
        n, text = _buildings(f)
        q = _round(Decimal(n) * k, u)
        return q, f"按{text} × {fmt(k)} {u}/栋 估算{what} {fmt(q)} {u}"
    if entry.basis == "entrance":
        n, text = _entrances(f)
        q = _round(Decimal(n) * k, u)
        return q, f"按{text} × {fmt(k)} {u}/单元 估算{what} {fmt(q)} {u}"
    if entry.basis == "household":
        hh = f.households or 0
        if not hh:
            return Decimal(1), f"户数未登记,{what}暂按 1 {u} 计,请核实"
        q = _round(Decimal(hh) * k, u)
        return q, f"按 {hh} 户 × {fmt(k)} {u}/户 估算{what} {fmt(q)} {u}"
    if entry.basis == "road_length":
        length, text = _road_length(f)
        q = _round(length * k, u)
        return q, f"{text},× {fmt(k)} 估算{what} {fmt(q)} {u}"
    if entry.basis == "road_area":
        length, text = _road_length(f)
        q = _round(length * k, u)
        return q, f"{text},按路宽 {fmt(k)} m 估算{what} {fmt(q)} {u}"
    if entry.basis == "lamp":
        length, text = _road_length(f)
        q = _round(length / k, u) if k > 0 else Decimal(1)
        return q, f"{text},按每 {fmt(k)} m 一盏估算{what} {fmt(q)} {u}"
    if entry.basis == "compound":
        q = _round(k, u)
        return q, f"每小区 {fmt(q)} {u}"
    return None


def draft(
    facts: CompoundFacts,
    ratings: dict[str, str],
    catalogue: list[CatalogEntry],
    basic_facilities: set[str],
) -> tuple[list[DraftLine], list[DraftLine]]:
    """(items, suggestions) for one compound.

    items: broken/missing basic facilities → their auto-estimated basic items.
    suggestions: worn basic facilities, and broken/missing 提升项目
    facilities, → their items (with an estimate where one exists)."""
    items: list[DraftLine] = []
    suggestions: list[DraftLine] = []
    labels = {"broken": "损坏", "missing": "缺失", "worn": "老化"}
    for entry in catalogue:
        if not entry.facility or entry.facility not in ratings:
            continue
        rating = ratings[entry.facility]
        if rating not in labels:
            continue
        est = estimate(entry, facts)
        is_basic = entry.facility in basic_facilities and entry.tier == "basic"
        if is_basic and rating in ("broken", "missing") and est is not None:
            q, text = est
            items.append(
                DraftLine(
                    entry.code, q, f"摸底调查:{labels[rating]}。{text}", entry.facility, rating
                )
            )
        else:
            q, text = est if est else (Decimal(1), "工程量请按现场核定")
            suggestions.append(
                DraftLine(
                    entry.code, q, f"摸底调查:{labels[rating]}。{text}", entry.facility, rating
                )
            )
    return items, suggestions


def merge(per_member: list[tuple[str, list[DraftLine]]]) -> list[DraftLine]:
    """A cluster's draft: quantities summed over members, explanations joined
    member by member ("天祥小区:…;云山小区:…")."""
    qty: dict[str, Decimal] = {}
    texts: dict[str, list[str]] = {}
    meta: dict[str, DraftLine] = {}
    for name, lines in per_member:
        for ln in lines:
            qty[ln.code] = qty.get(ln.code, Decimal(0)) + ln.quantity
            texts.setdefault(ln.code, []).append(f"{name}:{ln.estimate}")
            meta.setdefault(ln.code, ln)
    return [
        DraftLine(
            code,
            qty[code],
            ";".join(texts[code]) + f"。合计 {fmt(qty[code])}",
            meta[code].facility,
            meta[code].rating,
        )
        for code in qty
    ]
