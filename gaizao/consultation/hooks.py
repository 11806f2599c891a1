"""What apps above consultation are told about a vote (a pluggable list,
like gaizao.core.media's checkers): plans registers from its AppConfig.ready()
the function that withdraws approvals resting on an overturned vote. Called
inside the transaction that sets the result aside, so both stand or neither."""

from collections.abc import Callable

_overturned: list[Callable] = []


def on_vote_overturned(fn: Callable) -> Callable:
    """Register fn(*, vote, actor, reason); called when a published result is
    set aside or re-tallied as not passed."""
    if fn not in _overturned:
        _overturned.append(fn)
    return fn


def vote_overturned(*, vote, actor, reason: str) -> None:
    for fn in list(_overturned):
        fn(vote=vote, actor=actor, reason=reason)
