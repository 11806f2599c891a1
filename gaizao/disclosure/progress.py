"""The dashboard's figures from the layers below: targets against progress
(programme batches, works milestones), funding planned against paid (plans'
funding lines, works' cost entries) and overdue responsibilities (works
milestones past their planned date). Reads only; over the compounds the
caller passes (already scoped through inventory.permissions.compound_q)."""

from decimal import Decimal

from django.db.models import Count, F, Q, Sum

from gaizao.programme.models import Batch, Entry, Programme
from gaizao.programme.selectors import programmes_for_user
from gaizao.works.models import CostEntry, CostKind, Stage, Works

from . import entrytally
from . import selectors as sel

ZERO = Decimal("0")


def _works_touching(compound_ids):
    return Works.objects.filter(
        Q(compound__in=compound_ids) | Q(cluster__members__compound__in=compound_ids)
    ).values("id")


def funding_planned_paid(scope: sel.Scope, money=None) -> list[dict]:
    """Per funding source: planned (current plans' funding lines) and paid
    (works cost entries of kind 已拨付), yuan, exact, of the compounds in
    `scope`. With `money` (the kept per-street money of a scope made of
    whole streets: tally.within) the compounds' own plans and works are
    added up from it (sel.kept_money)."""
    if money is not None:
        planned = sel.kept_money(money, scope)
    else:
        compound_ids = scope.compounds().values("id")
        planned = sel.funding_by_source(compound_ids)
        paid = {
            r["source"]: r["s"] or ZERO
            for r in CostEntry.objects.filter(
                works__in=_works_touching(compound_ids), kind=CostKind.PAID
            )
            .values("source")
            .annotate(s=Sum("amount"))
        }
        for f in planned:
            f["paid"] = paid.get(f["key"], ZERO)
    for f in planned:
        f["paid_pct"] = (
            (f["paid"] / f["amount"] * 100).quantize(Decimal("0.1")) if f["amount"] else None
        )
    return planned


def overdue(scope: sel.Scope, path: str = "street") -> dict:
    """Open milestones past their planned date of the works touching `scope`,
    in total, by stage and by the area `path` leads to from the compound
    (regions.scope.BREAKDOWN: one level below the area shown); a cluster's
    works count under "—"."""
    rows = (
        sel.late_milestones()
        .filter(scope.works_q("works__"))
        .values(
            "stage",
            area_id=F(f"works__compound__{path}__id"),
            area_name=F(f"works__compound__{path}__name"),
        )
        .annotate(n=Count("id"))
    )
    total, by_area, by_stage = 0, {}, {}
    labels = dict(Stage.choices)
    for r in rows:
        total += r["n"]
        key = r["area_id"]
        s = by_area.setdefault(key, {"area_id": key, "name": r["area_name"] or "—", "n": 0})
        s["n"] += r["n"]
        by_stage[str(labels.get(r["stage"], r["stage"]))] = (
            by_stage.get(str(labels.get(r["stage"], r["stage"])), 0) + r["n"]
        )
    return {
        "total": total,
        "by_area": sorted(by_area.values(), key=lambda s: -s["n"]),
        "by_stage": sorted(by_stage.items(), key=lambda kv: -kv[1]),
    }


def current_programme(user, programme_id=None) -> Programme | None:
    qs = programmes_for_user(user)
    if programme_id:
        # a hand-typed ?programme=abc is no programme, like an unknown id
        if not str(programme_id).isdigit():
            return None
        return qs.filter(pk=programme_id).first()
    return qs.order_by("-created_at", "-id").first()


def _blank() -> dict:
    return {
        "n": 0,
        "households": 0,
        "area": ZERO,
        "started": 0,
        "started_households": 0,
        "started_area": ZERO,
        "completed": 0,
        "completed_households": 0,
        "completed_area": ZERO,
    }


def pct(part, whole):
    """part/whole in per cent to 0.1 (None when whole is 0)."""
    return (Decimal(part) / Decimal(whole) * 100).quantize(Decimal("0.1")) if whole else None


def targets(programme, scope: sel.Scope, path: str = "street", kept=None) -> list[dict]:
    """Per batch and, inside it, per area one level below the one shown
    (`path` from a compound to it, regions.scope.BREAKDOWN): compounds,
    households and m² planned (the batch's entries; targets where the batch
    sets them) against started and completed (works milestones with an
    actual date)."""
    if programme is None:
        return []
    # One grouped query over the batch's entries in scope (batch × area),
    # started / completed from the kept summary: no compound loaded into
    # Python, whatever the size of the scope (issue 14).
    started = Q(compound__facts__started=True)
    completed = Q(compound__facts__completed=True)
    if kept is not None:
        # `kept`: the programme's kept entry totals (disclosure.entrytally)
        # in a scope of whole streets; `path` leads from a street.
        named = {"area_id": F(f"{path}__id"), "area_name": F(f"{path}__name")}
        rows = [
            {"batch_id": r["batch_id"], "area_id": r["area_id"], "area_name": r["area_name"]}
            | {f"t_{k}": r[k] for k in _blank()}
            for r in entrytally.totals(kept.filter(batch__isnull=False), "batch_id", named)
        ]
    else:
        rows = (
            Entry.objects.filter(programme=programme, batch__isnull=False)
            .filter(scope.q("compound__"))
            .order_by()
            .values(
                "batch_id",
                area_id=F(f"compound__{path}__id"),
                area_name=F(f"compound__{path}__name"),
            )
            .annotate(
                t_n=Count("pk"),
                t_households=Sum("households"),
                t_area=Sum("area_m2"),
                t_started=Count("pk", filter=started),
                t_started_households=Sum("households", filter=started),
                t_started_area=Sum("area_m2", filter=started),
                t_completed=Count("pk", filter=completed),
                t_completed_households=Sum("households", filter=completed),
                t_completed_area=Sum("area_m2", filter=completed),
            )
        )
    by_batch: dict = {}
    by_area: dict = {}
    for r in rows:
        bid = r["batch_id"]
        sums = {k: r[f"t_{k}"] or zero for k, zero in _blank().items()}
        by_area[(bid, r["area_id"])] = sums | {"area_id": r["area_id"], "name": r["area_name"]}
        acc = by_batch.setdefault(bid, _blank())
        for k, v in sums.items():
            acc[k] += v
    out = []
    for b in Batch.objects.filter(programme=programme).order_by("position", "id"):
        t = by_batch.get(b.pk, _blank())
        areas = sorted(
            (v for (bid, _s), v in by_area.items() if bid == b.pk),
            key=lambda v: v["name"] or "",
        )
        for s in areas:
            s["rate_n"] = pct(s["started"], s["n"])
            s["rate_hh"] = pct(s["started_households"], s["households"])
        out.append(
            {
                "batch": b,
                **t,
                "households_target": b.households_target,
                "area_target": b.area_target_m2,
                "rate_n": pct(t["started"], t["n"]),
                "rate_hh": pct(t["started_households"], t["households"]),
                "area_started_pct": pct(t["started_area"], b.area_target_m2 or t["area"]),
                "hh_started_pct": pct(t["started_households"], b.households_target or 0),
                "areas": areas,
            }
        )
    return out
