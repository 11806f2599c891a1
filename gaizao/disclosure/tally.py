"""Kept per-street tallies (issue 14, STYLE.md habit 18): a national user's
home page, reserve cards and dashboard add up one row a street and default
verdict (`StreetTally`) instead of counting 220,000 compounds on every cold
request.

How they stay right: `refresh(compound_ids)` runs right after
`facts.refresh` has rewritten those compounds' `CompoundFacts` rows, in the
same transaction (every save or delete of a survey, verdict, plan, vote,
milestone, … and every bulk `summaries.touch`), and re-derives the tallies
of the streets they lie in; a compound's own save or delete re-derives its
street's (and, when it moved, its old street's). A street's rows are always
re-derived from its compounds, never adjusted by a difference, under a lock
on the street's `Area` row taken first (in id order): two writers in one
street follow each other, and the second counts the first's committed
change. `rebuild()` derives all of them (`gaizao summaries --rebuild`),
`mismatches()` compares them with the compounds (`gaizao summaries --check`).
"""

from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, F, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.db.models.signals import post_delete, post_save, pre_save

from gaizao.core import summaries
from gaizao.inventory.models import Compound
from gaizao.plans.models import FundingLine, PlanStatus
from gaizao.programme.models import Entry
from gaizao.regions.models import Area
from gaizao.works.models import CostEntry, CostKind

from . import entrytally, streets
from .models import StreetFunding, StreetTally
from .selectors import STAGE_Q
from .streets import lock as lock_streets

STREET_CHUNK = 200
# Stage columns: the condition on the compound's kept summary row, the same
# conditions the selectors count by (selectors.STAGE_Q) but "eligible" (the
# verdict is a column of the tally itself) and "late" (it depends on the day).
STAGE_COLUMNS = {
    k: STAGE_Q[k]
    for k in (
        "surveyed",
        "planned",
        "voted",
        "approved",
        "started",
        "completed",
        "accepted",
        "managed",
    )
}
# Sums of the compounds' kept satisfaction figures.
SUM_COLUMNS = ("satisfaction_n", "satisfaction_sum", "satisfaction_ok")
FIELDS = ["street_id", "verdict", "n", "floor_area", "households", *STAGE_COLUMNS, *SUM_COLUMNS]
ZERO = Decimal(0)


def derived(street_ids: Iterable[int] | None = None) -> list[StreetTally]:
    """The tallies the compounds and their summary rows say, for these
    streets (all when None)."""
    qs = Compound.objects.all()
    if street_ids is not None:
        qs = qs.filter(street_id__in=list(street_ids))
    rows = (
        qs.order_by()
        .values("street_id", t_verdict=Coalesce("facts__verdict", Value("")))
        .annotate(
            n=Count("id"),
            area=Sum("floor_area"),
            hh=Sum("households"),
            **{k: Count("id", filter=q) for k, q in STAGE_COLUMNS.items()},
            **{f"s_{k}": Sum(f"facts__{k}") for k in SUM_COLUMNS},
        )
    )
    return [
        StreetTally(
            street_id=r["street_id"],
            verdict=r["t_verdict"],
            n=r["n"],
            floor_area=r["area"] or Decimal(0),
            households=r["hh"] or 0,
            **{k: r[k] for k in STAGE_COLUMNS},
            **{k: r[f"s_{k}"] or 0 for k in SUM_COLUMNS},
        )
        for r in rows
    ]


def derived_funding(street_ids: Iterable[int] | None = None) -> list[StreetFunding]:
    """The kept money the records say, for these streets (all when None):
    by source, the current plans' funding lines and the works' paid cost
    entries of the compounds' OWN plans and works (a cluster's are added up
    live by the pages: `shared_funding`). Two grouped queries."""
    lines = FundingLine.objects.filter(plan__compound__isnull=False).exclude(
        plan__status=PlanStatus.SUPERSEDED
    )
    paid = CostEntry.objects.filter(kind=CostKind.PAID, works__compound__isnull=False)
    if street_ids is not None:
        wanted = list(street_ids)
        lines = lines.filter(plan__compound__street_id__in=wanted)
        paid = paid.filter(works__compound__street_id__in=wanted)
    got: dict[tuple, StreetFunding] = {}
    for qs, street, field in (
        (lines, "plan__compound__street_id", "planned"),
        (paid, "works__compound__street_id", "paid"),
    ):
        for r in qs.order_by().values("source", s=F(street)).annotate(a=Sum("amount")):
            row = got.setdefault(
                (r["s"], r["source"]), StreetFunding(street_id=r["s"], source=r["source"])
            )
            setattr(row, field, r["a"] or ZERO)
    return [got[k] for k in sorted(got)]


def _refresh(streets) -> None:
    """Re-derives the tallies of the streets `streets` selects (a queryset
    of street `Area` rows): locked first, in id order, so a second writer
    of the same street waits and then counts this one's committed change
    (PostgreSQL; SQLite serialises every writer anyway). The tallies, the
    kept money and the kept entry totals: about ten queries."""
    with transaction.atomic(savepoint=False):
        part = lock_streets(streets)
        if not part:
            return
        rows = derived(part)
        StreetTally.objects.filter(street_id__in=part).delete()
        StreetTally.objects.bulk_create(rows)
        money = derived_funding(part)
        StreetFunding.objects.filter(street_id__in=part).delete()
        StreetFunding.objects.bulk_create(money)
        entrytally.refresh_streets(part)  # the programmes' entries in them


def refresh_streets(street_ids: Iterable[int | None]) -> None:
    wanted = sorted({int(s) for s in street_ids if s is not None})
    for start in range(0, len(wanted), STREET_CHUNK):
        _refresh(Area.objects.filter(pk__in=wanted[start : start + STREET_CHUNK]))


def refresh(compound_ids: list[int]) -> None:
    """After facts.refresh: the tallies of these compounds' streets (a chunk
    of at most summaries.CHUNK compounds: a few hundred streets at most)."""
    _refresh(
        Area.objects.filter(pk__in=Compound.objects.filter(pk__in=compound_ids).values("street_id"))
    )


def rebuild() -> int:
    """Every street's tallies, a chunk of streets per transaction."""
    last, n = 0, 0
    while True:
        ids = list(
            Area.objects.filter(level=Area.Level.STREET, pk__gt=last)
            .order_by("pk")
            .values_list("pk", flat=True)[:STREET_CHUNK]
        )
        if not ids:
            break
        refresh_streets(ids)
        last, n = ids[-1], n + len(ids)
    StreetTally.objects.exclude(street__level=Area.Level.STREET).delete()
    StreetFunding.objects.exclude(street__level=Area.Level.STREET).delete()
    entrytally.rebuild()
    return n


def _key(t: StreetTally) -> tuple:
    return tuple(Decimal(v) if f == "floor_area" else v for f, v in _values(t))


def _values(t: StreetTally):
    return ((f, getattr(t, f)) for f in FIELDS)


def mismatches() -> list[int]:
    """Streets whose kept tallies differ from the compounds."""
    kept: dict[int, set] = {}
    for t in StreetTally.objects.all():
        kept.setdefault(t.street_id, set()).add(_key(t))
    want: dict[int, set] = {}
    for t in derived():
        want.setdefault(t.street_id, set()).add(_key(t))
    for f in StreetFunding.objects.all():
        kept.setdefault(f.street_id, set()).add(_money(f))
    for f in derived_funding():
        want.setdefault(f.street_id, set()).add(_money(f))
    bad = {s for s in set(kept) | set(want) if kept.get(s) != want.get(s)}
    return sorted(bad | {k[2] for k in entrytally.mismatches()})


def _money(f: StreetFunding) -> tuple:
    return ("money", f.source, Decimal(f.planned), Decimal(f.paid))


def within(area: Area | None, model=StreetTally):
    """The tallies (or another kept per-street model) inside `area`
    (disclosure.streets.within)."""
    return streets.within(area, model)


def for_user(user, area: Area | None = None, model=StreetTally):
    """The tallies (or another kept per-street model: StreetFunding,
    EntryTally) the user may see (disclosure.streets.for_user)."""
    return streets.for_user(user, area, model)


def street_counts(user, street_id=None) -> list[tuple[int, int]] | None:
    """The number of compounds a street `user` may see (within that street),
    in street code order (inventory.streetwalk's pages), or None for a scope
    not made of whole streets. One grouped query over the tallies."""
    return counts_by_street(for_user(user), street_id)


def counts_by_street(t, street_id=None, stage: str = "") -> list[tuple[int, int]] | None:
    """[(street_id, compounds)] of the tallies `t` (None: None), by street
    code: all compounds, or those that reached `stage` (a funnel stage but
    "late", which depends on the day: None)."""
    if t is None:
        return None
    if stage == "eligible":
        total = Sum("n", filter=Q(verdict="eligible"))
    elif stage in STAGE_COLUMNS:
        total = Sum(stage)
    elif not stage:
        total = Sum("n")
    else:
        return None
    if street_id:
        t = t.filter(street_id=street_id)
    return list(
        t.order_by()
        .values("street_id")
        .annotate(total=total)
        .order_by("street__code")
        .values_list("street_id", "total")
    )


# --- a compound's own save or delete ------------------------------------------


def _before_save(sender, instance, raw=False, **kwargs):
    instance._tally_street_before = (
        Compound.objects.filter(pk=instance.pk).values_list("street_id", flat=True).first()
        if instance.pk and not raw
        else None
    )


# (The compound's own save or delete bumps the cached pages' version:
# core.pagecache.)


def _after_save(sender, instance, raw=False, **kwargs):
    if raw:
        return
    before = getattr(instance, "_tally_street_before", None)
    if summaries.is_suspended():  # a seeding step: refreshed once at its end
        summaries.defer([instance.pk])
        if before is None or before == instance.street_id:
            return
    refresh_streets([instance.street_id, before])


def _after_delete(sender, instance, **kwargs):
    refresh_streets([instance.street_id])


def _entry_changed(sender, instance, raw=False, **kwargs):
    """A programme entry saved or deleted: its street's kept entry totals
    (disclosure.entrytally), with the street's other tallies."""
    if raw:
        return
    refresh_streets(
        Compound.objects.filter(pk=instance.compound_id).values_list("street_id", flat=True)
    )


def connect() -> None:
    pre_save.connect(_before_save, sender=Compound, dispatch_uid="tally-compound-pre")
    post_save.connect(_after_save, sender=Compound, dispatch_uid="tally-compound-save")
    post_delete.connect(_after_delete, sender=Compound, dispatch_uid="tally-compound-del")
    post_save.connect(_entry_changed, sender=Entry, dispatch_uid="tally-entry-save")
    post_delete.connect(_entry_changed, sender=Entry, dispatch_uid="tally-entry-del")
