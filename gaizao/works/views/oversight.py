"""The leadership office's lists: who is late (层层压实责任) and which
renovated compounds are sliding back (长效管理 alerts)."""

from itertools import chain

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from gaizao.accounts.models import AREA_ROLES
from gaizao.core import pagecache
from gaizao.core.xlsx import xlsx_response
from gaizao.regions.models import Area
from gaizao.regions.scope import breakdown_of

from .. import permissions as perms
from .. import selectors
from ..alerts import slide_back_alerts
from ..organisation import selectors as org_selectors


@login_required
def responsibility(request):
    if not perms.can_do(request.user, "responsibility.view"):
        raise PermissionDenied(_("您的角色无权查看责任清单"))
    only_late = request.GET.get("all") != "1"

    def querysets():
        # Built only when used: on a cached hit, not even the querysets.
        kw = {
            "only_late": only_late,
            "street_id": request.GET.get("street"),
            "org_id": request.GET.get("org"),
        }
        return (
            selectors.responsibility_rows(request.user, **kw),
            org_selectors.task_rows(request.user, **kw),
        )

    today = timezone.localdate()
    task_label = _("联席会议任务")
    if request.GET.get("format") == "xlsx":
        rows, tasks = querysets()
        return xlsx_response(
            "responsibility.xlsx",
            _("责任清单"),
            [
                _("项目"),
                _("街道"),
                _("阶段"),
                _("计划日期"),
                _("逾期天数"),
                _("责任单位"),
                _("责任人"),
            ],
            chain(
                (
                    [
                        m.works.name,
                        m.works.compound.street.name if m.works.compound_id else "",
                        m.get_stage_display(),
                        m.planned_on,
                        max(0, (today - m.planned_on).days),
                        m.responsible_org.name if m.responsible_org_id else "",
                        str(m.responsible_person or ""),
                    ]
                    for m in rows[:20000]
                ),
                (
                    [
                        t.title,
                        t.compound.street.name if t.compound_id else "",
                        task_label,
                        t.due_on,
                        max(0, (today - t.due_on).days),
                        t.owner_org.name,
                        str(t.owner_person or ""),
                    ]
                    for t in tasks[:20000]
                ),
            ),
        )

    def build():
        rows, tasks = querysets()
        # The page's 50 rows first (an index walk), their related rows after
        # (a few queries on 50 ids): joining them before the sort made
        # PostgreSQL join every late milestone of the country first.
        rows = rows.select_related(None).prefetch_related(
            "works__compound__street", "works__cluster", "responsible_org", "responsible_person"
        )
        page = Paginator(rows, 50).get_page(request.GET.get("page"))
        for m in page:
            m.days_late = max(0, (today - m.planned_on).days)
        # By area one level below the user's (a handful of rows for any scope).
        own = request.user.area if request.user.role in AREA_ROLES else None
        path, level = breakdown_of(own)
        summary = selectors.late_summary(
            selectors.responsibility_rows(request.user, only_late=True), path or "street"
        )
        summary["level_label"] = Area.Level(level or Area.Level.STREET).label
        task_list = list(tasks[:200])
        for t in task_list:
            t.days_late = max(0, (today - t.due_on).days)
        return "works/partials/_responsibility_body.html", {
            "page": page,
            "only_late": only_late,
            "summary": summary,
            "tasks": task_list,
            "tasks_by_org": org_selectors.late_tasks_by_org(request.user),
        }

    # The body is kept per user, query, day and data version (core.pagecache).
    body = pagecache.cached_body(request, "works.responsibility", build)
    return render(request, "works/responsibility.html", {"body": body})


@login_required
def alerts(request):
    if not perms.can_do(request.user, "responsibility.view"):
        raise PermissionDenied(_("您的角色无权查看长效管理预警"))
    return render(request, "works/alerts.html", {"alerts": slide_back_alerts(request.user)})
