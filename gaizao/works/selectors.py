"""works reads, scoped by the user (permissions.works_q)."""

from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from gaizao.inventory.models import Compound
from gaizao.plans.models import SOURCE_ORDER
from gaizao.programme.models import Entry
from gaizao.regions.scope import breakdown_of, compound_area_q

from . import costs
from .models import STAGE_ORDER, ChangeOrder, CostEntry, Milestone, Stage, WorksItem
from .permissions import works_for_user
from .responsibility import lateness


def works_list(user, *, stage: str = "", late: bool = False):
    qs = works_for_user(user).select_related("compound__street", "cluster", "contractor")
    if stage in STAGE_ORDER:
        qs = qs.filter(stage=stage)
    if late:
        qs = qs.filter(
            Exists(
                Milestone.objects.filter(
                    works=OuterRef("pk"),
                    actual_on__isnull=True,
                    planned_on__lt=timezone.localdate(),
                )
            )
        )
    # The items counted by a subquery a row, not a join grouped by works: the
    # newest 50 are then read down the primary key (and the pager counts
    # without grouping) instead of grouping every works in scope first.
    items = (
        WorksItem.objects.filter(works=OuterRef("pk"))
        .order_by()
        .values("works")
        .annotate(n=Count("id"))
        .values("n")
    )
    return qs.annotate(n_items=Coalesce(Subquery(items[:1]), 0)).order_by("-id")


def milestones_of(works) -> list[Milestone]:
    today = timezone.localdate()
    out = list(works.milestones.select_related("responsible_org", "responsible_person"))
    for m in out:
        m.late = lateness(
            m.planned_on,
            m.actual_on,
            today,
            due_days=settings.GAIZAO_DUE_NOTICE_DAYS,
            escalate_days=settings.GAIZAO_ESCALATE_AFTER_DAYS,
        )
    return out


def works_rollup(works) -> costs.Rollup:
    items = [
        {"id": i.pk, "name": i.name, "budget": i.budget, "percent_done": i.percent_done}
        for i in works.items.all()
    ]
    entries = list(
        CostEntry.objects.filter(works=works).values("item_id", "source", "kind", "amount")
    )
    planned = {fl.source: fl.amount for fl in works.plan.funding_lines.all()}
    changes: dict[int, Decimal] = {}
    for co in ChangeOrder.objects.filter(works=works, status="approved", item__isnull=False):
        changes[co.item_id] = changes.get(co.item_id, Decimal("0")) + co.amount
    return costs.rollup(items, entries, planned, changes, SOURCE_ORDER)


def overall_percent(works) -> Decimal:
    agg = works.items.aggregate(b=Sum("budget"), n=Count("id"))
    if not agg["n"]:
        return Decimal("0")
    if agg["b"]:
        done = sum((i.budget * i.percent_done for i in works.items.all()), Decimal("0"))
        return (done / agg["b"]).quantize(Decimal("0.1"))
    return (sum((i.percent_done for i in works.items.all()), Decimal("0")) / agg["n"]).quantize(
        Decimal("0.1")
    )


def responsibility_rows(user, *, only_late: bool = True, street_id=None, org_id=None):
    """Open milestones of visible works, oldest planned date first."""
    qs = (
        Milestone.objects.filter(
            works__in=works_for_user(user).values("pk"), actual_on__isnull=True
        )
        .exclude(planned_on__isnull=True)
        .select_related(
            "works__compound__street", "works__cluster", "responsible_org", "responsible_person"
        )
        .order_by("planned_on", "id")
    )
    today = timezone.localdate()
    if only_late:
        qs = qs.filter(planned_on__lt=today)
    if street_id and str(street_id).isdigit():
        qs = qs.filter(works__compound__street_id=street_id)
    if org_id and str(org_id).isdigit():
        qs = qs.filter(responsible_org_id=org_id)
    return qs


ORG_TOP = 30


def late_summary(rows, path: str = "street") -> dict:
    """{"by_area": [(name, n)], "by_org": [(name, n)], "orgs_more": (units,
    milestones)} of the late milestones `rows` (a responsibility_rows
    queryset), counted in SQL: one query grouped by (area, unit), folded here
    — its rows are the pairs that occur, not the milestones (issue 14). The
    area is the one `path` leads to from the works' compound, one level
    below the user's area (regions.scope.breakdown_of: provinces for a
    national user, streets for a district), so the list has a handful of
    rows whatever the scope; the units are the ORG_TOP with the most late
    milestones, the rest counted in `orgs_more`. A cluster's works (no
    compound) and a milestone without a responsible unit count under "—"."""
    pairs = (
        rows.order_by()
        .values(area=F(f"works__compound__{path}__name"), org=F("responsible_org__name"))
        .annotate(n=Count("id"))
    )
    by_area: dict[str, int] = {}
    by_org: dict[str, int] = {}
    for r in pairs:
        st, org = r["area"] or "—", r["org"] or "—"
        by_area[st] = by_area.get(st, 0) + r["n"]
        by_org[org] = by_org.get(org, 0) + r["n"]
    orgs = sorted(by_org.items(), key=lambda x: (-x[1], x[0]))
    rest = orgs[ORG_TOP:]
    return {
        "by_area": sorted(by_area.items(), key=lambda x: (-x[1], x[0])),
        "by_org": orgs[:ORG_TOP],
        "orgs_more": (len(rest), sum(n for _o, n in rest)),
    }


def progress(area, *, batch_ids=None) -> dict:
    """The programme's progress figures under `area` (for the API): compounds,
    households and floor area (m², the kept summaries on Compound) whose
    works have started, completed and been accepted, in total and by area one
    level below `area` (regions.scope.breakdown_of: provinces for the
    country, streets for a district, communities for a street; habit 18 —
    a handful of rows at any level, never every street of the country).
    `batch_ids` keeps the compounds of those programme batches
    (programme.Entry, issue 15)."""
    compounds = Compound.objects.filter(compound_area_q(area))
    batch_filtered = False
    if batch_ids:
        compounds = compounds.filter(
            pk__in=Entry.objects.filter(batch_id__in=batch_ids).values("compound_id")
        )
        batch_filtered = True
    path, level = breakdown_of(area)
    if path is None:  # a community: its own row
        path, level = "community", area.level
    areas: dict = {}
    totals = {}
    for stage in (Stage.START, Stage.COMPLETION, Stage.ACCEPTANCE):
        done = Milestone.objects.filter(stage=stage, actual_on__isnull=False).values(
            "works__compound_id"
        )
        rows = (
            compounds.filter(pk__in=done)
            .values(a_id=F(f"{path}_id"), a_name=F(f"{path}__name"), a_code=F(f"{path}__code"))
            .annotate(n=Count("pk"), hh=Sum("households"), fa=Sum("floor_area"))
        )
        t = {"compounds": 0, "households": 0, "floor_area": Decimal("0")}
        for r in rows:
            row = areas.setdefault(
                r["a_id"],
                {"area_id": r["a_id"], "area": r["a_name"] or "—", "code": r["a_code"] or ""},
            )
            row[stage] = {
                "compounds": r["n"],
                "households": r["hh"] or 0,
                "floor_area": r["fa"] or Decimal("0"),
            }
            t["compounds"] += r["n"]
            t["households"] += r["hh"] or 0
            t["floor_area"] += r["fa"] or Decimal("0")
        totals[stage] = t
    empty = {"compounds": 0, "households": 0, "floor_area": Decimal("0")}
    by_area = []
    for row in sorted(areas.values(), key=lambda r: r["code"]):
        for stage in (Stage.START, Stage.COMPLETION, Stage.ACCEPTANCE):
            row.setdefault(stage, dict(empty))
        by_area.append(row)
    return {
        "totals": totals,
        "level": str(level),
        "by_area": by_area,
        "batch_filtered": batch_filtered,
    }


def items_with_photos(works):
    return WorksItem.objects.filter(works=works).prefetch_related("photos").order_by("id")


def accepted(compound) -> bool:
    """Whether the compound's works passed completion acceptance (竣工验收):
    its own works, or its cluster's. The satisfaction evaluation opens then."""
    return Milestone.objects.filter(
        Q(works__compound=compound) | Q(works__cluster__members__compound=compound),
        stage=Stage.ACCEPTANCE,
        actual_on__isnull=False,
    ).exists()


def resident_works(user, compound) -> dict | None:
    """The resident portal's works card: the compound's works (own or its
    cluster's) with stages, per-item progress and the latest photos."""
    w = (
        works_for_user(user)
        .filter(Q(compound=compound) | Q(cluster__members__compound=compound))
        .select_related("contractor")
        .first()
    )
    if w is None:
        return None
    return {
        "works": w,
        "milestones": milestones_of(w),
        "items": list(w.items.all()),
        "photos": list(w.photos.order_by("-id")[:6]),
        "percent": overall_percent(w),
    }
