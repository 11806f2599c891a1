"""works API (scoped by works_q: a contractor sees only its works)."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from gaizao.core.apikit import Key, PageQuery, cached_page, cached_paged, page_schema
from gaizao.plans.permissions import get_plan_for_user
from gaizao.regions.models import Area, Organisation
from gaizao.regions.scope import areas_within

from . import permissions as perms
from . import selectors, services
from .api_steps import router as steps_router
from .models import Stage
from .organisation.api import router as org_router

router = Router(tags=["works"])
# Leadership group, joint meetings and their tasks (organisation/api.py).
router.add_router("", org_router)
router.add_router("", steps_router)


class MilestoneOut(Schema):
    stage: str
    stage_label: str
    planned_on: date | None
    actual_on: date | None
    state: str
    days_late: int
    responsible_org: str | None


class ItemOut(Schema):
    id: int
    name: str
    budget: Decimal
    percent_done: Decimal
    work_done: Decimal
    committed: Decimal
    paid: Decimal
    spent: Decimal
    paid_above_work: bool
    overrun: bool


class SourceOut(Schema):
    source: str
    planned: Decimal
    committed: Decimal
    paid: Decimal
    spent: Decimal
    overrun: bool


class WorksOut(Schema):
    id: int
    name: str
    plan_id: int
    compound_id: int | None
    cluster_id: int | None
    stage: str
    contractor: str | None
    contract_amount: Decimal
    final_account_on: date | None


class WorksDetailOut(WorksOut):
    milestones: list[MilestoneOut]
    items: list[ItemOut]
    sources: list[SourceOut]


class WorksIn(Schema):
    plan_id: int
    contractor_id: int | None = None
    designer_id: int | None = None
    supervisor_id: int | None = None
    implementer_id: int | None = None
    planned: dict[str, date] = {}


class MilestoneDoneIn(Schema):
    on: date


class ProgressIn(Schema):
    text: str
    percents: dict[str, Decimal]


class CostIn(Schema):
    item_id: int
    source: str
    kind: str
    amount: Decimal
    on: date


class InspectionIn(Schema):
    on: date
    findings: str
    rectify_by: date | None = None
    item_id: int | None = None


class ChangeIn(Schema):
    reason: str
    amount: Decimal
    item_id: int | None = None


class DefectIn(Schema):
    item_id: int
    text: str


class IdOut(Schema):
    id: int


class StageFiguresOut(Schema):
    """Compounds, households and floor area (m²) at one stage, as decimal strings."""

    compounds: str
    households: str
    floor_area: str


class ProgressAreaOut(Schema):
    area_id: int | None
    area: str
    code: str
    start: StageFiguresOut
    completion: StageFiguresOut
    acceptance: StageFiguresOut


class ProgressOut(Schema):
    totals: dict[str, StageFiguresOut]
    level: str
    by_area: list[ProgressAreaOut]


class LateOut(Schema):
    works_id: int
    works: str
    street: str | None
    stage: str
    planned_on: date
    days_late: int
    responsible_org: str | None


def _works(w) -> dict:
    return {
        "id": w.pk,
        "name": w.name,
        "plan_id": w.plan_id,
        "compound_id": w.compound_id,
        "cluster_id": w.cluster_id,
        "stage": w.stage,
        "contractor": w.contractor.name if w.contractor_id else None,
        "contract_amount": w.contract_amount,
        "final_account_on": w.final_account_on,
    }


def _org(pk):
    return Organisation.objects.filter(pk=pk).first() if pk else None


WorksPage = page_schema(WorksOut, "WorksPage")
LatePage = page_schema(LateOut, "LatePage")


@router.get("/works", response=WorksPage)
def list_works(request, page: Query[PageQuery], stage: str = "", late: bool = False):
    """Works projects, newest first; keyset pages (after/limit)."""
    qs = selectors.works_list(request.user, stage=stage, late=late)
    return cached_paged(
        request,
        WorksPage,
        qs,
        page,
        keys=[Key("id", desc=True)],
        scope="works",
        out=_works,
    )


@router.post("/works", response={201: WorksOut})
def create_works(request, payload: WorksIn):
    plan = get_plan_for_user(request.user, payload.plan_id)
    w = services.works_create(
        actor=request.user,
        plan=plan,
        contractor=_org(payload.contractor_id),
        designer=_org(payload.designer_id),
        supervisor=_org(payload.supervisor_id),
        implementer=_org(payload.implementer_id),
        planned={k: v for k, v in payload.planned.items()},
        source="api",
    )
    return 201, _works(w)


@router.get("/works/{works_id}", response=WorksDetailOut)
def get_works(request, works_id: int):
    w = perms.get_works_for_user(request.user, works_id)
    roll = selectors.works_rollup(w)
    out = _works(w)
    out["milestones"] = [
        {
            "stage": m.stage,
            "stage_label": m.get_stage_display(),
            "planned_on": m.planned_on,
            "actual_on": m.actual_on,
            "state": m.late.state,
            "days_late": m.late.days_late,
            "responsible_org": m.responsible_org.name if m.responsible_org_id else None,
        }
        for m in selectors.milestones_of(w)
    ]
    out["items"] = [
        {
            "id": i.item_id,
            "name": i.name,
            "budget": i.budget,
            "percent_done": i.percent_done,
            "work_done": i.work_done,
            "committed": i.committed,
            "paid": i.paid,
            "spent": i.spent,
            "paid_above_work": i.paid_above_work,
            "overrun": i.overrun,
        }
        for i in roll.items
    ]
    out["sources"] = [
        {
            "source": s.source,
            "planned": s.planned,
            "committed": s.committed,
            "paid": s.paid,
            "spent": s.spent,
            "overrun": s.overrun,
        }
        for s in roll.sources
    ]
    return out


@router.post("/works/{works_id}/milestones/{stage}/done", response=WorksOut)
def milestone_done(request, works_id: int, stage: str, payload: MilestoneDoneIn):
    w = perms.get_works_for_user(request.user, works_id)
    services.milestone_done(actor=request.user, works=w, stage=stage, on=payload.on, source="api")
    w.refresh_from_db()
    return _works(w)


@router.post("/works/{works_id}/progress", response={201: IdOut})
def post_progress(request, works_id: int, payload: ProgressIn):
    w = perms.get_works_for_user(request.user, works_id, action="works.report")
    r = services.progress_report(
        actor=request.user, works=w, text=payload.text, percents=payload.percents, source="api"
    )
    return 201, {"id": r.pk}


@router.post("/works/{works_id}/costs", response={201: IdOut})
def post_cost(request, works_id: int, payload: CostIn):
    w = perms.get_works_for_user(request.user, works_id, action="works.cost")
    e = services.cost_record(
        actor=request.user,
        works=w,
        item_id=payload.item_id,
        source_key=payload.source,
        kind=payload.kind,
        amount=payload.amount,
        on=payload.on,
        source="api",
    )
    return 201, {"id": e.pk}


@router.post("/works/{works_id}/inspections", response={201: IdOut})
def post_inspection(request, works_id: int, payload: InspectionIn):
    w = perms.get_works_for_user(request.user, works_id, action="works.inspect")
    i = services.inspection_record(
        actor=request.user,
        works=w,
        on=payload.on,
        findings=payload.findings,
        rectify_by=payload.rectify_by,
        item_id=payload.item_id,
        source="api",
    )
    return 201, {"id": i.pk}


@router.post("/works/{works_id}/change-orders", response={201: IdOut})
def post_change(request, works_id: int, payload: ChangeIn):
    w = perms.get_works_for_user(request.user, works_id, action="works.change.propose")
    co = services.change_order_propose(
        actor=request.user,
        works=w,
        reason=payload.reason,
        amount=payload.amount,
        item_id=payload.item_id,
        source="api",
    )
    return 201, {"id": co.pk}


@router.post("/works/{works_id}/defects", response={201: IdOut})
def post_defect(request, works_id: int, payload: DefectIn):
    w = perms.get_works_for_user(request.user, works_id, action="works.defect")
    d = services.defect_report(
        actor=request.user, works=w, item_id=payload.item_id, text=payload.text, source="api"
    )
    return 201, {"id": d.pk}


@router.get("/responsibility/late", response=LatePage)
def late(request, page: Query[PageQuery]):
    """Late milestones, the longest overdue first; keyset pages (after/limit)."""
    if not perms.can_do(request.user, "responsibility.view"):
        raise PermissionDenied(_("您的角色无权查看责任清单"))
    today = date.today()

    def out(m):
        return {
            "works_id": m.works_id,
            "works": m.works.name,
            "street": m.works.compound.street.name if m.works.compound_id else None,
            "stage": m.stage,
            "planned_on": m.planned_on,
            "days_late": (today - m.planned_on).days,
            "responsible_org": m.responsible_org.name if m.responsible_org_id else None,
        }

    return cached_paged(
        request,
        LatePage,
        # The page's rows first, their works, compound and unit after (the
        # join before the sort read every late milestone: the HTML list's way).
        selectors.responsibility_rows(request.user, only_late=True)
        .select_related(None)
        .prefetch_related("works__compound__street", "responsible_org"),
        page,
        keys=[Key("planned_on")],
        scope="late",
        out=out,
    )


@router.get("/works-progress", response=ProgressOut)
def progress(request, area_id: int):
    """Started / completed / accepted compounds, households, m² under an area
    (the caller's own area or below), in total and by area one level below it
    (`level`, `by_area`: provinces for the country, streets for a district)."""
    if not perms.can_do(request.user, "responsibility.view"):
        raise PermissionDenied(_("您的角色无权查看进度统计"))
    if request.user.is_superuser:
        area = Area.objects.filter(pk=area_id).first()
    elif request.user.area is None:
        area = None
    else:
        area = areas_within(request.user.area).filter(pk=area_id).first()
    if area is None:
        raise Http404(_("区划不存在或不在您的辖区内"))

    def build():
        return _progress_out(selectors.progress(area))

    # Kept per user, query, language, day and data version (core.apikit).
    return cached_page(request, "works-progress", ProgressOut, build)


def _progress_out(data: dict) -> dict:
    return {
        "totals": {s: {k: str(v) for k, v in t.items()} for s, t in data["totals"].items()},
        # one level below the area asked for (provinces for the country,
        # streets for a district): a handful of rows at any level
        "level": data["level"],
        "by_area": [
            {
                "area_id": r["area_id"],
                "area": r["area"],
                "code": r["code"],
                **{
                    s: {k: str(v) for k, v in r[s].items()}
                    for s in (Stage.START, Stage.COMPLETION, Stage.ACCEPTANCE)
                },
            }
            for r in data["by_area"]
        ],
    }
