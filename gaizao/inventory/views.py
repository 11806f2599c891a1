"""Inventory pages (STYLE.md habit 6): authorise through
`inventory.permissions`, read through `selectors`, write through `services`,
render. htmx requests get the fragment the full page includes."""

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from gaizao.core import jobs, pagecache
from gaizao.core.errors import DomainError, Problems
from gaizao.core.xlsx import download
from gaizao.regions.selectors import resolve_street

from . import mapgrid, permissions, picking, scoring, selectors, services
from .exporting import export_compounds_xlsx
from .facilities import BY_CODE, FACILITIES
from .forms import CompoundFilterForm, CompoundForm, SurveyForm
from .models import ManagementStatus
from .tasks import export_compounds_task

PER_PAGE = 50


def _is_fragment(request) -> bool:
    # A history restore after a cache miss wants the whole page back.
    return bool(request.htmx) and not request.htmx.history_restore_request


def _querystring(request, drop=("page",)) -> str:
    q = request.GET.copy()
    for k in drop:
        q.pop(k, None)
    return q.urlencode()


@login_required
@require_GET
def compound_list(request):
    """The compound list. Its body (filters and the page of rows) is cached
    per user, query and data version (gaizao.core.pagecache); only the page
    frame (the user's own menu and CSRF token) is rendered on every request."""
    fragment = _is_fragment(request)

    def build():
        form = CompoundFilterForm(request.GET or None, user=request.user)
        filters = form.filters()
        qs = selectors.compound_list(request.user, filters)
        rows = selectors.pageable(request.user, filters, qs)
        page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
        selectors.with_grades(page.object_list)
        ctx = {
            "form": form,
            "page": page,
            "qs": _querystring(request),
            # one reverse() for the page, not one per row
            "detail_prefix": reverse("inventory:compound_detail", args=[0])[:-2],
        }
        if fragment:
            return "inventory/partials/_compound_table.html", ctx
        return "inventory/partials/_compound_list_body.html", ctx

    body = pagecache.cached_body(request, "compounds." + ("table" if fragment else "body"), build)
    if fragment:
        return HttpResponse(body)
    return render(request, "inventory/compound_list.html", {"body": body})


@login_required
@require_GET
def filter_communities(request):
    """htmx: the community options of the chosen street (cascading filter)."""
    streets, communities = selectors.filter_areas(request.user)
    street, _problem = resolve_street(streets, request.GET.get("street"))
    return render(
        request,
        "inventory/partials/_community_options.html",
        {
            "communities": selectors.communities_of_street(
                communities, street.pk if street else selectors.sole_street_id(request.user)
            )
        },
    )


@login_required
@require_GET
def compound_suggest(request):
    """JSON: at most 20 compounds within the user's scope whose name contains
    ?q= (the typed compound boxes' suggestions, picking.py)."""
    rows = picking.suggest_compounds(
        permissions.compounds_for_user(request.user), request.GET.get("q")
    )
    return JsonResponse({"results": rows}, json_dumps_params={"ensure_ascii": False})


@login_required
@require_GET
def compound_export(request):
    """The filtered list as .xlsx (the import engineer's exporter)."""
    form = CompoundFilterForm(request.GET or None, user=request.user)
    qs = selectors.compound_list(request.user, form.filters())
    if qs.count() > settings.GAIZAO_SYNC_EXPORT_MAX:
        # A large jurisdiction: built by the worker, with progress (issue 14).
        job = jobs.start(
            user=request.user,
            kind="inventory.export",
            title=_("导出小区台账"),
            task=export_compounds_task,
            user_id=request.user.pk,
            query=request.GET.urlencode(),
        )
        return redirect("core:job", pk=job.pk)
    name = _("老旧小区台账-%(date)s.xlsx") % {"date": f"{timezone.localdate():%Y%m%d}"}
    return download(export_compounds_xlsx(qs), name)


def _link(name: str, *args):
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


@login_required
@require_GET
def compound_detail(request, pk):
    # The access check on every request; the body reads the related rows
    # (street, community, organisations) only when it is built.
    compound = permissions.get_compound_for_user(request.user, pk, related=False)
    lists_owners = permissions.can_do(request.user, "owner.list")
    if request.headers.get("HX-Target") == "owners":
        if not lists_owners:
            raise PermissionDenied(_("您的角色无权查看业主名册"))
        page = selectors.owners_page(request.user, compound, request.GET.get("owners_page"))
        return render(
            request, "inventory/partials/_owners.html", {"compound": compound, "owners": page}
        )

    def build():
        full = permissions.get_compound_for_user(request.user, pk)
        detail = selectors.compound_detail(
            request.user, full, owners_page_number=request.GET.get("owners_page")
        )
        return "inventory/partials/_compound_detail_body.html", {
            "compound": full,
            "d": detail,
            "can_edit": permissions.can_do(request.user, "compound.edit"),
            "can_survey": permissions.can_do(request.user, "survey.record"),
            "can_import": permissions.can_do(request.user, "compound.import"),
            "sees_personal": permissions.sees_personal_data(request.user),
            "lists_owners": lists_owners,
            "management_label": ManagementStatus(full.management_status).label
            if full.management_status
            else "",
        }

    # The body (owner names masked as this user sees them) is kept per user,
    # query and data version (core.pagecache); the access check above runs on
    # every request.
    body = pagecache.cached_body(request, f"compound.{compound.pk}", build)
    return render(request, "inventory/compound_detail.html", {"compound": compound, "body": body})


@login_required
@require_http_methods(["GET", "POST"])
def compound_edit(request, pk):
    compound = permissions.get_compound_for_user(request.user, pk, write=True)
    if request.method == "POST":
        form = CompoundForm(request.POST, instance=compound, user=request.user)
        if form.is_valid():
            # The form validated a copy of the values; the service re-reads
            # the row under lock, validates again and records the diff.
            fresh = permissions.get_compound_for_user(request.user, pk, write=True)
            try:
                services.compound_update(actor=request.user, compound=fresh, data=form.changes())
            except DomainError as e:
                for err in e.errors or []:
                    form.add_error(err.field if err.field in form.fields else None, err.message)
                if not e.errors:
                    form.add_error(None, e.message)
            else:
                messages.success(request, _("已保存小区信息"))
                return redirect("inventory:compound_detail", pk=pk)
    else:
        form = CompoundForm(instance=compound, user=request.user)
    return render(request, "inventory/compound_edit.html", {"compound": compound, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def survey_create(request, pk):
    compound = permissions.get_compound_for_user(
        request.user, pk, write=True, action="survey.record"
    )
    photo_errors: dict = {}
    if request.method == "POST":
        form = SurveyForm(request.POST)
        photos = {f.code: request.FILES.getlist(f"p_{f.code}") for f in FACILITIES}
        photos = {k: v for k, v in photos.items() if v}
        if form.is_valid():
            try:
                survey = services.survey_create(
                    actor=request.user,
                    compound=compound,
                    surveyed_on=form.cleaned_data["surveyed_on"],
                    note=form.cleaned_data["note"],
                    ratings=form.ratings(),
                    photos=photos,
                    keep_good_photos=True,
                )
            except DomainError as e:
                photo_errors = form.add_domain_errors(e.errors)
                if not e.errors:
                    form.add_error(None, e.message)
            else:
                _code, label = scoring.grade(survey.score)
                score = "—" if survey.score is None else survey.score
                messages.success(
                    request,
                    _("摸底调查已保存:状况评分 %(score)s(%(label)s)")
                    % {"score": score, "label": label},
                )
                if survey.rejected_photos:
                    messages.warning(
                        request,
                        _("以下照片未保存(其余照片已保存):%(list)s")
                        % {"list": ";".join(survey.rejected_photos)},
                    )
                return redirect("inventory:survey_detail", pk=survey.pk)
        else:
            # Report bad photos in the same round, so nothing is found late.
            problems = Problems()
            services.check_photos(photos, problems)
            photo_errors = form.add_domain_errors(problems.items)
    else:
        form = SurveyForm()
    return render(
        request,
        "inventory/survey_form.html",
        {
            "compound": compound,
            "form": form,
            "groups": form.groups(photo_errors),
            "had_photos": request.method == "POST" and bool(request.FILES),
            "error_count": sum(len(v) for v in form.errors.values())
            + sum(len(v) for v in photo_errors.values()),
        },
    )


@login_required
@require_GET
def survey_detail(request, pk):
    survey = permissions.get_survey_for_user(request.user, pk)
    survey.grade_code, survey.grade_label = scoring.grade(survey.score)
    conditions = selectors.survey_conditions(survey)
    groups: dict = {}
    for c in conditions:
        fac = BY_CODE.get(c.facility)
        g = fac.group if fac else "basic"
        groups.setdefault(g, []).append(c)
    return render(
        request,
        "inventory/survey_detail.html",
        {
            "survey": survey,
            "compound": survey.compound,
            "groups": [
                (_("基础项目"), groups.get("basic", [])),
                (_("提升项目"), groups.get("enhancement", [])),
            ],
            "counts": {
                r: sum(1 for c in conditions if c.rating == r)
                for r in ("good", "worn", "broken", "missing", "na")
            },
        },
    )


@login_required
@require_GET
def compound_map(request):
    form = CompoundFilterForm(request.GET or None, user=request.user)
    return render(
        request,
        "inventory/map.html",
        {
            "form": form,
            "grades": selectors.GRADE_CHOICES,
        },
    )


@login_required
@require_GET
def map_data(request):
    """The compound map by viewport (STYLE.md habit 18): without bbox, the
    counts and where most compounds are; with ?bbox=w,s,e,n&zoom=Z, the
    markers inside, clustered on the server (≤ ~200 KB at any zoom). Both
    answers are kept per user, query and data version (core.pagecache)."""
    g = request.GET

    def filters():
        return CompoundFilterForm(g or None, user=request.user).filters()

    if not g.get("bbox"):
        return pagecache.cached_json(
            request,
            "compounds.map",
            lambda: _json(selectors.map_summary(request.user, filters())),
        )
    try:
        bbox, zoom = mapgrid.parse_bbox(g["bbox"]), mapgrid.parse_zoom(g.get("zoom", ""))
    except mapgrid.BadParam as e:
        message = {
            "bbox": _("bbox 参数应为“西经度,南纬度,东经度,北纬度”(WGS-84 度数)"),
            "zoom": _("zoom 参数应为 0–22 的整数"),
        }[str(e)]
        return JsonResponse({"error": message}, status=400)

    def build():
        located, markers = selectors.map_markers(request.user, filters(), bbox, zoom)
        return _json({"located": located, "markers": markers})

    return pagecache.cached_json(request, "compounds.map", build)


def _json(data) -> str:
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))
