"""The compound's long-term management page (长效管理): maintenance fund,
maintenance orders, quarterly ratings with their trend."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gaizao.core.errors import DomainError
from gaizao.inventory.permissions import get_compound_for_user

from .models import RATING_CHECKLIST, FundEntry, MaintenanceOrder
from .permissions import can_do
from .selectors import arrangement_for_compound
from .services_care import (
    fund_balance,
    fund_entry_record,
    maintenance_order_create,
    maintenance_order_done,
    rating_record,
    rating_trend,
)


@login_required
def care(request, compound_pk):
    compound = get_compound_for_user(request.user, compound_pk)
    today = timezone.localdate()
    return render(
        request,
        "stewardship/care.html",
        {
            "compound": compound,
            "arrangement": arrangement_for_compound(compound),
            "balance": fund_balance(compound),
            "entries": FundEntry.objects.filter(compound=compound).order_by("-on", "-id")[:20],
            "orders": MaintenanceOrder.objects.filter(compound=compound).select_related("assignee")[
                :30
            ],
            "ratings": rating_trend(compound),
            "checklist": RATING_CHECKLIST,
            "year": today.year,
            "quarter": (today.month - 1) // 3 + 1,
            "can_fund": can_do(request.user, "fund.record"),
            "can_order": can_do(request.user, "order.create"),
            "can_rate": can_do(request.user, "rating.record"),
        },
    )


def _require(user, action):
    if not can_do(user, action):
        raise PermissionDenied(_("您的角色无权执行此操作"))


@require_POST
@login_required
def care_action(request, compound_pk, action):
    compound = get_compound_for_user(request.user, compound_pk)
    p = request.POST
    try:
        if action == "fund":
            _require(request.user, "fund.record")
            fund_entry_record(
                actor=request.user,
                compound=compound,
                kind=p.get("kind", ""),
                amount=p.get("amount", ""),
                on=p.get("on", ""),
                decision=p.get("decision", ""),
            )
        elif action == "order":
            _require(request.user, "order.create")
            maintenance_order_create(
                actor=request.user,
                compound=compound,
                source=p.get("source", ""),
                text=p.get("text", ""),
            )
        elif action == "done":
            _require(request.user, "order.create")
            try:
                order = MaintenanceOrder.objects.get(compound=compound, pk=p.get("order"))
            except (MaintenanceOrder.DoesNotExist, ValueError, TypeError):
                raise Http404(_("维修工单不存在"))
            maintenance_order_done(actor=request.user, order=order)
        elif action == "rating":
            _require(request.user, "rating.record")
            try:
                year, quarter = int(p.get("year", "")), int(p.get("quarter", ""))
            except ValueError:
                raise DomainError(_("请填写考评年度与季度"))
            rating_record(
                actor=request.user,
                compound=compound,
                year=year,
                quarter=quarter,
                checked=p.getlist("items"),
            )
        else:
            raise Http404
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("已保存"))
    return redirect("stewardship:care", compound.pk)
