"""The statistical report page (choose a period and an area inside the
user's, see the table, download the .xlsx) and the printable notices."""

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from gaizao.core.xlsx import download

from . import notices, public, report
from . import permissions as perms
from . import selectors as sel


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


@require_GET
def notice(request, pk: int):
    """The notice form (kind, period, contact) and, once filled, the A4 PDF."""
    user = request.user
    if not perms.can_do(user, "dashboard.view"):
        raise PermissionDenied(_("公示由领导小组办公室、住建局和街道打印"))
    if not sel.scoped(user).filter(pk=pk).exists():
        raise Http404(_("没有这个小区"))
    g = request.GET
    today = timezone.localdate()
    form = {
        "kind": g.get("kind", ""),
        "start": g.get("start", "") or today.isoformat(),
        "end": g.get("end", "") or (today + timedelta(days=7)).isoformat(),
        "contact": g.get("contact", "").strip()[:120],
    }
    error = ""
    if form["kind"]:
        try:
            start, end = date.fromisoformat(form["start"]), date.fromisoformat(form["end"])
        except ValueError:
            error = _("公示起止日期应为 2024-06-01 这样的日期")
        else:
            if not form["contact"]:
                error = _("请填写受理意见的联系单位和电话")
            else:
                try:
                    ctx = notices.context(
                        pk, form["kind"], start=start, end=end, contact=form["contact"]
                    )
                except notices.NoticeError as e:
                    error = str(e)
                else:
                    resp = HttpResponse(notices.pdf_bytes(ctx), content_type="application/pdf")
                    resp["Content-Disposition"] = content_disposition_header(
                        False, f"notice-{form['kind']}-{pk}.pdf"
                    )
                    return resp
    return render(
        request,
        "disclosure/notice_form.html",
        {"pk": pk, "c": public.card(pk), "form": form, "kinds": notices.KINDS, "error": error},
        status=400 if error else 200,
    )
