import json

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, Sum
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from gaizao.accounts.models import Role
from gaizao.inventory.permissions import compounds_for_user

from .models import AuditEntry
from .xlsx import xlsx_response


def healthz(request):
    with connection.cursor() as c:
        c.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


def home(request):
    user = request.user
    if not user.is_authenticated:
        return redirect("accounts:login")
    if user.role == Role.RESIDENT:
        return redirect("consultation:portal")
    qs = compounds_for_user(user)
    totals = qs.aggregate(n=Count("id"), area=Sum("floor_area"), households=Sum("households"))
    surveyed = qs.filter(surveys__isnull=False).distinct().count()
    by_street = (
        qs.values("street__name", "street__code")
        .annotate(n=Count("id"), area=Sum("floor_area"))
        .order_by("street__code")
    )
    return render(
        request,
        "core/home.html",
        {
            "totals": totals,
            "surveyed": surveyed,
            "by_street": by_street,
        },
    )


@login_required
def audit_log(request):
    """Recent changes; superusers and district offices only (they answer for the record)."""
    if not (
        request.user.is_superuser or request.user.role in {Role.LEADERSHIP, Role.HOUSING_BUREAU}
    ):
        return render(request, "403.html", status=403)
    qs = AuditEntry.objects.select_related("actor")
    if request.GET.get("model"):
        qs = qs.filter(model=request.GET["model"])
    if request.GET.get("format") == "xlsx":
        rows = (
            (
                localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"),
                str(e.actor or ""),
                e.source,
                e.get_action_display(),
                e.model,
                e.object_pk,
                e.object_repr,
                json.dumps(e.changes, ensure_ascii=False),
            )
            for e in qs[:100000]
        )
        return xlsx_response(
            _("操作记录.xlsx"),
            _("操作记录"),
            [
                _("时间"),
                _("操作人"),
                _("来源"),
                _("操作"),
                _("对象类型"),
                _("对象编号"),
                _("对象"),
                _("变更"),
            ],
            rows,
        )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "core/audit_log.html", {"page": page})
