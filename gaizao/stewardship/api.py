"""stewardship API: GET/PUT /compounds/{id}/management."""

from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _
from ninja import Router, Schema

from gaizao.inventory.permissions import get_compound_for_user

from .api_care import router as care_router
from .models import ManagementArrangement
from .permissions import require_edit
from .services import arrangement_save

router = Router(tags=["stewardship"])
# Fund, maintenance orders, ratings (api_care.py).
router.add_router("", care_router)


class ArrangementOut(Schema):
    compound_id: int
    model: str
    model_label: str
    manager_id: int | None
    manager: str
    rules_adopted: bool
    rules_adopted_on: date | None
    fee_per_m2_month: Decimal | None
    starts_on: date | None
    note: str


class ArrangementIn(Schema):
    model: str
    manager_id: int | None = None
    manager_name: str = ""
    rules_adopted: bool = False
    rules_adopted_on: date | None = None
    fee_per_m2_month: Decimal | None = None
    starts_on: date | None = None
    note: str = ""


def _out(a: ManagementArrangement) -> dict:
    return {
        "compound_id": a.compound_id,
        "model": a.model,
        "model_label": a.get_model_display(),
        "manager_id": a.manager_id,
        "manager": a.manager_label,
        "rules_adopted": a.rules_adopted,
        "rules_adopted_on": a.rules_adopted_on,
        "fee_per_m2_month": a.fee_per_m2_month,
        "starts_on": a.starts_on,
        "note": a.note,
    }


@router.get("/compounds/{compound_id}/management", response={200: ArrangementOut, 404: dict})
def get_management(request, compound_id: int):
    compound = get_compound_for_user(request.user, compound_id)
    a = ManagementArrangement.objects.filter(compound=compound).select_related("manager").first()
    if a is None:
        return 404, {"error": _("%(name)s尚未登记改造后的长效管理安排") % {"name": compound.name}}
    return 200, _out(a)


@router.put("/compounds/{compound_id}/management", response=ArrangementOut)
def put_management(request, compound_id: int, payload: ArrangementIn):
    compound = get_compound_for_user(request.user, compound_id)
    require_edit(request.user)
    data = payload.dict()
    data["manager"] = data.pop("manager_id")
    return _out(arrangement_save(actor=request.user, compound=compound, data=data, source="api"))
