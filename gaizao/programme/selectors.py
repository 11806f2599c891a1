"""Reads of the programme app, scoped by jurisdiction (STYLE.md habit 3)."""

from decimal import Decimal

from django.db.models import Count, F, Q, Sum, prefetch_related_objects

from gaizao.consultation.models import Vote
from gaizao.eligibility.selectors import willingness_shares
from gaizao.inventory.models import Compound
from gaizao.inventory.permissions import compound_q
from gaizao.plans.models import ClusterMember, FundingLine, FundingSource, Plan, PlanStatus
from gaizao.regions.scope import ancestor_prefixes
from gaizao.stewardship.models import ManagementArrangement

from . import kept, scoring
from .models import Assignment, Entry, Programme, Run

ART_278_RENOVATION = 7  # 民法典第二百七十八条 matter 7 (plans.selectors.ART_278_RENOVATION)
CHUNK = 5000


def programmes_for_user(user):
    """Programmes of the user's jurisdiction: inside it, or above it (a street
    office sees the district's programme, but only its own compounds in it)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Programme.objects.none()
    if user.is_superuser:
        return Programme.objects.all()
    area = getattr(user, "area", None)
    if area is None:
        return Programme.objects.none()
    return Programme.objects.filter(
        Q(area__prefix__startswith=area.prefix) | Q(area__prefix__in=ancestor_prefixes(area))
    )


def entries_for_user(user, programme):
    return Entry.objects.filter(Q(programme=programme) & compound_q(user, "compound__"))


def batches(programme):
    return list(programme.batches.order_by("position", "id"))


def board(user, programme, *, per_batch: int = 60, q: str = "") -> dict:
    """Batches side by side with totals against targets, and the first
    `per_batch` compounds of each column (highest score first). Totals are
    aggregated in the database; the page shows a bounded number of rows."""
    bs = batches(programme)
    entries = entries_for_user(user, programme)
    rows_kept = kept.rows(user, programme)
    if rows_kept is not None:
        # The kept totals a (batch, street) (disclosure.entrytally): no
        # grouping of every entry of a wide scope.
        totals = {
            r["batch_id"]: r | {"area_sum": r["area"], "hh_sum": r["households"]}
            for r in kept.totals(rows_kept, "batch_id")
        }
    else:
        totals = {
            r["batch_id"]: r
            for r in entries.order_by()
            .values("batch_id")
            .annotate(
                n=Count("id"),
                area_sum=Sum("area_m2"),
                hh_sum=Sum("households"),
                cost=Sum("cost_yuan"),
                ext_households=Sum("households", filter=Q(extension=True)),
                estimated=Count("id", filter=Q(cost_estimated=True)),
                locked=Count("id", filter=Q(locked=True)),
            )
        }
    # Each column's first rows sorted on the entries alone, their compounds
    # and streets fetched after for all columns at once: joining them before
    # the sort made PostgreSQL join every entry of a batch (44,000) first.
    rows = entries.order_by("-score", "compound_id")
    if q:
        rows = rows.filter(compound__name__icontains=q)
    columns = []
    for b in [*bs, None]:
        t = totals.get(b.pk if b else None, {})
        col_rows = (
            list(rows.filter(batch=b)[:per_batch])
            if b
            else list(rows.filter(batch__isnull=True)[:per_batch])
        )
        area = t.get("area_sum") or Decimal(0)
        hh = t.get("hh_sum") or 0
        ext_hh = t.get("ext_households") or 0
        col = {
            "batch": b,
            "n": t.get("n", 0),
            "area": area,
            "households": hh,
            "cost": t.get("cost") or Decimal(0),
            "ext_households": ext_hh,
            "estimated": t.get("estimated", 0),
            "locked": t.get("locked", 0),
            "rows": col_rows,
        }
        if b is not None:
            col["area_short"] = (
                (b.area_target_m2 - area) if b.area_target_m2 and area < b.area_target_m2 else None
            )
            col["area_pct"] = (area / b.area_target_m2 * 100) if b.area_target_m2 else None
            bt = b.budget_total
            col["budget"] = bt
            col["over_budget"] = (col["cost"] - bt) if bt is not None and col["cost"] > bt else None
            col["households_short"] = (
                b.households_target - hh
                if b.households_target and hh < b.households_target
                else None
            )
            cap = extension_cap_households(b, hh)
            col["ext_cap"] = cap
            col["ext_over"] = ext_hh - cap if cap is not None and ext_hh > cap else None
        columns.append(col)
    prefetch_related_objects([e for c in columns for e in c["rows"]], "compound__street")
    return {"columns": columns, "batches": bs}


def extension_cap_households(batch, households: int) -> int | None:
    """The extension window's cap in households: the batch's share of its
    household target, or of the households it holds when it has no target
    (23号文: compounds built 2001–2005 at most a share of the year's households)."""
    if batch.extension_cap_share is None:
        return None
    base = batch.households_target or households
    return int(Decimal(base) * batch.extension_cap_share)


def score_rows(entry) -> list[dict]:
    """The entry's priority score criterion by criterion, in the fixed order."""
    out = []
    for key in scoring.ORDER:
        part = (entry.score_parts or {}).get(key)
        if part:
            out.append({"key": key, "label": scoring.LABELS[key], **part})
    return out


def runs(programme, limit: int = 20):
    return list(programme.runs.select_related("created_by").order_by("-id")[:limit])


def assignments_for_user(user, run):
    return (
        Assignment.objects.filter(Q(run=run) & compound_q(user, "entry__compound__"))
        .select_related("entry__compound__street", "batch")
        .order_by("entry__compound__name", "id")
    )


def compare_runs(user, a: Run, b: Run, limit: int = 200) -> dict:
    """Compounds whose batch differs between runs a and b (visible ones)."""
    qa = dict(assignments_for_user(user, a).values_list("entry_id", "batch_id"))
    qb = dict(assignments_for_user(user, b).values_list("entry_id", "batch_id"))
    changed = [e for e in set(qa) | set(qb) if qa.get(e) != qb.get(e)]
    names = {bb.pk: bb.name for bb in a.programme.batches.all()}
    rows = []
    for e in (
        Entry.objects.filter(pk__in=changed[:limit])
        .select_related("compound__street")
        .order_by("-score")
    ):
        rows.append(
            {
                "entry": e,
                "a": names.get(qa.get(e.pk)),
                "b": names.get(qb.get(e.pk)),
            }
        )
    return {
        "changed": len(changed),
        "same": len(set(qa) & set(qb)) - len(set(changed) & set(qa) & set(qb)),
        "rows": rows,
    }


def export_rows(user, programme):
    return (
        entries_for_user(user, programme)
        .select_related("compound__street", "compound__community", "batch")
        .order_by(F("batch__position").asc(nulls_last=True), "-score", "compound__name")
    )


# ---- facts for taking compounds in from the reserve --------------------------


def _chunks(seq, n=CHUNK):
    seq = list(seq)
    for i in range(0, len(seq), n):
        yield seq[i : i + n]


def entry_facts(compound_ids) -> dict[int, dict]:
    """compound id → {score_facts, plan_cost, cluster}: a fixed number of
    queries per chunk of 5,000 compounds whatever the jurisdiction's size."""
    out: dict[int, dict] = {}
    for ids in _chunks(compound_ids):
        rows = Compound.objects.filter(pk__in=ids).values(
            "id", "latest_score", "built_year", "floor_area", "households"
        )
        shares = willingness_shares(ids)
        voted = set(
            Vote.objects.filter(
                compound_id__in=ids,
                matter=ART_278_RENOVATION,
                status=Vote.Status.PUBLISHED,
                passed=True,
                overturned=False,
            ).values_list("compound_id", flat=True)
        )
        managed = set(
            ManagementArrangement.objects.filter(compound_id__in=ids).values_list(
                "compound_id", flat=True
            )
        )
        clusters = dict(
            ClusterMember.objects.filter(compound_id__in=ids).values_list(
                "compound_id", "cluster_id"
            )
        )
        plans = {}
        for pid, cid, cost in (
            Plan.objects.filter(compound_id__in=ids)
            .exclude(status=PlanStatus.SUPERSEDED)
            .order_by("compound_id", "-version", "-id")
            .values_list("id", "compound_id", "total_cost")
        ):
            plans.setdefault(cid, (pid, cost))
        pledged = set(
            FundingLine.objects.filter(
                plan_id__in=[p for p, _ in plans.values()],
                source=FundingSource.RESIDENT,
                amount__gt=0,
            ).values_list("plan__compound_id", flat=True)
        )
        for c in rows:
            plan = plans.get(c["id"])
            out[c["id"]] = {
                "facts": scoring.ScoreFacts(
                    survey_score=c["latest_score"],
                    built_year=c["built_year"],
                    willingness_share=shares.get(c["id"]),
                    vote_passed=c["id"] in voted,
                    contribution_pledged=c["id"] in pledged,
                    management_settled=c["id"] in managed,
                    in_cluster=c["id"] in clusters,
                ),
                "plan_cost": plan[1] if plan and plan[1] else None,
                "cluster": clusters.get(c["id"]),
                "area": c["floor_area"],
                "households": c["households"] or 0,
            }
    return out
