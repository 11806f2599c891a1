"""Batch optimiser for a renovation programme (pure Python over dataclasses; numpy, HiGHS).

    from gaizao.programme.optimiser import instance_from_dict, solve, greedy, explain
    inst = instance_from_dict(json.load(f))
    result = solve(inst, time_limit=10)
    result.as_dict()   # {"assignment", "objective", "bound", "gap", "seconds", "status", "shortfalls"}

No Django and no ORM in here: the programme app converts its rows to an Instance.
"""

from .explain import explain
from .greedy import greedy
from .model import Compound, Instance, InstanceError, Period, Result, Shortfall, instance_from_dict
from .run import solve

__all__ = [
    "Compound",
    "Instance",
    "InstanceError",
    "Period",
    "Result",
    "Shortfall",
    "explain",
    "greedy",
    "instance_from_dict",
    "solve",
]
