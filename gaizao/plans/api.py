"""plans API: catalogue, a compound's plan, items, funding, approval, clusters.
Thin over services; errors come back as {"error": …} (gaizao/api.py)."""

from decimal import Decimal

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from gaizao.core.apikit import Key, PageQuery, cached_paged, page_schema
from gaizao.inventory.permissions import compounds_for_user, get_compound_for_user

from . import selectors, services
from .funding import SOURCE_LABELS, TIER_LABELS
from .models import Plan, PlanItem
from .permissions import clusters_for_user, get_cluster_for_user, get_plan_for_user, require

router = Router(tags=["plans"])


class CatalogItemOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    tier: str
    unit: str
    unit_cost: Decimal
    facility: str | None
    funding_sources: list[str]
    jurisdiction: str | None
    year: int | None
    source: str = ""  # the tier's basis (国办发〔2020〕23号, the Panlong seed)


class PlanItemOut(Schema):
    id: int
    code: str
    name: str
    tier: str
    unit: str
    quantity: Decimal
    unit_cost: Decimal
    cost: Decimal
    estimate: str
    source: str
    note: str


class FundingOut(Schema):
    source: str
    label: str
    amount: Decimal
    basis: str


class PlanOut(Schema):
    id: int
    compound_id: int | None
    cluster_id: int | None
    subject: str
    version: int
    year: int
    status: str
    status_label: str
    total_cost: Decimal
    cost_by_tier: dict[str, Decimal]
    cost_per_m2: Decimal | None
    cost_per_household: Decimal | None
    items: list[PlanItemOut]
    funding: list[FundingOut]
    approval_blockers: list[str]


class ItemIn(Schema):
    code: str
    quantity: Decimal
    source: str = "staff"
    note: str = ""
    estimate: str = ""


class ItemPatch(Schema):
    quantity: Decimal | None = None
    note: str | None = None
    estimate: str | None = None


class FundingIn(Schema):
    lines: dict[str, Decimal]


class ClusterIn(Schema):
    name: str
    compound_ids: list[int]
    note: str = ""


class ClusterOut(Schema):
    id: int
    name: str
    area: str
    compound_ids: list[int]
    plan_id: int | None


def plan_out(plan: Plan) -> dict:
    plan = (
        Plan.objects.select_related("compound", "cluster")
        .prefetch_related(
            Prefetch("items", queryset=PlanItem.objects.order_by("code")), "funding_lines"
        )
        .get(pk=plan.pk)
    )
    items = list(plan.items.all())
    summary = services.plan_cost_summary(plan, items)
    return {
        "id": plan.pk,
        "compound_id": plan.compound_id,
        "cluster_id": plan.cluster_id,
        "subject": plan.subject_name,
        "version": plan.version,
        "year": plan.year,
        "status": plan.status,
        "status_label": plan.get_status_display(),
        "total_cost": summary.total,
        "cost_by_tier": summary.by_tier,
        "cost_per_m2": summary.per_m2,
        "cost_per_household": summary.per_household,
        "items": [
            {
                "id": i.pk,
                "code": i.code,
                "name": i.name,
                "tier": i.tier,
                "unit": i.unit,
                "quantity": i.quantity,
                "unit_cost": i.unit_cost,
                "cost": i.cost,
                "estimate": i.estimate,
                "source": i.source,
                "note": i.note,
            }
            for i in items
        ],
        "funding": [
            {
                "source": f.source,
                "label": SOURCE_LABELS.get(f.source, f.source),
                "amount": f.amount,
                "basis": f.basis,
            }
            for f in plan.funding_lines.all()
        ],
        "approval_blockers": services.approval_blockers(plan) if plan.status == "consulted" else [],
    }


@router.get("/catalogue", response=list[CatalogItemOut])
def catalogue(request, compound_id: int | None = None, year: int | None = None):
    """The catalogue in force for a compound (or for the user's area)."""
    if compound_id is not None:
        qs = selectors.catalogue_for_compound(
            get_compound_for_user(request.user, compound_id), year
        )
    else:
        qs = selectors.catalogue_for_area(getattr(request.user, "area", None), year)
    return [
        {
            "id": c.pk,
            "code": c.code,
            "name": c.name,
            "name_en": c.name_en,
            "tier": c.tier,
            "unit": c.unit,
            "unit_cost": c.unit_cost,
            "facility": c.facility,
            "funding_sources": c.funding_sources or [],
            "jurisdiction": c.jurisdiction.name if c.jurisdiction_id else None,
            "year": c.year,
            "source": c.source,
        }
        for c in qs.select_related("jurisdiction")
    ]


@router.get("/compounds/{compound_id}/plan", response={200: PlanOut, 404: dict})
def compound_plan(request, compound_id: int):
    compound = get_compound_for_user(request.user, compound_id)
    cluster = selectors.cluster_of(compound)
    plan = (
        selectors.current_plan_for_cluster(cluster)
        if cluster
        else selectors.current_plan_for_compound(compound)
    )
    if plan is None:
        return 404, {"error": _("%(name)s尚无改造方案") % {"name": compound.name}}
    return 200, plan_out(plan)


@router.post("/compounds/{compound_id}/plan", response={201: PlanOut})
def draft_plan(request, compound_id: int):
    """Draft the plan from the latest survey (根据摸底调查生成方案草稿)."""
    compound = get_compound_for_user(request.user, compound_id)
    require(request.user, "plan.draft")
    return 201, plan_out(
        services.plan_draft_from_survey(actor=request.user, compound=compound, source="api")
    )


@router.get("/plans/{plan_id}", response=PlanOut)
def get_plan(request, plan_id: int):
    return plan_out(get_plan_for_user(request.user, plan_id))


@router.patch("/plans/{plan_id}/items/{item_id}", response=PlanOut)
def patch_item(request, plan_id: int, item_id: int, payload: ItemPatch):
    """Change an item. On an approved plan a new version is made; the
    response is the plan actually changed (look at its id and version)."""
    plan = get_plan_for_user(request.user, plan_id, action="plan.edit")
    new_plan, _ = services.plan_item_set(
        actor=request.user,
        plan=plan,
        item_id=item_id,
        quantity=payload.quantity,
        note=payload.note,
        estimate=payload.estimate,
        source="api",
    )
    return plan_out(new_plan)


@router.post("/plans/{plan_id}/items", response={201: PlanOut})
def add_item(request, plan_id: int, payload: ItemIn):
    plan = get_plan_for_user(request.user, plan_id, action="plan.edit")
    new_plan, _ = services.plan_item_add(
        actor=request.user,
        plan=plan,
        code=payload.code,
        quantity=payload.quantity,
        item_source=payload.source,
        note=payload.note,
        estimate=payload.estimate,
        source="api",
    )
    return 201, plan_out(new_plan)


@router.put("/plans/{plan_id}/funding", response=PlanOut)
def put_funding(request, plan_id: int, payload: FundingIn):
    """Set the funding lines; refused unless they sum exactly to the total."""
    plan = get_plan_for_user(request.user, plan_id, action="plan.edit")
    return plan_out(
        services.plan_funding_set(
            actor=request.user, plan=plan, amounts=payload.lines, source="api"
        )
    )


@router.post("/plans/{plan_id}/consulted", response=PlanOut)
def mark_consulted(request, plan_id: int):
    plan = get_plan_for_user(request.user, plan_id, action="plan.consult")
    return plan_out(services.plan_mark_consulted(actor=request.user, plan=plan, source="api"))


@router.post("/plans/{plan_id}/approve", response=PlanOut)
def approve(request, plan_id: int):
    plan = get_plan_for_user(request.user, plan_id, action="plan.approve")
    return plan_out(services.plan_approve(actor=request.user, plan=plan, source="api"))


ClusterPage = page_schema(ClusterOut, "ClusterPage")


@router.get("/clusters", response=ClusterPage)
def list_clusters(request, page: Query[PageQuery]):
    """By name; keyset pages (after/limit)."""

    def out(c):
        plan = selectors.current_plan_for_cluster(c)
        return {
            "id": c.pk,
            "name": c.name,
            "area": c.area.name,
            "compound_ids": [m.compound_id for m in c.members.all()],
            "plan_id": plan.pk if plan else None,
        }

    return cached_paged(
        request,
        ClusterPage,
        clusters_for_user(request.user).select_related("area").prefetch_related("members"),
        page,
        keys=[Key("name")],
        scope="clusters",
        out=out,
    )


@router.post("/clusters", response={201: ClusterOut})
def create_cluster(request, payload: ClusterIn):
    require(request.user, "cluster.edit")
    ids = set(payload.compound_ids)
    chosen = list(
        compounds_for_user(request.user).select_related("street__parent").filter(pk__in=ids)
    )
    if len(chosen) != len(ids):
        from django.http import Http404

        raise Http404(_("所选小区中有不存在或不在您辖区内的小区"))
    c = services.cluster_create(
        actor=request.user, name=payload.name, compounds=chosen, note=payload.note, source="api"
    )
    return 201, {
        "id": c.pk,
        "name": c.name,
        "area": c.area.name,
        "compound_ids": sorted(ids),
        "plan_id": None,
    }


@router.post("/clusters/{cluster_id}/plan", response={201: PlanOut})
def draft_cluster_plan(request, cluster_id: int):
    cluster = get_cluster_for_user(request.user, cluster_id, action="plan.draft")
    return 201, plan_out(
        services.plan_draft_for_cluster(actor=request.user, cluster=cluster, source="api")
    )


TIERS = TIER_LABELS
