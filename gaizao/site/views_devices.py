"""A household's signed-in devices, for the staff who issue its access codes
(issue 9 #1). It joins accounts (devices, tokens) with the building fetch of
inventory and the access rules of consultation, so it lives in site; its URL
is under consultation's staff pages."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from gaizao.accounts import selectors as account_selectors
from gaizao.accounts import services as account_services
from gaizao.consultation.permissions import can_do
from gaizao.consultation.views import staff_required
from gaizao.core.sorting import unit_key
from gaizao.inventory.permissions import get_building_for_user


class _DeviceForm(forms.Form):
    unit = forms.IntegerField(min_value=1, max_value=2**63 - 1)
    end = forms.IntegerField(min_value=1, max_value=2**63 - 1, required=False)
    end_all = forms.BooleanField(required=False)


@staff_required
@require_http_methods(["GET", "POST"])
def household_devices(request, pk):
    building = get_building_for_user(request.user, pk)
    if not can_do(request.user, "access.issue"):
        raise PermissionDenied(_("您的角色无权管理住户登录"))
    units = sorted(building.units.all(), key=lambda u: unit_key("", u.entrance, u.number))
    form = _DeviceForm(request.POST if request.method == "POST" else request.GET)
    unit = None
    if form.is_valid():
        unit = next((u for u in units if u.pk == form.cleaned_data["unit"]), None)
        if unit is None:
            raise Http404(_("房屋不在本楼栋"))
    elif request.method == "POST":
        messages.error(request, _("请选择本楼栋的房屋"))
    if request.method == "POST" and unit is not None:
        if form.cleaned_data["end_all"]:
            account_services.unit_access_end(actor=request.user, unit_id=unit.pk, reason="staff")
            messages.success(
                request, _("%(unit)s 的所有登录、令牌和手机号密码已失效") % {"unit": unit}
            )
        elif form.cleaned_data["end"]:
            device = account_selectors.get_household_device(unit.pk, form.cleaned_data["end"])
            account_services.device_end(actor=request.user, device=device)
            messages.success(request, _("该设备已退出登录"))
        url = reverse("consultation:household_devices", args=[building.pk])
        return redirect(f"{url}?unit={unit.pk}")
    ctx = {"building": building, "units": units, "unit": unit}
    if unit is not None:
        ctx.update(
            accounts=account_selectors.household_accounts(unit.pk),
            devices=account_selectors.household_devices(unit.pk),
            tokens=account_selectors.household_tokens(unit.pk),
        )
    return render(request, "site/household_devices.html", ctx)
