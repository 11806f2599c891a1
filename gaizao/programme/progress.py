"""Progress against targets (issue 15, item 7): started (开工) and completed
(竣工) compounds, households and m² per batch and per area one level below
the user's area (regions.scope.breakdown_of: provinces for a national user,
streets for a district), and the start rate (开工率) by compounds and by
households. Both tables are grouped in SQL (issue 14: nothing grows with the
jurisdiction).

The programme owns the targets side. Whether a compound has started or
completed works is kept in the disclosure app's per-compound summary
(`CompoundFacts.started` / `.completed`, own works or the cluster's), a layer
above this one, which cannot be imported here. The hook: disclosure
registers a provider from its `AppConfig.ready()` with

    from gaizao.programme.progress import register_works_flags
    register_works_flags(fn)   # fn(path) -> {"started": Q, "completed": Q}

where `path` leads from the queried model to a compound ("compound__").
Until one is registered nothing counts as started: the page shows the
targets and says the works facts are not connected yet.
"""

from decimal import Decimal

from django.db.models import Count, F, Sum

from gaizao.accounts.models import AREA_ROLES
from gaizao.regions.models import Area
from gaizao.regions.scope import breakdown_of

from . import kept
from .selectors import batches, entries_for_user

_provider = None


def register_works_flags(fn) -> None:
    global _provider
    _provider = fn


def works_flags(path: str = "compound__") -> dict | None:
    """{"started": Q, "completed": Q} over a model reaching a compound by
    `path`, or None when no provider is registered."""
    return None if _provider is None else _provider(path)


def _rate(part, whole):
    return (Decimal(part) / Decimal(whole) * 100).quantize(Decimal("0.1")) if whole else None


KEYS = [
    "n",
    "households",
    "area",
    "started",
    "started_households",
    "started_area",
    "completed",
    "completed_households",
]


def _aggregates(flags) -> dict:
    # prefixed: an annotation may not share a field's name ("households")
    out = {"g_n": Count("id"), "g_households": Sum("households"), "g_area": Sum("area_m2")}
    if flags:
        started, completed = flags["started"], flags["completed"]
        out |= {
            "g_started": Count("id", filter=started),
            "g_started_households": Sum("households", filter=started),
            "g_started_area": Sum("area_m2", filter=started),
            "g_completed": Count("id", filter=completed),
            "g_completed_households": Sum("households", filter=completed),
        }
    return out


def _clean(r: dict) -> dict:
    out = {k: r.get(f"g_{k}") or 0 for k in KEYS}
    for k in ("area", "started_area"):
        out[k] = out[k] or Decimal(0)
    return out


def _clean_kept(r: dict) -> dict:
    return _clean({f"g_{k}": r[k] for k in KEYS})


def against_targets(user, programme) -> dict:
    """Per batch and per area below the user's: two grouped queries."""
    flags = works_flags("compound__")
    entries = entries_for_user(user, programme).filter(batch__isnull=False).order_by()
    aggs = _aggregates(flags)
    area = getattr(user, "area", None) if user.role in AREA_ROLES else None
    path, level = breakdown_of(area)
    path = path or "street"
    rows_kept = kept.rows(user, programme) if path.startswith("street") and flags else None
    if rows_kept is not None:
        # The kept totals a (batch, street) (disclosure.entrytally), grouped
        # by the area above the street: no grouping of every entry.
        rows_kept = rows_kept.filter(batch__isnull=False)
        by_batch = {r["batch_id"]: _clean_kept(r) for r in kept.totals(rows_kept, "batch_id")}
        rows = sorted(
            kept.totals(
                rows_kept,
                "batch_id",
                {"area_name": F(f"{path}__name"), "area_code": F(f"{path}__code")},
            ),
            key=lambda r: (r["batch_id"], r["area_code"] or ""),
        )
    else:
        by_batch = {r["batch_id"]: _clean(r) for r in entries.values("batch_id").annotate(**aggs)}
        path = f"compound__{path}"
        rows = (
            entries.values("batch_id", area_name=F(f"{path}__name"), area_code=F(f"{path}__code"))
            .annotate(**aggs)
            .order_by("batch_id", "area_code")
        )
    by_area: dict = {}
    for r in rows:
        v = _clean_kept(r) if rows_kept is not None else _clean(r)
        by_area.setdefault(r["batch_id"], []).append(
            {
                "street": r["area_name"] or "—",
                **v,
                "rate_n": _rate(v["started"], v["n"]),
                "rate_hh": _rate(v["started_households"], v["households"]),
            }
        )
    out = []
    for b in batches(programme):
        t = by_batch.get(b.pk) or _clean({})
        out.append(
            {
                "batch": b,
                **t,
                "rate_n": _rate(t["started"], t["n"]),
                "rate_hh": _rate(t["started_households"], t["households"]),
                "area_pct": _rate(t["started_area"], b.area_target_m2)
                if b.area_target_m2
                else None,
                "streets": by_area.get(b.pk, []),
            }
        )
    return {
        "batches_progress": out,
        "works_connected": flags is not None,
        "area_label": Area.Level(level or Area.Level.STREET).label,
    }
