"""Kept summaries (STYLE.md habit 18): figures that pages aggregate over a
whole jurisdiction (the dashboard funnel, the portal, the map's stage
colours, the home totals) are read from small per-compound rows kept up to
date by the writes that change them, not recomputed from every plan, vote,
milestone and feedback on each request.

This module is the bottom of that mechanism and knows nothing of compounds'
contents: an upper layer registers a *refresher* (a function taking a list
of compound ids and rewriting their summary rows), and any layer that
changed a compound's facts calls `touch(ids)`. The refresh runs at once,
inside the writer's own transaction, so a summary row and the write it
reflects commit (or roll back) together and no reader ever sees one without
the other. Large sets are refreshed in chunks of `CHUNK` ids, each one
query-bounded; a whole rebuild (`gaizao summaries --rebuild`) walks the
compounds by primary-key range with flat memory.

Writes through the ORM's save()/delete() reach `touch` through signal
receivers that the summary's owner connects; bulk writes (bulk_create,
QuerySet.update) call `touch` themselves.
"""

from collections.abc import Callable, Iterable

from django.core.cache import cache
from django.db import connection, transaction

CHUNK = 500

_refreshers: list[Callable[[list[int]], None]] = []
_version_key = "gaizao:summaries:version"


def register(refresher: Callable[[list[int]], None]) -> None:
    """Adds a refresher (once). Called from an AppConfig.ready()."""
    if refresher not in _refreshers:
        _refreshers.append(refresher)


def registered() -> list[Callable[[list[int]], None]]:
    return list(_refreshers)


def _suspended() -> bool:
    return getattr(connection, "_gaizao_summaries_suspended", 0) > 0


def is_suspended() -> bool:
    """Inside `suspended`: touches are collected, not refreshed yet."""
    return _suspended()


def defer(ids: Iterable[int | None]) -> None:
    """Inside `suspended`: these compounds are refreshed at its end."""
    connection._gaizao_summaries_pending.update(int(i) for i in ids if i is not None)


class suspended:
    """Context manager: touches inside are collected and refreshed once on
    exit (a seeding step or a bulk service that saves many rows one by one
    refreshes each compound once, not once per save). With discard=True they
    are dropped: the caller rebuilds the whole summary itself afterwards."""

    def __init__(self, discard: bool = False):
        self.discard = discard

    def __enter__(self):
        depth = getattr(connection, "_gaizao_summaries_suspended", 0)
        if depth == 0:
            connection._gaizao_summaries_pending = set()
        connection._gaizao_summaries_suspended = depth + 1
        return self

    def __exit__(self, exc_type, exc, tb):
        connection._gaizao_summaries_suspended -= 1
        if connection._gaizao_summaries_suspended == 0:
            pending = sorted(connection._gaizao_summaries_pending)
            connection._gaizao_summaries_pending = set()
            if exc_type is None and pending and not self.discard:
                touch(pending)
        return False


def touch(ids: Iterable[int | None]) -> None:
    """Re-derives the summary rows of these compounds now, in the caller's
    transaction. None entries are ignored."""
    wanted = sorted({int(i) for i in ids if i is not None})
    if not wanted or not _refreshers:
        return
    if _suspended():
        connection._gaizao_summaries_pending.update(wanted)
        return
    with transaction.atomic():
        for start in range(0, len(wanted), CHUNK):
            part = wanted[start : start + CHUNK]
            for fn in _refreshers:
                fn(part)
    # Now (this connection's next read is fresh) and again at commit (a page
    # another process cached in between, from before the commit, is dropped).
    bump_version()
    transaction.on_commit(bump_version)


def bump_version() -> None:
    """Invalidates every cached fragment that was rendered from summaries
    (their cache keys carry `version()`)."""
    try:
        cache.incr(_version_key)
    except ValueError:
        cache.set(_version_key, 2, None)


def version() -> int:
    v = cache.get(_version_key)
    if v is None:
        cache.add(_version_key, 1, None)
        v = cache.get(_version_key) or 1
    return int(v)
