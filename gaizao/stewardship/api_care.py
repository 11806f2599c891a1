"""Long-term management API (长效管理, issue 10 items 5 and 7): a compound's
maintenance fund, maintenance orders and quarterly ratings; recording a
fund entry, an order, an order done and a rating. Scoped like the care page
(inventory's compound chokepoint; the role table in permissions.py)."""

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Router, Schema

from gaizao.inventory.permissions import get_compound_for_user

from .models import FundEntry, MaintenanceOrder
from .permissions import can_do
from .services_care import (
    fund_balance,
    fund_entry_record,
    maintenance_order_create,
    maintenance_order_done,
    rating_record,
    rating_trend,
)

router = Router(tags=["stewardship"])


class FundOut(Schema):
    id: int
    kind: str
    amount: Decimal
    on: date
    decision: str


class OrderOut(Schema):
    id: int
    source: str
    source_ref: str
    text: str
    status: str
    assignee: str | None
    created_at: datetime


class RatingOut(Schema):
    year: int
    quarter: int
    score: int
    checklist: dict


class CareOut(Schema):
    compound_id: int
    fund_balance: Decimal
    fund_entries: list[FundOut]
    orders: list[OrderOut]
    ratings: list[RatingOut]


class FundIn(Schema):
    kind: str
    amount: Decimal
    on: date
    decision: str = ""


class OrderIn(Schema):
    source: str
    text: str


class CareRatingIn(Schema):
    year: int
    quarter: int
    checked: list[str]


def _require(user, action):
    if not can_do(user, action):
        raise PermissionDenied(_("您的角色无权执行此操作"))


def _care(compound) -> dict:
    return {
        "compound_id": compound.pk,
        "fund_balance": fund_balance(compound),
        "fund_entries": list(FundEntry.objects.filter(compound=compound).order_by("on", "id")),
        "orders": [
            _order(o)
            for o in MaintenanceOrder.objects.filter(compound=compound).select_related("assignee")
        ],
        "ratings": rating_trend(compound),
    }


@router.get("/compounds/{compound_id}/care", response=CareOut)
def care(request, compound_id: int):
    return _care(get_compound_for_user(request.user, compound_id))


@router.post("/compounds/{compound_id}/fund", response={201: CareOut})
def fund(request, compound_id: int, payload: FundIn):
    compound = get_compound_for_user(request.user, compound_id)
    _require(request.user, "fund.record")
    fund_entry_record(
        actor=request.user,
        compound=compound,
        kind=payload.kind,
        amount=payload.amount,
        on=payload.on,
        decision=payload.decision,
        src="api",
    )
    return 201, _care(compound)


@router.post("/compounds/{compound_id}/maintenance-orders", response={201: OrderOut})
def order(request, compound_id: int, payload: OrderIn):
    compound = get_compound_for_user(request.user, compound_id)
    _require(request.user, "order.create")
    o = maintenance_order_create(
        actor=request.user, compound=compound, source=payload.source, text=payload.text, src="api"
    )
    return 201, _order(o)


def _order(o) -> dict:
    return {
        "id": o.pk,
        "source": o.source,
        "source_ref": o.source_ref,
        "text": o.text,
        "status": o.status,
        "assignee": o.assignee.name if o.assignee_id else None,
        "created_at": o.created_at,
    }


@router.post("/compounds/{compound_id}/maintenance-orders/{order_id}/done", response=OrderOut)
def order_done(request, compound_id: int, order_id: int):
    compound = get_compound_for_user(request.user, compound_id)
    _require(request.user, "order.create")
    o = MaintenanceOrder.objects.filter(compound=compound, pk=order_id).first()
    if o is None:
        raise Http404(_("维修工单不存在"))
    maintenance_order_done(actor=request.user, order=o, src="api")
    return _order(o)


@router.post("/compounds/{compound_id}/ratings", response={201: RatingOut})
def rating(request, compound_id: int, payload: CareRatingIn):
    compound = get_compound_for_user(request.user, compound_id)
    _require(request.user, "rating.record")
    r = rating_record(
        actor=request.user,
        compound=compound,
        year=payload.year,
        quarter=payload.quarter,
        checked=payload.checked,
        src="api",
    )
    return 201, r
