"""The hook through which the programme's pages read kept totals of its
entries (disclosure.entrytally, which sits above: it reads the compounds'
kept summaries for started / completed) and tell it of bulk writes.

- `entries_changed(programme)`: after a bulk write of a programme's entries
  (bulk_create / bulk_update send no signals), so the kept totals are
  re-derived in the same transaction;
- `rows(user, programme)`: the kept rows of the programme in the user's
  scope, or None (no provider, or a scope not made of whole streets: the
  caller groups the entries itself);
- `totals(rows, *group)`: those rows' columns summed, grouped by `group`.
"""

from collections.abc import Callable

_hooks: dict[str, Callable] = {}


def register(*, changed: Callable, rows: Callable, totals: Callable) -> None:
    _hooks.update(changed=changed, rows=rows, totals=totals)


def entries_changed(programme) -> None:
    if "changed" in _hooks:
        _hooks["changed"](programme.pk)


def rows(user, programme):
    return _hooks["rows"](user, programme) if "rows" in _hooks else None


def totals(rows, *group) -> list[dict]:
    return _hooks["totals"](rows, *group)
