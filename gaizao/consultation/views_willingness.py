"""Willingness surveys (意愿征询) and item menus (居民点单): staff open one, residents answer (or staff for them), results and export."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from gaizao.catalogue import selectors as catalogue_selectors
from gaizao.core.errors import DomainError
from gaizao.core.masking import mask_name
from gaizao.core.xlsx import xlsx_response
from gaizao.inventory.permissions import get_compound_for_user, sees_personal_data

from . import selectors, selectors_pages, services
from .forms import AssistUnitForm, ConsultationForm, ResponseForm, now_local_str
from .permissions import can_do, get_consultation_for_user, is_staff_user
from .views import _need, resident_required, staff_required

# ------------------------------------------------ surveys and item menu


@staff_required
@require_http_methods(["GET", "POST"])
def willingness_new(request, pk):
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
        "consultation/willingness_new.html",
        {"compound": compound, "form": form},
        status=400 if form.errors else 200,
    )


def _menu_context(consultation, response, form=None):
    """The menu with its ticks: what was just posted when the form comes back
    with an error (never the last saved answer), else the saved answer."""
    items = catalogue_selectors.menu_items(consultation.compound) if consultation.with_menu else []
    if form is not None and form.is_bound:
        picked = set(form["items"].value() or [])
    else:
        picked = selectors_pages.response_item_ids(response)
    for it in items:
        it["checked"] = str(it["id"]) in picked
    return items


def _response_form(request, consultation, unit, *, assisted: bool):
    response = selectors_pages.unit_response(consultation, unit)
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
                item_ids=d["items"],
                assisted=assisted,
            )
        except DomainError as e:
            error = e.message
        else:
            return form, response, None, True
    return form, response, error, False


def _focus_first_error(form) -> str | None:
    """Autofocus the first field in error, so the page opens there (no
    script: the CSP will allow none inline)."""
    if form is None:
        return None
    for name in form.fields:
        if name in form.errors:
            form.fields[name].widget.attrs["autofocus"] = True
            return name
    return None


@resident_required
@require_http_methods(["GET", "POST"])
def willingness_fill(request, pk):
    c = get_consultation_for_user(request.user, pk)
    unit = selectors_pages.resident_unit(request.user)
    form, response, error, done = _response_form(request, c, unit, assisted=False)
    if done:
        messages.success(request, _("已提交,谢谢!截止前您可以随时修改。"))
        return redirect("consultation:portal")
    items = _menu_context(c, response, form)
    return render(
        request,
        "consultation/willingness_fill.html",
        {
            "c": c,
            "form": form,
            "focus_field": _focus_first_error(form),
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
def willingness_assist(request, pk):
    """Community staff fill the survey in for a resident who cannot (代填)."""
    c = get_consultation_for_user(request.user, pk, action="ballot.enter")
    units = selectors_pages.consultation_units(c)
    unit = None
    picked = AssistUnitForm(request.POST if request.method == "POST" else request.GET)
    uid = picked.cleaned_data.get("unit") if picked.is_valid() else None
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
        "consultation/willingness_assist.html",
        {
            "c": c,
            "units": units,
            "unit": unit,
            "form": form,
            "response": response,
            "error": error,
            "focus_field": _focus_first_error(form),
            "items": _menu_context(c, response, form) if unit else [],
        },
        status=400 if (error or (form and form.errors)) else 200,
    )


@require_http_methods(["GET"])
def willingness_results(request, pk):
    if not request.user.is_authenticated:
        return redirect("consultation:enter_code")
    c = get_consultation_for_user(request.user, pk)
    staff = is_staff_user(request.user)
    tpl = "consultation/willingness_results.html"
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
def willingness_export(request, pk):
    c = get_consultation_for_user(request.user, pk, action="consultation.manage")
    personal = sees_personal_data(request.user)
    responses = selectors_pages.responses_by_unit(c)
    rows = []
    for u in selectors_pages.consultation_units(c, with_owner=True):
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
