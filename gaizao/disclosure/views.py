"""Thin views: the portal and open data read public.py (cached, no personal
data, no login); the dashboard reads selectors over the user's compounds."""

import mimetypes
from decimal import Decimal

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from gaizao.accounts.models import AREA_ROLES
from gaizao.core import pagecache
from gaizao.inventory.streetwalk import StreetWalk
from gaizao.plans.models import FundingSource
from gaizao.programme.models import Batch
from gaizao.regions.models import Area
from gaizao.regions.scope import breakdown_of, compound_area_q, contains

from . import entrytally, public, tally
from . import opendata as od
from . import permissions as perms
from . import progress as prog
from . import selectors as sel
from .models import StreetFunding

PER_PAGE = 50


def _portal_area(request) -> Area | None:
    """The area the portal shows (?area=, any area: the portal is public);
    None: everything."""
    raw = request.GET.get("area", "").strip()
    if not raw:
        return None
    area = Area.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
    if area is None:
        raise Http404(_("没有这个地区"))
    return area


@require_GET
def portal(request):
    """The public list. Its body (summary, batches, one page of rows) is the
    same for every visitor: rendered once per version of the kept summary,
    language and query and cached (core.pagecache); each response renders
    only the page frame around it (the visitor's CSRF token and login menu).
    ?area= drills down: the figures, the table one level below and the list
    of that area."""
    q = request.GET.get("q", "").strip()[:64]
    street = request.GET.get("street", "").strip()[:64]
    area = _portal_area(request)

    def build():
        found = public.search_page(q, street, request.GET.get("page"), area)
        here = {"area": area.pk} if area else {}
        params = urlencode({k: v for k, v in {**here, "q": q, "street": street}.items() if v})
        summary = public.summary(area)
        base = reverse("disclosure:portal")
        for a in summary["areas"]:
            a["url"] = f"{base}?area={a['area_id']}" if a["area_id"] else ""
        parent = area.parent if area else None
        return "disclosure/_portal_body.html", {
            "summary": summary,
            "rows": found["rows"],
            # navigation only: the rows come cached
            "page": Paginator(range(found["count"]), public.PER_PAGE).get_page(found["number"]),
            "q": q,
            "street": street,
            "area": area,
            "up_url": (f"{base}?area={parent.pk}" if parent else base) if area else "",
            "found": found["count"],
            "params": params,
        }

    body = pagecache.cached_body(
        request, "portal", build, seconds=public.CACHE_SECONDS, per_user=False
    )
    return render(request, "disclosure/portal.html", {"body": body})


@require_GET
def portal_compound(request, pk: int):
    data = public.card(pk)
    if data is None:
        raise Http404(_("没有这个小区"))
    return render(request, "disclosure/portal_compound.html", {"c": data})


@require_GET
def portal_photo(request, pk: int):
    """A works photo on a public card: only photos of works, nothing else
    from the protected media folder."""
    photo = public.public_photo(pk)
    if photo is None or not photo.image:
        raise Http404(_("没有这张照片"))
    try:
        fh = photo.image.open("rb")
    except FileNotFoundError:
        raise Http404(_("没有这张照片"))
    resp = FileResponse(fh, content_type=mimetypes.guess_type(photo.image.name)[0] or "image/jpeg")
    resp["Cache-Control"] = f"public, max-age={public.CACHE_SECONDS}"
    return resp


@require_GET
def opendata(request):
    return render(
        request,
        "disclosure/opendata.html",
        {"fields": public.PUBLIC_FIELDS, "formats": list(od.FORMATS)},
    )


@require_GET
def opendata_download(request, fmt: str):
    if fmt not in od.FORMATS:
        raise Http404(_("不支持的格式:%(fmt)s(可选 csv、xlsx、geojson)") % {"fmt": fmt})
    write, ctype = od.FORMATS[fmt]
    key = public.page_cache_key("opendata:" + fmt)
    body = cache.get(key)
    if body is None:
        body = write(public.rows_iter())
        cache.set(key, body, public.CACHE_SECONDS)
    resp = HttpResponse(body, content_type=ctype)
    resp["Content-Disposition"] = content_disposition_header(True, f"compounds.{fmt}")
    resp["Cache-Control"] = f"public, max-age={public.CACHE_SECONDS}"
    return resp


def _require_dashboard(user):
    if not perms.can_do(user, "dashboard.view"):
        raise PermissionDenied(_("此页面供领导小组办公室、住建局和街道使用"))


def _drill(**kw) -> str:
    return reverse("disclosure:dashboard_compounds") + "?" + urlencode(kw)


@require_GET
def dashboard(request):
    """The leadership dashboard. Its body is rendered once per user, query,
    language and data version (gaizao.core.pagecache) from the kept
    summaries; the frame renders per request."""
    _require_dashboard(request.user)
    body = pagecache.cached_body(
        request, "dashboard", lambda: ("disclosure/_dashboard_body.html", _dashboard(request))
    )
    return render(request, "disclosure/dashboard.html", {"body": body})


def _own_area(user) -> Area | None:
    return getattr(user, "area", None) if user.role in AREA_ROLES else None


def _chosen_area(request) -> Area | None:
    """The area the dashboard shows: ?area= (or the older ?street=), an area
    inside the user's own; None: the user's whole jurisdiction."""
    raw = request.GET.get("area") or request.GET.get("street") or ""
    if not raw:
        return None
    area = Area.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
    if area is None or not (request.user.is_superuser or contains(_own_area(request.user), area)):
        raise Http404(_("没有这个地区,或不在您的辖区内"))
    return area


def _dashboard(request) -> dict:
    base = sel.scoped(request.user)
    chosen = _chosen_area(request)
    if chosen is not None:
        base = base.filter(compound_area_q(chosen))
    # The per-area table, targets and overdue items go one level below the
    # area shown (provinces for the country … streets for a district,
    # communities for a street), never a row per street of a province.
    shown = chosen or _own_area(request.user)
    path, level = breakdown_of(shown)
    qs = sel.annotated_compounds(base)
    scope = sel.Scope(request.user, chosen)
    extra = {"area": chosen.pk} if chosen else {}
    # A scope made of whole streets adds up the kept per-street tallies
    # (disclosure.tally) for the funnel and the per-area table.
    tallies = None
    if not path or path.startswith("street"):
        tallies = tally.for_user(request.user, chosen)
    funnel = sel.funnel(qs) if tallies is None else sel.kept_funnel(tallies)
    for s in funnel:
        s["url"] = _drill(**({"stage": s["key"]} if s["key"] != "all" else {}), **extra)
    money = None
    if tallies is not None:
        money = tally.for_user(request.user, chosen, StreetFunding)
    funding = prog.funding_planned_paid(scope, money)
    for f in funding:
        f["url"] = _drill(funding=f["key"], **extra)
    programme = prog.current_programme(request.user, request.GET.get("programme"))
    # The batches' totals a (batch, street) kept beside the tallies
    # (disclosure.entrytally); `path` from a compound starts at its street,
    # so it leads the same way from a kept row's street.
    kept_entries = None
    if tallies is not None and programme is not None:
        kept_entries = entrytally.for_user(request.user, programme, chosen)
    targets = prog.targets(programme, scope, path or "street", kept=kept_entries)
    # A row without an area below (a compound with no community) drills into
    # the area shown.
    here = extra.get("area")
    for t in targets:
        b = t["batch"].pk
        t["url"] = _drill(batch=b, **extra)
        t["started_url"] = _drill(batch=b, stage="started", **extra)
        t["completed_url"] = _drill(batch=b, stage="completed", **extra)
        for s in t["areas"]:
            a = _area_param(s["area_id"], here)
            s["url"] = _drill(batch=b, **a)
            s["started_url"] = _drill(batch=b, stage="started", **a)
            s["completed_url"] = _drill(batch=b, stage="completed", **a)
    late = prog.overdue(scope, path or "street")
    late["url"] = _drill(stage="late", **extra)
    for s in late["by_area"]:
        s["url"] = _drill(stage="late", **_area_param(s["area_id"], here))
    streets = []
    if path:
        streets = sel.by_area(qs, path) if tallies is None else sel.kept_by_area(tallies, path)
    for s in streets:
        s["url"] = _drill(**_area_param(s["area_id"], here))
        s["dash_url"] = (
            reverse("disclosure:dashboard") + f"?area={s['area_id']}" if s["area_id"] else ""
        )
        s["cells"] = [(k, s[k]) for k, _l in sel.STAGES]
    if tallies is None:
        satisfaction = sel.satisfaction(base.values("id"))
    else:
        satisfaction = sel.kept_satisfaction(tallies)
    chart = {
        "funnel": [{"name": str(s["label"]), "value": s["n"], "url": s["url"]} for s in funnel],
        "funding": [
            {"name": str(f["label"]), "value": float(f["amount"]), "url": f["url"]}
            for f in funding
            if f["amount"]
        ],
        "paid": {
            "names": [str(f["label"]) for f in funding if f["amount"] or f["paid"]],
            "urls": [f["url"] for f in funding if f["amount"] or f["paid"]],
            "planned": [float(f["amount"]) for f in funding if f["amount"] or f["paid"]],
            "paid": [float(f["paid"]) for f in funding if f["amount"] or f["paid"]],
        },
        "targets": {
            "names": [t["batch"].name for t in targets],
            "urls": [t["url"] for t in targets],
            "started_urls": [t["started_url"] for t in targets],
            "completed_urls": [t["completed_url"] for t in targets],
            "n": [t["n"] for t in targets],
            "started": [t["started"] for t in targets],
            "completed": [t["completed"] for t in targets],
        },
        "stages": [k for k, _l in sel.STAGES],
        "labels": {
            "n": _("计划小区"),
            "started": _("已开工"),
            "completed": _("已竣工"),
            "planned": _("计划"),
            "paid": _("已拨付"),
        },
        "streets": {
            "names": [s["area_name"] or "—" for s in streets],
            "urls": [s["url"] for s in streets],
            "series": [
                {"name": str(label), "data": [s[k] for s in streets]} for k, label in sel.STAGES
            ],
        },
    }
    return {
        "funnel": funnel,
        "funding": funding,
        "funding_total": sum((f["amount"] for f in funding), Decimal("0")),
        "paid_total": sum((f["paid"] for f in funding), Decimal("0")),
        "programme": programme,
        "targets": targets,
        "late": late,
        "streets": streets,
        "satisfaction": satisfaction,
        "satisfaction_url": _drill(stage="approved", **extra),
        "street": chosen,
        "up_url": _up_url(request.user, chosen),
        "level_label": Area.Level(level).label if level else "",
        "chart": chart,
    }


def _area_param(area_id, here) -> dict:
    if area_id:
        return {"area": area_id}
    return {"area": here} if here else {}


def _up_url(user, chosen: Area | None) -> str:
    """The dashboard one level up from the chosen area (within the user's)."""
    if chosen is None:
        return ""
    url = reverse("disclosure:dashboard")
    parent = chosen.parent
    own = _own_area(user)
    if parent is None or (own is not None and not contains(own, parent)) or parent == own:
        return url
    return f"{url}?area={parent.pk}"


@require_GET
def dashboard_compounds(request):
    """The compound list behind every dashboard figure."""
    _require_dashboard(request.user)
    g = request.GET
    street = g.get("street", "")
    stage = g.get("stage", "")
    funding = g.get("funding", "")
    batch = g.get("batch", "")
    area = _chosen_area(request) if g.get("area") else None
    qs = sel.filter_compounds(
        sel.annotated_compounds(sel.scoped(request.user)),
        stage=stage,
        street=int(street) if street.isdigit() else None,
        area=area,
        funding=funding,
        batch=int(batch) if batch.isdigit() else None,
        q=g.get("q", "").strip()[:64],
    ).order_by("street__code", "name", "id")
    rows = qs
    if not (funding or batch.isdigit() or g.get("q", "").strip()):
        # A stage (or none) in a scope of whole streets: the kept per-street
        # counts page it (inventory.streetwalk), no count or sort of the scope.
        counts = tally.counts_by_street(
            tally.for_user(request.user, area), int(street) if street.isdigit() else None, stage
        )
        if counts is not None:
            rows = StreetWalk(qs, counts)
    page = Paginator(rows, PER_PAGE).get_page(g.get("page"))
    params = urlencode(
        {k: g[k] for k in ("area", "street", "stage", "funding", "batch", "q") if g.get(k)}
    )
    labels = []
    if stage in sel.STAGE_LABELS:
        labels.append(str(sel.STAGE_LABELS[stage]))
    if stage in sel.EXTRA_FILTERS:
        labels.append(str(sel.EXTRA_FILTERS[stage]))
    if batch.isdigit():
        b = Batch.objects.filter(pk=int(batch)).first()
        if b:
            labels.append(b.name)
    if funding in FundingSource.values:
        labels.append(str(FundingSource(funding).label))
    if area is not None:
        labels.append(area.name)
    if street.isdigit():
        a = Area.objects.filter(pk=int(street)).first()
        if a:
            labels.append(a.name)
    return render(
        request,
        "disclosure/dashboard_compounds.html",
        {
            "page": page,
            "rows": [public.row(c) for c in page.object_list],
            "params": params,
            "labels": labels,
            "count": page.paginator.count,
        },
    )
