"""site API: the resident's own compound (`/participation/me`), which joins
consultation with the compound's plan, so it sits at the top layer."""

from datetime import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from ninja import Router, Schema

from gaizao.consultation.permissions import is_resident
from gaizao.inventory.models import Unit

from . import inbox, selectors

router = Router()


class MeOut(Schema):
    compound_id: int
    compound: str
    street: str
    unit_id: int
    unit: str
    exclusive_area: Decimal
    plan_status: str | None = None


def _my_unit(request) -> Unit:
    if not is_resident(request.user):
        raise PermissionDenied(_("此接口供居民使用"))
    return Unit.objects.select_related("building__compound__street").get(pk=request.user.unit_id)


# The operation id and tags it had in the consultation router (nested in a
# second consultation-tagged router, hence the tag twice): API clients know
# it by these (OpenAPI snapshot).
@router.get(
    "/participation/me",
    response=MeOut,
    summary="我的小区(居民)",
    operation_id="gaizao_consultation_api_participation_me",
    tags=["consultation", "consultation"],
)
def me(request):
    unit = _my_unit(request)
    c = unit.building.compound
    plan = selectors.plan_summary(c)
    return {
        "compound_id": c.pk,
        "compound": c.name,
        "street": c.street.name,
        "unit_id": unit.pk,
        "unit": f"{unit.building.number}{unit}",
        "exclusive_area": unit.exclusive_area,
        "plan_status": plan["status_label"] if plan else None,
    }


class InboxItemOut(Schema):
    kind: str
    title: str
    detail: str
    url: str
    at: datetime | None = None
    notice_id: int | None = None


class InboxOut(Schema):
    count: int
    counts: dict[str, int]
    items: list[InboxItemOut]


@router.get(
    "/inbox",
    response=InboxOut,
    summary="待办与通知",
    operation_id="gaizao_site_api_inbox",
    tags=["site"],
)
def inbox_list(request):
    """What waits for the caller: votes to cast (residents), feedback to
    answer and overdue milestones (staff), unread notices."""
    counts = inbox.counts(request.user)
    items = [it for section in inbox.items(request.user).values() for it in section]
    return {"count": sum(counts.values()), "counts": counts, "items": items}


@router.post(
    "/inbox/notices/{notice_id}/read",
    response=InboxItemOut,
    summary="通知标为已读",
    operation_id="gaizao_site_api_inbox_notice_read",
    tags=["site"],
)
def inbox_notice_read(request, notice_id: int):
    n = inbox.notice_mark_read(user=request.user, notice_id=notice_id, source="api")
    return {
        "kind": "notices",
        "title": n.subject,
        "detail": n.body,
        "url": "",
        "at": n.created_at,
        "notice_id": n.pk,
    }
