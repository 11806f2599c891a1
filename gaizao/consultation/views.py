"""Participation pages: household access, the resident portal, the staff
overview and willingness surveys / item menus. Votes are in views_votes.py.
Thin views: authorise, validate, call the service, render."""

from functools import wraps

import segno
from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from gaizao.core.errors import DomainError
from gaizao.core.masking import mask_name
from gaizao.core.xlsx import xlsx_response
from gaizao.inventory.models import Unit
from gaizao.inventory.permissions import (
    compounds_for_user,
    get_building_for_user,
    get_compound_for_user,
    sees_personal_data,
)

from . import selectors, selectors_feedback, services
from .forms import ConsultationForm, ResponseForm, now_local_str
from .models import ConsultationResponse, Vote
from .permissions import can_do, get_consultation_for_user, is_resident, is_staff_user

BACKEND = "django.contrib.auth.backends.ModelBackend"


def client_ip(request) -> str:
    # The direct peer only: a reverse proxy in front must set REMOTE_ADDR
    # (X-Forwarded-For is client-controlled and would defeat the rate limit).
    return request.META.get("REMOTE_ADDR", "") or "?"


def resident_required(view):
    @wraps(view)
    def wrapper(request, *a, **kw):
        if not request.user.is_authenticated:
            return redirect("consultation:enter_code")
        if not is_resident(request.user):
            if is_staff_user(request.user):
                return redirect("consultation:staff_home")
            raise PermissionDenied(_("此页面供居民使用"))
        return view(request, *a, **kw)

    return wrapper


def staff_required(view):
    @wraps(view)
    def wrapper(request, *a, **kw):
        if not request.user.is_authenticated:
            return redirect(f"{reverse('accounts:login')}?next={request.path}")
        if is_resident(request.user):
            return redirect("consultation:portal")
        if not is_staff_user(request.user):
            raise PermissionDenied(_("您的账号没有分配角色"))
        return view(request, *a, **kw)

    return wrapper


def _need(user, action):
    if not can_do(user, action):
        raise PermissionDenied(_("您的角色无权执行此操作"))


# --------------------------------------------------------------- access


@never_cache
@require_http_methods(["GET", "POST"])
def enter_code(request):
    """居民入口: enter the household code from the letter (or scan its QR code)."""
    code = request.GET.get("c", "")
    error = None
    if request.method == "POST":
        code = request.POST.get("code", "")
        try:
            user = services.access_code_redeem(code=code, ip=client_ip(request))
        except DomainError as e:
            error = e.message
        else:
            login(request, user, backend=BACKEND)
            messages.success(request, _("登录成功。建议绑定手机号并设置密码,方便以后登录。"))
            return redirect("consultation:bind_phone")
    return render(
        request,
        "consultation/enter_code.html",
        {"code": code, "error": error},
        status=400 if error else 200,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def phone_login(request):
    error = None
    phone = request.POST.get("phone", "")
    if request.method == "POST":
        try:
            user = services.resident_phone_login(
                phone=phone, pin=request.POST.get("pin", ""), ip=client_ip(request)
            )
        except DomainError as e:
            error = e.message
        else:
            login(request, user, backend=BACKEND)
            return redirect("consultation:portal")
    return render(
        request,
        "consultation/phone_login.html",
        {"phone": phone, "error": error},
        status=400 if error else 200,
    )


@never_cache
@resident_required
@require_http_methods(["GET", "POST"])
def bind_phone(request):
    error = None
    phone = request.POST.get("phone", request.user.phone)
    if request.method == "POST":
        pin, pin2 = request.POST.get("pin", ""), request.POST.get("pin2", "")
        if pin != pin2:
            error = _("两次输入的密码不一致")
        else:
            try:
                services.resident_set_login(user=request.user, phone=phone, pin=pin)
            except DomainError as e:
                error = e.message
            else:
                # The password changed: keep this session signed in.
                login(request, request.user, backend=BACKEND)
                messages.success(request, _("已绑定手机号。以后可用手机号和密码登录。"))
                return redirect("consultation:portal")
    return render(
        request,
        "consultation/bind_phone.html",
        {"phone": phone, "error": error},
        status=400 if error else 200,
    )


# --------------------------------------------------------------- portal


@resident_required
def portal(request):
    user = request.user
    unit = Unit.objects.select_related(
        "building__compound__street", "building__compound__community"
    ).get(pk=user.unit_id)
    compound = unit.building.compound
    surveys = list(selectors.open_consultations(compound.pk))
    answered = set(
        ConsultationResponse.objects.filter(consultation__in=surveys, unit=unit).values_list(
            "consultation_id", flat=True
        )
    )
    for s in surveys:
        s.answered = s.pk in answered
    votes = list(selectors.resident_votes(compound.pk)[:10])
    mine = dict(unit.ballots.filter(vote__in=votes).values_list("vote_id", "choice"))
    for v in votes:
        v.my_choice = mine.get(v.pk)
        v.can_cast = v.accepts_online() and v.my_choice is None
    past = selectors.latest_consultation(compound.pk)
    return render(
        request,
        "consultation/portal.html",
        {
            "unit": unit,
            "compound": compound,
            "surveys": surveys,
            "votes": votes,
            "open_votes": [v for v in votes if v.status == Vote.Status.OPEN],
            "latest_survey": past,
            "my_objections": list(selectors.my_objections(user, compound.pk)[:10]),
            "plan": selectors.plan_summary(compound),
            "verdict": selectors.verdict_summary(compound),
            # "问题解决了吗?" is asked on the feedback list; the portal points there.
            "awaiting_answer": selectors_feedback.awaiting_my_answer(user).count(),
        },
    )


# ---------------------------------------------------------------- staff


@staff_required
def staff_home(request):
    q = (request.GET.get("q") or "").strip()
    qs = compounds_for_user(request.user).select_related("street", "community")
    if q:
        qs = qs.filter(name__icontains=q)
    active = request.GET.get("active") == "1"
    if active:
        qs = qs.filter(
            Q(votes__isnull=False)
            | Q(consultations__isnull=False)
            | Q(buildings__units__access_codes__isnull=False)
        ).distinct()
    qs = qs.annotate(
        surveys_n=Count("consultations", distinct=True),
        surveys_open=Count(
            "consultations",
            distinct=True,
            filter=Q(
                consultations__opens_at__lte=timezone.now(),
                consultations__closes_at__gt=timezone.now(),
            ),
        ),
    ).prefetch_related(Prefetch("votes", queryset=Vote.objects.order_by("-opens_at")))
    page = Paginator(qs.order_by("street__code", "name"), 50).get_page(request.GET.get("page"))
    stats = selectors.access_code_stats([c.pk for c in page])
    rows = [
        {"compound": c, "codes": stats.get(c.pk, {}), "votes": list(c.votes.all())} for c in page
    ]
    return render(
        request,
        "consultation/staff_home.html",
        {"page": page, "rows": rows, "q": q, "active": active},
    )


@staff_required
def staff_compound(request, pk):
    compound = get_compound_for_user(request.user, pk)
    return render(
        request,
        "consultation/staff_compound.html",
        {
            "compound": compound,
            "buildings": selectors.building_code_stats(compound.pk),
            "surveys": compound.consultations.all(),
            "votes": compound.votes.all(),
            "can_issue": can_do(request.user, "access.issue"),
            "can_survey": can_do(request.user, "consultation.manage"),
            "can_vote": can_do(request.user, "vote.manage"),
        },
    )


@never_cache
@staff_required
@require_http_methods(["GET", "POST"])
def letters(request, pk):
    """GET: what printing does (it revokes earlier codes). POST: issue codes and
    return the printable letters — the only place the raw codes ever appear."""
    building = get_building_for_user(request.user, pk)
    _need(request.user, "access.issue")
    units = list(building.units.order_by("entrance", "number"))
    if request.method == "GET":
        return render(
            request, "consultation/letters_confirm.html", {"building": building, "units": units}
        )
    only = request.POST.get("unit")
    try:
        issued = services.access_codes_issue(
            actor=request.user, building=building, units=[int(only)] if only else None
        )
    except (DomainError, ValueError) as e:
        messages.error(request, getattr(e, "message", None) or _("房屋选择无效"))
        return redirect("consultation:letters", pk=building.pk)
    base = request.build_absolute_uri(reverse("consultation:enter_code"))
    items = []
    for unit, raw in issued:
        url = f"{base}?c={raw}"
        qr = segno.make(url, error="m").svg_inline(scale=3, border=2)
        items.append({"unit": unit, "code": raw, "qr": qr, "url": base})
    resp = render(
        request,
        "consultation/letters.html",
        {
            "building": building,
            "compound": building.compound,
            "items": items,
            "issued_at": timezone.localtime(),
        },
    )
    resp["Cache-Control"] = "no-store"
    return resp


# ------------------------------------------------ surveys and item menu


@staff_required
@require_http_methods(["GET", "POST"])
def survey_new(request, pk):
    compound = get_compound_for_user(request.user, pk)
    _need(request.user, "consultation.manage")
    form = ConsultationForm(
        request.POST or None,
        initial={
            "title": f"{compound.name}改造意愿征询及居民点单",
            "opens_at": now_local_str(),
            "closes_at": now_local_str(14),
            "with_menu": True,
        },
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            c = services.consultation_create(actor=request.user, compound=compound, **d)
        except DomainError as e:
            form.add_error(None, e.message)
        else:
            messages.success(request, _("意愿征询已发起"))
            return redirect("consultation:survey_results", pk=c.pk)
    return render(
        request,
        "consultation/survey_new.html",
        {"compound": compound, "form": form},
        status=400 if form.errors else 200,
    )


def _menu_context(consultation, response):
    items = selectors.menu_items(consultation.compound) if consultation.with_menu else []
    picked = set(response.choices.values_list("catalog_item_id", flat=True)) if response else set()
    for it in items:
        it["checked"] = it["id"] in picked
    return items


def _response_form(request, consultation, unit, *, assisted: bool):
    response = ConsultationResponse.objects.filter(consultation=consultation, unit=unit).first()
    initial = {}
    if response:
        initial = {
            "willingness": response.willingness,
            "note": response.note,
            "contribution_yuan": response.contribution_yuan,
            "contribution_per_m2": response.contribution_per_m2,
        }
    form = ResponseForm(request.POST or None, initial=initial)
    error = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.consultation_respond(
                actor=request.user,
                consultation=consultation,
                unit=unit,
                willingness=d["willingness"],
                contribution_yuan=d["contribution_yuan"],
                contribution_per_m2=d["contribution_per_m2"],
                note=d["note"],
                item_ids=request.POST.getlist("items"),
                assisted=assisted,
            )
        except DomainError as e:
            error = e.message
        else:
            return form, response, None, True
    return form, response, error, False


@resident_required
@require_http_methods(["GET", "POST"])
def survey_fill(request, pk):
    c = get_consultation_for_user(request.user, pk)
    unit = Unit.objects.select_related("building").get(pk=request.user.unit_id)
    form, response, error, done = _response_form(request, c, unit, assisted=False)
    if done:
        messages.success(request, _("已提交,谢谢!截止前您可以随时修改。"))
        return redirect("consultation:portal")
    items = _menu_context(c, response)
    return render(
        request,
        "consultation/survey_fill.html",
        {
            "c": c,
            "form": form,
            "response": response,
            "error": error,
            "items": items,
            "unit": unit,
            "open": c.is_open(),
        },
        status=400 if (error or form.errors) else 200,
    )


@staff_required
@require_http_methods(["GET", "POST"])
def survey_assist(request, pk):
    """Community staff fill the survey in for a resident who cannot (代填)."""
    c = get_consultation_for_user(request.user, pk, action="ballot.enter")
    units = list(
        selectors.compound_units(c.compound_id)
        .select_related("building")
        .order_by("building__number", "entrance", "number")
    )
    unit = None
    uid = request.POST.get("unit") or request.GET.get("unit")
    if uid:
        unit = next((u for u in units if str(u.pk) == str(uid)), None)
        if unit is None:
            raise Http404(_("房屋不存在或不属于本小区"))
    form = response = error = None
    if unit is not None:
        form, response, error, done = _response_form(request, c, unit, assisted=True)
        if done:
            messages.success(
                request,
                _("已代 %(building)s%(unit)s 填写")
                % {"building": unit.building.number, "unit": unit},
            )
            return redirect(f"{reverse('consultation:survey_assist', args=[c.pk])}")
    return render(
        request,
        "consultation/survey_assist.html",
        {
            "c": c,
            "units": units,
            "unit": unit,
            "form": form,
            "response": response,
            "error": error,
            "items": _menu_context(c, response) if unit else [],
        },
        status=400 if (error or (form and form.errors)) else 200,
    )


@require_http_methods(["GET"])
def survey_results(request, pk):
    if not request.user.is_authenticated:
        return redirect("consultation:enter_code")
    c = get_consultation_for_user(request.user, pk)
    staff = is_staff_user(request.user)
    tpl = "consultation/survey_results.html"
    return render(
        request,
        tpl,
        {
            "c": c,
            "summary": selectors.consultation_summary(c),
            "menu": selectors.menu_results_for(c) if c.with_menu else [],
            "staff": staff,
            "can_manage": staff and can_do(request.user, "consultation.manage"),
            "can_assist": staff and can_do(request.user, "ballot.enter"),
            "base": "base.html" if staff else "consultation/portal_base.html",
        },
    )


@staff_required
def survey_export(request, pk):
    c = get_consultation_for_user(request.user, pk, action="consultation.manage")
    personal = sees_personal_data(request.user)
    responses = {
        r.unit_id: r
        for r in ConsultationResponse.objects.filter(consultation=c).prefetch_related("choices")
    }
    rows = []
    for u in (
        selectors.compound_units(c.compound_id)
        .select_related("building", "owner")
        .order_by("building__number", "entrance", "number")
    ):
        r = responses.get(u.pk)
        owner = u.owner.name if u.owner else ""
        rows.append(
            [
                u.building.number,
                u.entrance,
                u.number,
                u.exclusive_area,
                owner if personal else mask_name(owner),
                r.get_willingness_display() if r else _("未答复"),
                r.contribution_yuan if r else None,
                r.contribution_per_m2 if r else None,
                "、".join(ch.name for ch in r.choices.all()) if r else "",
                (_("社区代填") if r.assisted_by_id else _("本人")) if r else "",
                timezone.localtime(r.updated_at).strftime("%Y-%m-%d %H:%M") if r else "",
            ]
        )
    s = selectors.consultation_summary(c)
    rows.append([])
    rows.append(
        [
            _("合计"),
            "",
            _("%(n)s 户") % {"n": s["households_total"]},
            s["area_total"],
            "",
            _("同意 %(n)s 户") % {"n": s["households_yes"]},
            s["contribution_yuan_total"],
        ]
    )
    headers = [
        _("楼栋"),
        _("单元"),
        _("房号"),
        _("专有部分面积(㎡)"),
        _("业主"),
        _("改造意愿"),
        _("愿意出资(元)"),
        _("愿意出资(元/㎡)"),
        _("点单项目"),
        _("填写方式"),
        _("填写时间"),
    ]
    return xlsx_response(
        _("%(name)s-意愿征询.xlsx") % {"name": c.compound.name}, c.title, headers, rows
    )


@staff_required
@require_POST
def revoke_code(request, pk):
    """Revoke a unit's unused code (e.g. its letter was lost)."""
    building = get_building_for_user(request.user, pk)
    unit = (
        building.units.filter(pk=request.POST.get("unit") or 0).first()
        if str(request.POST.get("unit", "")).isdigit()
        else None
    )
    if unit is None:
        messages.error(request, _("请选择本楼栋的房屋"))
        return redirect("consultation:letters", pk=building.pk)
    try:
        n = services.access_code_revoke(actor=request.user, unit=unit)
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(
            request,
            _("已作废 %(unit)s 的 %(n)s 个未使用入户码") % {"unit": unit, "n": n}
            if n
            else _("%(unit)s 没有未使用的入户码") % {"unit": unit},
        )
    return redirect("consultation:letters", pk=building.pk)
