"""Due and overdue stages, and who hears of them (层层压实责任). Pure rules.

A stage is *due* when its planned date is within `due_days` and it is not
done; *overdue* once the planned date has passed. Escalation goes one level
up per `escalate_days` of lateness (settings.GAIZAO_ESCALATE_AFTER_DAYS,
default 7): level 0 the responsible person and organisation, level 1 the
street office of the compound, level 2 the district leadership office."""

from dataclasses import dataclass
from datetime import date

MAX_LEVEL = 2


@dataclass(frozen=True)
class Lateness:
    state: str  # "done" | "ok" | "due" | "overdue"
    days_late: int
    level: int  # escalation level reached (0 when not overdue)


def lateness(
    planned_on: date | None,
    actual_on: date | None,
    today: date,
    *,
    due_days: int = 3,
    escalate_days: int = 7,
) -> Lateness:
    if actual_on is not None:
        return Lateness("done", max(0, (actual_on - planned_on).days) if planned_on else 0, 0)
    if planned_on is None:
        return Lateness("ok", 0, 0)
    delta = (today - planned_on).days
    if delta > 0:
        level = min(MAX_LEVEL, delta // max(1, escalate_days))
        return Lateness("overdue", delta, level)
    if -delta <= due_days:
        return Lateness("due", 0, 0)
    return Lateness("ok", 0, 0)
