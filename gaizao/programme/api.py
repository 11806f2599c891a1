"""programme API: programmes, batches, runs and assignments, scoped by
jurisdiction through the same permission-checked fetches as the pages.
Errors come back as {"error": …} (gaizao/api.py)."""

from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from gaizao.core.apikit import Key, PageQuery, cached_paged, page_schema
from gaizao.core.errors import DomainError

from . import runner, selectors, services
from .permissions import (
    get_entry_for_user,
    get_programme_for_user,
    get_run_for_user,
    visible_programmes,
)

router = Router(tags=["programme"])
MAX_ROWS = 5000


class BatchOut(Schema):
    id: int
    name: str
    position: int
    starts_on: date
    ends_on: date
    area_target_m2: Decimal | None
    households_target: int | None
    budget: dict[str, Decimal]
    extension_cap_share: Decimal | None
    weight: Decimal
    compounds: int
    area_m2: Decimal
    households: int
    cost_yuan: Decimal


class ProgrammeOut(Schema):
    id: int
    name: str
    area: str
    cost_per_m2: Decimal
    max_concurrent_per_street: int | None
    weights: dict[str, Decimal]


class ProgrammeDetailOut(ProgrammeOut):
    batches: list[BatchOut]


class BatchIn(Schema):
    name: str
    starts_on: str
    ends_on: str
    area_target_m2: str | None = None
    households_target: str | None = None
    budget: dict[str, str] = {}
    extension_cap_share: str | None = None
    weight: str | None = None


class RunIn(Schema):
    time_limit: float = 10


class RunOut(Schema):
    id: int
    status: str
    progress: int
    time_limit: float
    solver_status: str
    objective: float | None
    bound: float | None
    gap: float | None
    seconds: float | None
    shortfalls: list[dict]
    error: str


class AssignmentOut(Schema):
    entry_id: int
    compound_id: int
    compound: str
    street: str
    batch_id: int | None
    batch: str | None
    score: Decimal
    locked: bool
    explanation: dict


class EntryIn(Schema):
    batch_id: int | None = None
    locked: bool | None = None


def _programme_out(p) -> dict:
    return {
        "id": p.pk,
        "name": p.name,
        "area": p.area.name,
        "cost_per_m2": p.cost_per_m2,
        "max_concurrent_per_street": p.max_concurrent_per_street,
        "weights": {k: Decimal(str(v)) for k, v in p.weight_table().items()},
    }


def _detail(user, p) -> dict:
    cols = selectors.board(user, p, per_batch=0)["columns"]
    batches = []
    for col in cols:
        b = col["batch"]
        if b is None:
            continue
        batches.append(
            {
                "id": b.pk,
                "name": b.name,
                "position": b.position,
                "starts_on": b.starts_on,
                "ends_on": b.ends_on,
                "area_target_m2": b.area_target_m2,
                "households_target": b.households_target,
                "budget": {k: Decimal(str(v)) for k, v in b.budget.items()},
                "extension_cap_share": b.extension_cap_share,
                "weight": b.weight,
                "compounds": col["n"],
                "area_m2": col["area"],
                "households": col["households"],
                "cost_yuan": col["cost"],
            }
        )
    return {**_programme_out(p), "batches": batches}


def _run_out(r) -> dict:
    return {
        "id": r.pk,
        "status": r.status,
        "progress": r.progress,
        "time_limit": r.time_limit,
        "solver_status": r.solver_status,
        "objective": r.objective,
        "bound": r.bound,
        "gap": r.gap,
        "seconds": r.seconds,
        "shortfalls": r.shortfalls,
        "error": r.error,
    }


ProgrammePage = page_schema(ProgrammeOut, "ProgrammePage")


@router.get("/programmes", response=ProgrammePage)
def list_programmes(request, page: Query[PageQuery]):
    """Newest first; keyset pages (after/limit)."""
    return cached_paged(
        request,
        ProgrammePage,
        visible_programmes(request.user).select_related("area"),
        page,
        keys=[Key("id", desc=True)],
        scope="programmes",
        out=_programme_out,
    )


@router.get("/programmes/{programme_id}", response=ProgrammeDetailOut)
def get_programme(request, programme_id: int):
    return _detail(request.user, get_programme_for_user(request.user, programme_id))


@router.post("/programmes/{programme_id}/batches", response={201: ProgrammeDetailOut})
def add_batch(request, programme_id: int, payload: BatchIn):
    p = get_programme_for_user(request.user, programme_id, action="programme.edit")
    services.batch_create(actor=request.user, programme=p, **payload.dict())
    return 201, _detail(request.user, p)


@router.get("/programmes/{programme_id}/runs", response=list[RunOut])
def list_runs(request, programme_id: int):
    p = get_programme_for_user(request.user, programme_id)
    return [_run_out(r) for r in selectors.runs(p)]


@router.post("/programmes/{programme_id}/runs", response={201: RunOut})
def start_run(request, programme_id: int, payload: RunIn):
    p = get_programme_for_user(request.user, programme_id, action="programme.plan")
    run = services.run_create(actor=request.user, programme=p, time_limit=payload.time_limit)
    runner.launch(run, request.user)
    run.refresh_from_db()
    return 201, _run_out(run)


@router.get("/programmes/{programme_id}/runs/{run_id}", response=RunOut)
def get_run(request, programme_id: int, run_id: int):
    p = get_programme_for_user(request.user, programme_id)
    return _run_out(get_run_for_user(request.user, p, run_id))


@router.post("/programmes/{programme_id}/runs/{run_id}/cancel", response=RunOut)
def cancel_run(request, programme_id: int, run_id: int):
    p = get_programme_for_user(request.user, programme_id)
    run = get_run_for_user(request.user, p, run_id, action="programme.plan")
    return _run_out(services.run_cancel(actor=request.user, run=run))


@router.get("/programmes/{programme_id}/runs/{run_id}/assignments", response=list[AssignmentOut])
def run_assignments(request, programme_id: int, run_id: int, offset: int = 0):
    """A run's assignments of the compounds the user may see, 5,000 at a time."""
    p = get_programme_for_user(request.user, programme_id)
    run = get_run_for_user(request.user, p, run_id)
    rows = selectors.assignments_for_user(request.user, run)[
        max(offset, 0) : max(offset, 0) + MAX_ROWS
    ]
    return [
        {
            "entry_id": a.entry_id,
            "compound_id": a.entry.compound_id,
            "compound": a.entry.compound.name,
            "street": a.entry.compound.street.name,
            "batch_id": a.batch_id,
            "batch": a.batch.name if a.batch else None,
            "score": a.entry.score,
            "locked": a.entry.locked,
            "explanation": a.explanation,
        }
        for a in rows
    ]


@router.patch("/programmes/{programme_id}/entries/{entry_id}", response=AssignmentOut)
def change_entry(request, programme_id: int, entry_id: int, payload: EntryIn):
    """Move a compound to a batch (and lock it there), or lock/unlock it."""
    p = get_programme_for_user(request.user, programme_id)
    e = get_entry_for_user(request.user, p, entry_id, action="programme.plan")
    fields = payload.dict(exclude_unset=True)
    if "batch_id" in fields:
        batch = None
        if fields["batch_id"] is not None:
            batch = p.batches.filter(pk=fields["batch_id"]).first()
            if batch is None:
                raise DomainError(_("批次不存在"))
        e = services.entry_move(actor=request.user, entry=e, batch=batch)
    if fields.get("locked") is not None:
        e = services.entry_lock(actor=request.user, entry=e, locked=fields["locked"])
    return {
        "entry_id": e.pk,
        "compound_id": e.compound_id,
        "compound": e.compound.name,
        "street": e.compound.street.name,
        "batch_id": e.batch_id,
        "batch": e.batch.name if e.batch else None,
        "score": e.score,
        "locked": e.locked,
        "explanation": e.explanation,
    }
