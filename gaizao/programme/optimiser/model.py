"""Instance and result dataclasses, and the JSON instance reader.

The JSON format is the one of issue 15 (null where absent):

    {"periods": [{"id", "area_target_m2", "budget_yuan", "weight",
                  "household_cap_extension"}],
     "compounds": [{"id", "area_m2", "households", "cost_yuan", "score",
                    "street", "cluster", "extension", "locked_period"}],
     "max_concurrent_per_street"}

A malformed instance raises `InstanceError` whose message is one Chinese line
naming the field (e.g. ``compounds[3].area_m2``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

Id = str | int


class InstanceError(ValueError):
    """The instance is malformed; the message is one line naming the field."""


@dataclass(frozen=True)
class Period:
    id: Id
    weight: float
    area_target_m2: float | None = None
    budget_yuan: float | None = None
    household_cap_extension: float | None = None


@dataclass(frozen=True)
class Compound:
    id: Id
    area_m2: float
    cost_yuan: float
    score: float
    households: int = 0
    street: str | None = None
    cluster: Id | None = None
    extension: bool = False
    locked_period: Id | None = None


@dataclass(frozen=True)
class Instance:
    periods: tuple[Period, ...]
    compounds: tuple[Compound, ...]
    max_concurrent_per_street: int | None = None


@dataclass
class Shortfall:
    """A target or cap the plan cannot keep, and why."""

    period: Id
    constraint: (
        str  # area_target_m2 | budget_yuan | household_cap_extension | max_concurrent_per_street
    )
    target: float
    achieved: float
    amount: float  # short by (area) or over by (budget, caps)
    reason: str  # eligible_area | budget | street_cap | extension_cap | caps_combined | competition | locked
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "period": self.period,
            "constraint": self.constraint,
            "target": self.target,
            "achieved": self.achieved,
            "amount": self.amount,
            "reason": self.reason,
            "message": self.message,
        }


@dataclass
class Result:
    assignment: dict[Id, Id]  # compound id → period id (unassigned compounds absent)
    objective: float
    bound: float | None
    gap: float | None
    seconds: float
    status: str  # optimal | feasible | infeasible-with-shortfall | time-limit
    shortfalls: list[Shortfall] = field(default_factory=list)
    bound_method: str = ""
    stats: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "assignment": {str(k): v for k, v in self.assignment.items()},
            "objective": self.objective,
            "bound": self.bound,
            "gap": self.gap,
            "seconds": round(self.seconds, 3),
            "status": self.status,
            "shortfalls": [s.as_dict() for s in self.shortfalls],
            "bound_method": self.bound_method,
        }


# ---------------------------------------------------------------- reading


def _fail(where: str, what: str, got: Any = ...) -> InstanceError:
    if got is ...:
        return InstanceError(f"实例无效：{where} {what}")
    text = repr(got) if not isinstance(got, str) else f"“{got}”"
    if len(text) > 40:
        text = text[:37] + "…"
    return InstanceError(f"实例无效：{where} {what}（收到 {text}）")


def _number(
    obj: dict,
    key: str,
    where: str,
    *,
    required: bool,
    minimum: float | None = 0.0,
    strict: bool = False,
) -> float | None:
    if key not in obj or obj[key] is None:
        if required:
            raise _fail(f"{where}.{key}", "缺失，应为数字")
        return None
    v = obj[key]
    if isinstance(v, bool) or not isinstance(v, int | float):
        raise _fail(f"{where}.{key}", "应为数字", v)
    v = float(v)
    if not math.isfinite(v):
        raise _fail(f"{where}.{key}", "应为有限数字", obj[key])
    if minimum is not None and (v < minimum or (strict and v == minimum)):
        rel = "大于" if strict else "不小于"
        raise _fail(f"{where}.{key}", f"应{rel} {minimum:g}", obj[key])
    return v


def _ident(obj: dict, key: str, where: str, *, required: bool) -> Id | None:
    if key not in obj or obj[key] is None:
        if required:
            raise _fail(f"{where}.{key}", "缺失")
        return None
    v = obj[key]
    if isinstance(v, bool) or not isinstance(v, str | int):
        raise _fail(f"{where}.{key}", "应为字符串或整数", v)
    if isinstance(v, str) and not v.strip():
        raise _fail(f"{where}.{key}", "不能为空")
    return v


def instance_from_dict(data: Any) -> Instance:
    """Read and check an instance; raise InstanceError naming the first bad field."""
    if not isinstance(data, dict):
        raise _fail("实例", "应为 JSON 对象")
    periods_raw = data.get("periods")
    if not isinstance(periods_raw, list) or not periods_raw:
        raise _fail("periods", "应为非空数组")
    periods: list[Period] = []
    seen: set[str] = set()
    for k, p in enumerate(periods_raw):
        where = f"periods[{k}]"
        if not isinstance(p, dict):
            raise _fail(where, "应为对象")
        pid = _ident(p, "id", where, required=True)
        if str(pid) in seen:
            raise _fail(f"{where}.id", "重复", pid)
        seen.add(str(pid))
        periods.append(
            Period(
                id=pid,
                weight=_number(p, "weight", where, required=True, strict=True),
                area_target_m2=_number(p, "area_target_m2", where, required=False),
                budget_yuan=_number(p, "budget_yuan", where, required=False),
                household_cap_extension=_number(
                    p, "household_cap_extension", where, required=False
                ),
            )
        )
    period_ids = {str(p.id): p.id for p in periods}

    compounds_raw = data.get("compounds")
    if not isinstance(compounds_raw, list):
        raise _fail("compounds", "应为数组")
    compounds: list[Compound] = []
    seen = set()
    for k, c in enumerate(compounds_raw):
        where = f"compounds[{k}]"
        if not isinstance(c, dict):
            raise _fail(where, "应为对象")
        cid = _ident(c, "id", where, required=True)
        if str(cid) in seen:
            raise _fail(f"{where}.id", "重复", cid)
        seen.add(str(cid))
        households = _number(c, "households", where, required=False)
        if households is not None and households != int(households):
            raise _fail(f"{where}.households", "应为整数", c["households"])
        street = c.get("street")
        if street is not None and not isinstance(street, str | int):
            raise _fail(f"{where}.street", "应为字符串", street)
        ext = c.get("extension")
        if ext is not None and not isinstance(ext, bool):
            raise _fail(f"{where}.extension", "应为 true/false", ext)
        locked = _ident(c, "locked_period", where, required=False)
        if locked is not None:
            if str(locked) not in period_ids:
                raise _fail(f"{where}.locked_period", "不是任何批次的 id", locked)
            locked = period_ids[str(locked)]
        compounds.append(
            Compound(
                id=cid,
                area_m2=_number(c, "area_m2", where, required=True, strict=True),
                cost_yuan=_number(c, "cost_yuan", where, required=True),
                score=_number(c, "score", where, required=True, minimum=None),
                households=int(households or 0),
                street=None if street is None else str(street),
                cluster=_ident(c, "cluster", where, required=False),
                extension=bool(ext),
                locked_period=locked,
            )
        )
    k_raw = data.get("max_concurrent_per_street")
    k_cap = None
    if k_raw is not None:
        if isinstance(k_raw, bool) or not isinstance(k_raw, int | float) or k_raw != int(k_raw):
            raise _fail("max_concurrent_per_street", "应为正整数", k_raw)
        if k_raw < 1:
            raise _fail("max_concurrent_per_street", "应为正整数", k_raw)
        k_cap = int(k_raw)
    inst = Instance(tuple(periods), tuple(compounds), k_cap)
    _check_clusters(inst)
    return inst


def _check_clusters(inst: Instance) -> None:
    locked: dict[str, tuple[Id, Id]] = {}
    for c in inst.compounds:
        if c.cluster is None or c.locked_period is None:
            continue
        key = str(c.cluster)
        if key in locked and str(locked[key][1]) != str(c.locked_period):
            raise _fail(
                f"compounds[id={c.id}].locked_period",
                f"与同一片区 {c.cluster} 的小区 {locked[key][0]} 锁定的批次不同",
                c.locked_period,
            )
        locked.setdefault(key, (c.id, c.locked_period))
