from ninja import Router, Schema

from .models import Area

router = Router(tags=["regions"])


class AreaOut(Schema):
    id: int
    code: str
    name: str
    level: str
    parent_id: int | None


@router.get("/areas", response=list[AreaOut])
def list_areas(request, parent_code: str | None = None, level: str | None = None):
    """行政区划 (public reference data: codes and names only)."""
    qs = Area.objects.all()
    if parent_code:
        qs = qs.filter(parent__code=parent_code)
    if level:
        qs = qs.filter(level=level)
    return list(qs.order_by("code")[:2000])
