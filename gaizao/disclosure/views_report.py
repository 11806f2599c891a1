"""The statistical report page: choose a period (and an area inside the
user's), see the table, download the .xlsx."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from gaizao.core.xlsx import download

from . import permissions as perms
from . import report


@require_GET
def report_page(request):
    user = request.user
    if not perms.can_do(user, "report.view"):
        raise PermissionDenied(_("统计报表供领导小组办公室、住建局和街道使用"))
    today = timezone.localdate()
    text = request.GET.get("period", "").strip() or f"{today.year}-{today.month:02d}"
    code = request.GET.get("area", "").strip()
    error = ""
    data = None
    user_area = getattr(user, "area", None)
    try:
        period = report.parse_period(text)
        area = report.area_for(code, user_area or report.root_area())
        if not report.visible(user_area, area, user.is_superuser):
            raise LookupError(code)
    except report.BadPeriod:
        error = _("报告期“%(p)s”格式不对:应为 2024-06(月)或 2024-Q2(季度)") % {"p": text}
    except LookupError:
        error = _("没有区划代码为“%(c)s”的地区,或不在您的辖区内") % {"c": code}
    else:
        data = report.compute(area, period)
        if request.GET.get("format") == "xlsx":
            return download(report.xlsx_bytes(data), f"report-{area.code}-{period.label}.xlsx")
    rows = []
    if data:
        rows = [
            {"code": c, "label": label, "unit": unit, "values": data["values"][key]}
            for c, key, label, unit in report.ALL_ROWS
        ]
    return render(
        request,
        "disclosure/report.html",
        {"period": text, "area": code, "data": data, "rows": rows, "error": error},
        status=400 if error else 200,
    )
