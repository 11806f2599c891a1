"""Pages of compounds in the lists' default order (street code, name, id)
without counting or sorting the whole scope (issue 14, STYLE.md habit 18).

A national user's compound list (and the public portal) ordered 220,000
compounds by their street's code and name for every cold page: a join and a
sort of the whole scope for page 1, an offset into it for page 500, and a
`COUNT(*)` of all of them for the pager. `StreetWalk` instead reads the kept
number of compounds a street (disclosure.tally, one row a street and
verdict, added up per street in code order), finds the streets the page
falls in and reads only their compounds, in the same order: the page and
the count are the same as the plain query's, since the kept counts are
re-derived in every writer's transaction.

The counts come through a hook (`register`): inventory sits below the kept
summaries, which register `street_counts(user, street_id)`; without it, or
for a scope that is not made of whole streets, the list pages as before.
"""

from collections.abc import Callable

_provider: Callable | None = None


def register(fn: Callable) -> None:
    """fn(user, street_id=None) → [(street_id, n)] in street code order for
    the compounds `user` may see (within that street), or None."""
    global _provider
    _provider = fn


def street_counts(user, street_id=None) -> list[tuple[int, int]] | None:
    return None if _provider is None else _provider(user, street_id)


class StreetWalk:
    """A sequence over `qs` (the scope's compounds, ordered by street code,
    name, id) that Django's Paginator can page: `count()` adds up the kept
    counts; a slice reads the compounds of the streets it spans only."""

    def __init__(self, qs, counts: list[tuple[int, int]]):
        self.qs = qs
        self.counts = [(s, n) for s, n in counts if n]

    def count(self) -> int:
        return sum(n for _s, n in self.counts)

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, k):
        if isinstance(k, int):
            rows = self[k : k + 1]
            if not rows:
                raise IndexError(k)
            return rows[0]
        start = k.start or 0
        stop = self.count() if k.stop is None else k.stop
        if stop <= start:
            return []
        streets, skip, seen = [], 0, 0
        for street, n in self.counts:
            if seen + n <= start and not streets:
                seen += n
                continue
            if not streets:
                skip = start - seen
            streets.append(street)
            seen += n
            if seen >= stop:
                break
        if not streets:
            return []
        return list(self.qs.filter(street_id__in=streets)[skip : skip + stop - start])
