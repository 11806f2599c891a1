"""Progress against targets (issue 15, item 7): started (开工) and completed
(竣工) compounds, households and m² per batch and per street, and the start
rate (开工率) by compounds and by households.

The programme owns the targets side. The facts (which compound has started
or completed works) belong to the works app, a layer above this one, which
cannot be imported here. The hook: works registers a provider from its
`AppConfig.ready()` with

    from gaizao.programme.progress import register_works_facts
    register_works_facts(fn)   # fn(compound_ids) -> {compound_id: {"started": bool, "completed": bool}}

Until one is registered nothing counts as started: the page shows the
targets and says the works facts are not connected yet.
"""

from collections import defaultdict
from decimal import Decimal

from .selectors import batches, entries_for_user

_provider = None


def register_works_facts(fn) -> None:
    global _provider
    _provider = fn


def works_facts(compound_ids) -> dict[int, dict] | None:
    return None if _provider is None else _provider(compound_ids)


def _rate(part, whole):
    return (Decimal(part) / Decimal(whole) * 100).quantize(Decimal("0.1")) if whole else None


def against_targets(user, programme) -> dict:
    rows = list(
        entries_for_user(user, programme)
        .filter(batch__isnull=False)
        .values_list("compound_id", "batch_id", "compound__street__name", "households", "area_m2")
    )
    facts = works_facts([r[0] for r in rows])
    connected = facts is not None
    facts = facts or {}

    def blank():
        return {
            "n": 0,
            "households": 0,
            "area": Decimal(0),
            "started": 0,
            "started_households": 0,
            "started_area": Decimal(0),
            "completed": 0,
            "completed_households": 0,
        }

    by_batch, by_street = defaultdict(blank), defaultdict(blank)
    for cid, bid, street, hh, area in rows:
        f = facts.get(cid, {})
        for acc in (by_batch[bid], by_street[(bid, street)]):
            acc["n"] += 1
            acc["households"] += hh
            acc["area"] += area
            if f.get("started"):
                acc["started"] += 1
                acc["started_households"] += hh
                acc["started_area"] += area
            if f.get("completed"):
                acc["completed"] += 1
                acc["completed_households"] += hh
    out = []
    for b in batches(programme):
        t = by_batch[b.pk]
        streets = [
            {
                "street": s,
                **v,
                "rate_n": _rate(v["started"], v["n"]),
                "rate_hh": _rate(v["started_households"], v["households"]),
            }
            for (bid, s), v in sorted(by_street.items(), key=lambda kv: str(kv[0][1]))
            if bid == b.pk
        ]
        out.append(
            {
                "batch": b,
                **t,
                "rate_n": _rate(t["started"], t["n"]),
                "rate_hh": _rate(t["started_households"], t["households"]),
                "area_pct": _rate(t["started_area"], b.area_target_m2)
                if b.area_target_m2
                else None,
                "streets": streets,
            }
        )
    return {"batches_progress": out, "works_connected": connected}
