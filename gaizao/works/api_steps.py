"""The rest of the works API (issue 10, item 7): re-inspection, change
order decisions, the final account (结算), item acceptance, residents'
representatives' sign-off, handover, defect repair, and the inspections,
change orders, sign-offs and defects of one works. Same chokepoint and
services as the pages (works_q; invisible → 404, not allowed → 403)."""

from datetime import date, datetime
from decimal import Decimal

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Router, Schema

from . import permissions as perms
from . import services

router = Router(tags=["works"])


class RecheckIn(Schema):
    on: date
    passed: bool
    note: str = ""


class DecideIn(Schema):
    approve: bool


class FinalIn(Schema):
    on: date
    amount: Decimal


class ItemCheckIn(Schema):
    passed: bool
    note: str = ""


class SignoffIn(Schema):
    representative: str
    agrees: bool = True
    opinion: str = ""


class OnIn(Schema):
    on: date


class StatusOut(Schema):
    id: int
    status: str


class InspectionOut(Schema):
    id: int
    on: date
    item_id: int | None
    findings: str
    rectify_by: date | None
    status: str
    reinspected_on: date | None
    reinspection_note: str


class ChangeOut(Schema):
    id: int
    item_id: int | None
    reason: str
    amount: Decimal
    status: str
    decided_at: datetime | None


class SignoffOut(Schema):
    id: int
    representative: str
    agrees: bool
    opinion: str


class DefectOut(Schema):
    id: int
    item_id: int
    text: str
    in_warranty: bool
    status: str


class RecordsOut(Schema):
    inspections: list[InspectionOut]
    change_orders: list[ChangeOut]
    signoffs: list[SignoffOut]
    defects: list[DefectOut]
    final_account_on: date | None
    final_account_amount: Decimal | None
    handed_over_on: date | None
    warranty_until: date | None


def _one(qs, pk):
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise Http404(_("记录不存在"))
    return obj


@router.get("/works/{works_id}/records", response=RecordsOut)
def records(request, works_id: int):
    w = perms.get_works_for_user(request.user, works_id)
    h = getattr(w, "handover", None)
    return {
        "inspections": list(w.inspections.all()),
        "change_orders": list(w.change_orders.all()),
        "signoffs": list(w.signoffs.all()),
        "defects": list(w.defects.all()),
        "final_account_on": w.final_account_on,
        "final_account_amount": w.final_account_amount,
        "handed_over_on": h.handed_over_on if h else None,
        "warranty_until": h.warranty_until if h else None,
    }


@router.post("/works/{works_id}/inspections/{inspection_id}/reinspect", response=StatusOut)
def reinspect(request, works_id: int, inspection_id: int, payload: RecheckIn):
    w = perms.get_works_for_user(request.user, works_id, action="works.inspect")
    i = _one(w.inspections, inspection_id)
    services.inspection_reinspect(
        actor=request.user,
        inspection=i,
        on=payload.on,
        passed=payload.passed,
        note=payload.note,
        source="api",
    )
    return {"id": i.pk, "status": i.status}


@router.post("/works/{works_id}/change-orders/{order_id}/decide", response=StatusOut)
def decide(request, works_id: int, order_id: int, payload: DecideIn):
    w = perms.get_works_for_user(request.user, works_id, action="works.change.approve")
    co = _one(w.change_orders, order_id)
    services.change_order_decide(
        actor=request.user, order=co, approve=payload.approve, source="api"
    )
    return {"id": co.pk, "status": co.status}


@router.post("/works/{works_id}/final-account", response=StatusOut)
def final_account(request, works_id: int, payload: FinalIn):
    w = perms.get_works_for_user(request.user, works_id, action="works.edit")
    services.final_account_record(
        actor=request.user, works=w, on=payload.on, amount=payload.amount, source="api"
    )
    return {"id": w.pk, "status": "settled"}


@router.post("/works/{works_id}/items/{item_id}/acceptance", response=StatusOut)
def item_acceptance(request, works_id: int, item_id: int, payload: ItemCheckIn):
    w = perms.get_works_for_user(request.user, works_id, action="works.accept")
    item = _one(w.items, item_id)
    services.item_accept(
        actor=request.user, item=item, passed=payload.passed, note=payload.note, source="api"
    )
    return {"id": item.pk, "status": "accepted" if item.accepted else "failed"}


@router.post("/works/{works_id}/signoffs", response={201: StatusOut})
def signoff(request, works_id: int, payload: SignoffIn):
    w = perms.get_works_for_user(request.user, works_id, action="works.accept")
    s = services.signoff_record(
        actor=request.user,
        works=w,
        representative=payload.representative,
        agrees=payload.agrees,
        opinion=payload.opinion,
        source="api",
    )
    return 201, {"id": s.pk, "status": "agrees" if s.agrees else "disagrees"}


@router.post("/works/{works_id}/handover", response={201: StatusOut})
def handover(request, works_id: int, payload: OnIn):
    w = perms.get_works_for_user(request.user, works_id, action="works.edit")
    h = services.handover_record(actor=request.user, works=w, on=payload.on, source="api")
    return 201, {"id": h.pk, "status": f"warranty until {h.warranty_until}"}


@router.post("/works/{works_id}/defects/{defect_id}/fixed", response=StatusOut)
def defect_fixed(request, works_id: int, defect_id: int):
    w = perms.get_works_for_user(request.user, works_id, action="works.defect.fix")
    d = _one(w.defects, defect_id)
    services.defect_fix(actor=request.user, defect=d, source="api")
    return {"id": d.pk, "status": d.status}
