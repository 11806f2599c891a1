"""Kept totals of the programmes' entries per (programme, batch, street)
(`EntryTally`, issue 14, STYLE.md habit 18): the programme board's column
totals, its progress page, the dashboard's targets and the portal's batches
add up these rows over a scope made of whole streets instead of grouping
every entry of the programme on each cold request.

How they stay right — always re-derived from the entries, never adjusted:
- a street's rows with its tallies (`tally._refresh`, under the street's
  lock): a compound's summary row changed (started / completed), a compound
  moved or was deleted, an entry of it saved or deleted (disclosure.tally);
- a programme's rows after a bulk write of its entries (the programme fills
  and the optimiser's result applied: programme.kept.entries_changed, a
  hook this module registers) and when one of its batches is deleted
  (its entries' batch is set to none by SQL, without signals).
`rebuild()` derives all; `mismatches()` compares them with the entries.
"""

from decimal import Decimal

from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.signals import post_delete

from gaizao.programme import kept as programme_kept
from gaizao.programme.models import Batch, Entry
from gaizao.regions.models import Area

from . import streets
from .models import EntryTally

ZERO = Decimal(0)
STARTED = Q(compound__facts__started=True)
COMPLETED = Q(compound__facts__completed=True)
SUMS = {
    "n": Count("id"),
    "households": Sum("households"),
    "area": Sum("area_m2"),
    "cost": Sum("cost_yuan"),
    "ext_households": Sum("households", filter=Q(extension=True)),
    "estimated": Count("id", filter=Q(cost_estimated=True)),
    "locked": Count("id", filter=Q(locked=True)),
    "started": Count("id", filter=STARTED),
    "started_households": Sum("households", filter=STARTED),
    "started_area": Sum("area_m2", filter=STARTED),
    "completed": Count("id", filter=COMPLETED),
    "completed_households": Sum("households", filter=COMPLETED),
    "completed_area": Sum("area_m2", filter=COMPLETED),
}
COLUMNS = list(SUMS)


def derived(entries=None) -> list[EntryTally]:
    """The rows the entries say (all entries when None): one grouped query."""
    entries = Entry.objects.all() if entries is None else entries
    rows = (
        entries.order_by()
        .values("programme_id", "batch_id", s=F("compound__street_id"))
        .annotate(**{f"k_{k}": v for k, v in SUMS.items()})
    )
    return [
        EntryTally(
            programme_id=r["programme_id"],
            batch_id=r["batch_id"],
            street_id=r["s"],
            **{k: r[f"k_{k}"] or 0 for k in COLUMNS},
        )
        for r in rows
    ]


def refresh_streets(street_ids: list[int]) -> None:
    """The rows of these streets (inside tally._refresh: the streets locked)."""
    EntryTally.objects.filter(street_id__in=street_ids).delete()
    EntryTally.objects.bulk_create(
        derived(Entry.objects.filter(compound__street_id__in=street_ids)), batch_size=2000
    )


def refresh_programme(programme_id: int) -> None:
    """The rows of one programme, with the streets it has rows or entries in
    locked first, in id order, as `tally._refresh` locks them: a street's
    refresh running at the same time (a compound of it saved) would
    otherwise delete the rows before this one's commit and insert its own
    beside this one's — the street counted twice (PostgreSQL; SQLite
    serialises every writer anyway)."""
    with transaction.atomic(savepoint=False):
        touched = set(
            Entry.objects.filter(programme_id=programme_id)
            .order_by()
            .values_list("compound__street_id", flat=True)
            .distinct()
        ) | set(
            EntryTally.objects.filter(programme_id=programme_id).values_list("street_id", flat=True)
        )
        streets.lock(Area.objects.filter(pk__in=[s for s in touched if s is not None]))
        EntryTally.objects.filter(programme_id=programme_id).delete()
        EntryTally.objects.bulk_create(
            derived(Entry.objects.filter(programme_id=programme_id)), batch_size=2000
        )


def rebuild() -> None:
    EntryTally.objects.all().delete()
    EntryTally.objects.bulk_create(derived(), batch_size=2000)


def _key(t: EntryTally) -> tuple:
    return (t.programme_id, t.batch_id, t.street_id) + tuple(
        Decimal(getattr(t, k) or 0) for k in COLUMNS
    )


def mismatches() -> list[tuple]:
    """(programme, batch, street) keys whose kept row differs from the entries."""
    kept = {_key(t) for t in EntryTally.objects.all()}
    want = {_key(t) for t in derived()}
    return sorted({k[:3] for k in kept ^ want}, key=str)


def for_user(user, programme, area=None):
    """The kept rows of `programme` in the scope `user` sees (within `area`,
    inside the user's, when given), or None when that scope is not made of
    whole streets (disclosure.streets)."""
    rows = streets.for_user(user, area, EntryTally)
    return None if rows is None else rows.filter(programme=programme)


def within(area, programme):
    """The kept rows of `programme` inside `area` (None: all), or None for a
    community."""
    rows = streets.within(area, EntryTally)
    return None if rows is None else rows.filter(programme=programme)


def totals(rows, *group) -> list[dict]:
    """The kept columns summed over `rows`, grouped by `group` (values names
    or name=F(path) pairs given as a dict)."""
    plain = [g for g in group if isinstance(g, str)]
    named = {k: v for g in group if isinstance(g, dict) for k, v in g.items()}
    out = rows.order_by().values(*plain, **named).annotate(**{f"t_{k}": Sum(k) for k in COLUMNS})
    return [
        {**{k: r[k] for k in [*plain, *named]}, **{k: r[f"t_{k}"] or 0 for k in COLUMNS}}
        for r in out
    ]


# --- writes -------------------------------------------------------------------
# (An entry's own save or delete re-derives its street with the street's
# other tallies: disclosure.tally.)


def _batch_deleted(sender, instance, **kwargs):
    refresh_programme(instance.programme_id)


def connect() -> None:
    post_delete.connect(_batch_deleted, sender=Batch, dispatch_uid="entrytally-batch-del")
    programme_kept.register(changed=refresh_programme, rows=for_user, totals=totals)
