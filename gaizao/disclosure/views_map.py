"""The one map (一张图): the page, its data by viewport, and the base map's
vector tiles served from the PMTiles archive (no internet needed)."""

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from gaizao.programme.models import Batch
from gaizao.regions.selectors import resolve_street, street_list, streets_of

from . import basemap, mapdata
from . import selectors as sel
from .views import _own_area, _require_dashboard

STAGE_COLOURS = {
    "": "#9e9e9e",
    "surveyed": "#b0bec5",
    "eligible": "#81d4fa",
    "planned": "#4fc3f7",
    "voted": "#29b6f6",
    "approved": "#0288d1",
    "started": "#ffb300",
    "completed": "#fb8c00",
    "accepted": "#43a047",
    "managed": "#1b5e20",
}


def _filters(g) -> dict:
    street, batch = g.get("street", ""), g.get("batch", "")
    return {
        "stage": g.get("stage", "") if g.get("stage", "") in sel.STAGE_Q else "",
        "street": int(street) if street.isdigit() else None,
        "batch": int(batch) if batch.isdigit() else None,
    }


@require_GET
def map_page(request):
    """The page. A district's streets are a drop-down; a wider scope (more
    than regions.selectors.STREET_LIST_MAX streets) types the street, by
    name or 12-digit code, resolved within the user's area, so no control
    lists every street of the jurisdiction (STYLE.md habit 18)."""
    _require_dashboard(request.user)
    g = request.GET
    streets = streets_of(_own_area(request.user))
    street, problem = resolve_street(streets, g.get("street", ""))
    f = _filters(g) | {"street": street.pk if street else None}
    a = basemap.archive(settings.GAIZAO_BASEMAP)
    base = sel.scoped(request.user)
    if street is not None:
        base = base.filter(street_id=street.pk)
    params = urlencode(
        {
            k: v
            for k, v in {"street": f["street"], "stage": f["stage"], "batch": f["batch"]}.items()
            if v
        }
    )
    return render(
        request,
        "disclosure/map.html",
        {
            "f": f,
            "params": params,
            # None: too many for a list, the street is typed.
            "streets": street_list(streets),
            "street_text": street.name if street else g.get("street", "").strip()[:64],
            "street_problem": problem,
            "batches": Batch.objects.select_related("programme").order_by(
                "programme_id", "position"
            ),
            "stages": [(k, label, STAGE_COLOURS[k]) for k, label in sel.STAGES]
            + [("late", sel.EXTRA_FILTERS["late"], "")],
            "colours": STAGE_COLOURS,
            "basemap": a is not None,
            "bounds": mapdata.focus(base) or (a.bounds() if a else None),
            "list_url": reverse("disclosure:dashboard_compounds"),
        },
    )


@require_GET
def map_data(request):
    """Markers in the viewport: ?bbox=w,s,e,n&zoom=Z&street=&batch=&stage=."""
    _require_dashboard(request.user)
    g = request.GET
    try:
        bbox = mapdata.parse_bbox(g.get("bbox", ""))
    except mapdata.BadParam:
        return JsonResponse(
            {"error": _("bbox 参数应为“西经度,南纬度,东经度,北纬度”(WGS-84 度数)")}, status=400
        )
    zoom = g.get("zoom", "")
    if not zoom.isdigit() or not 0 <= int(zoom) <= 22:
        return JsonResponse({"error": _("zoom 参数应为 0–22 的整数")}, status=400)
    pts = mapdata.points(sel.scoped(request.user), bbox, **_filters(g))
    markers = mapdata.cluster(pts, mapdata.fit_zoom(bbox, int(zoom)))
    detail = reverse("inventory:compound_detail", args=[0]).replace("/0/", "/{id}/")
    return JsonResponse(
        {"count": len(pts), "markers": markers, "detail_url": detail},
        json_dumps_params={"ensure_ascii": False, "separators": (",", ":")},
    )


@require_GET
def map_tile(request, z: int, x: int, y: int):
    """One vector tile of the base map (gzip MVT). Open to all: the base map
    holds no personal data (street names and outlines only)."""
    a = basemap.archive(settings.GAIZAO_BASEMAP)
    if a is None:
        raise Http404(_("尚未生成底图:请运行 gaizao basemap build"))
    data = a.tile(z, x, y)
    if data is None:
        return HttpResponse(status=204)
    resp = HttpResponse(data, content_type="application/vnd.mapbox-vector-tile")
    resp["Content-Encoding"] = "gzip"
    resp["Cache-Control"] = "public, max-age=86400"
    return resp
