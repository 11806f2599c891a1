"""Participation pages: household access (the resident portal is in
gaizao.site.views), the staff overview and willingness surveys / item menus. Votes are in views_votes.py.
Thin views: authorise, validate, call the service, render."""

from functools import wraps

import segno
from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from gaizao.core.errors import DomainError
from gaizao.inventory.permissions import get_building_for_user, get_compound_for_user

from . import selectors, selectors_pages, services
from .client import BACKEND, client_ip
from .forms import BindPhoneForm, CodeForm, MeetingRulesForm, PhoneLoginForm, UnitPickForm
from .permissions import can_do, is_resident, is_staff_user


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
        form = CodeForm(request.POST)
        form.is_valid()
        code = form.cleaned_data.get("code", "")
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
    form = PhoneLoginForm(request.POST or None)
    phone = form.cleaned_data.get("phone", "") if form.is_valid() else ""
    if request.method == "POST":
        try:
            user = services.resident_phone_login(
                phone=phone, pin=form.cleaned_data.get("pin", ""), ip=client_ip(request)
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
    phone = request.user.phone
    if request.method == "POST":
        form = BindPhoneForm(request.POST)
        valid = form.is_valid()
        phone = form.cleaned_data.get("phone", "") if "phone" in request.POST else phone
        if not valid:
            error = form.non_field_errors()[0]
        else:
            try:
                services.resident_set_login(
                    user=request.user, phone=phone, pin=form.cleaned_data["pin"]
                )
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


# ---------------------------------------------------------------- staff


@staff_required
def staff_home(request):
    q = (request.GET.get("q") or "").strip()
    active = request.GET.get("active") == "1"
    qs = selectors_pages.staff_compounds(request.user, q=q, active=active)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    stats = selectors.access_code_stats([c.pk for c in page])
    rows = [
        {"compound": c, "codes": stats.get(c.pk, {}), "votes": list(c.votes.all())} for c in page
    ]
    return render(
        request,
        "consultation/staff_home.html",
        {"page": page, "rows": rows, "q": q, "active": active},
    )


def _meeting_rules_form(rules, data=None):
    initial = (
        {
            "deemed_consent": rules.deemed_consent,
            "adopted_on": rules.adopted_on,
            "source": rules.source,
        }
        if rules
        else {}
    )
    return MeetingRulesForm(data, initial=initial, prefix="rules")


@staff_required
@require_http_methods(["GET", "POST"])
def staff_compound(request, pk):
    """The compound's participation page; POST records what its adopted
    议事规则 say about deemed consent."""
    compound = get_compound_for_user(request.user, pk)
    rules = selectors.meeting_rules_of(compound.pk)
    rules_form = _meeting_rules_form(rules)
    if request.method == "POST":
        _need(request.user, "vote.manage")
        rules_form = _meeting_rules_form(rules, request.POST)
        if rules_form.is_valid():
            try:
                services.meeting_rules_set(
                    actor=request.user, compound=compound, **rules_form.cleaned_data
                )
            except DomainError as e:
                rules_form.add_error(None, e.message)
            else:
                messages.success(request, _("已登记议事规则"))
                return redirect(reverse("consultation:staff_compound", args=[compound.pk]))
    return render(
        request,
        "consultation/staff_compound.html",
        {
            "rules": rules,
            "rules_form": rules_form,
            "compound": compound,
            "buildings": selectors.building_code_stats(compound.pk),
            "surveys": selectors_pages.compound_consultations(compound),
            "votes": selectors_pages.compound_votes(compound),
            "can_issue": can_do(request.user, "access.issue"),
            "can_survey": can_do(request.user, "consultation.manage"),
            "can_vote": can_do(request.user, "vote.manage"),
        },
        status=400 if rules_form.errors else 200,
    )


@never_cache
@staff_required
@require_http_methods(["GET", "POST"])
def letters(request, pk):
    """GET: what printing does (it revokes earlier codes). POST: issue codes and
    return the printable letters — the only place the raw codes ever appear."""
    building = get_building_for_user(request.user, pk)
    _need(request.user, "access.issue")
    units = selectors_pages.building_units(building)
    if request.method == "GET":
        return render(
            request, "consultation/letters_confirm.html", {"building": building, "units": units}
        )
    form = UnitPickForm(request.POST)
    try:
        if not form.is_valid():
            raise ValueError(form.errors)
        only = form.cleaned_data["unit"]
        issued = services.access_codes_issue(
            actor=request.user, building=building, units=[only] if only else None
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


@staff_required
@require_POST
def revoke_code(request, pk):
    """Revoke a unit's unused code (e.g. its letter was lost)."""
    building = get_building_for_user(request.user, pk)
    form = UnitPickForm(request.POST)
    unit = (
        selectors_pages.building_unit(building, form.cleaned_data["unit"])
        if form.is_valid()
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
