from ninja import Query, Router, Schema

from gaizao.core.apikit import Key, PageQuery, cached_page, page_schema, paged

from .models import Area

router = Router(tags=["regions"])


class AreaOut(Schema):
    id: int
    code: str
    name: str
    level: str
    parent_id: int | None


AreaPage = page_schema(AreaOut, "AreaPage")


@router.get("/areas", response=AreaPage)
def list_areas(
    request, page: Query[PageQuery], parent_code: str | None = None, level: str | None = None
):
    """行政区划 (public reference data: codes and names only), by code; keyset
    pages (after/limit): the country has some 700,000 areas."""
    qs = Area.objects.all()
    if parent_code:
        qs = qs.filter(parent__code=parent_code)
    if level:
        qs = qs.filter(level=level)
    return cached_page(
        request,
        "areas",
        AreaPage,
        lambda: paged(qs, after=page.after, limit=page.limit, keys=[Key("code")], scope="areas"),
    )
