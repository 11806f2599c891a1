"""The pages that join apps: the staff home page (totals of the user's
compounds), the audit log and the resident portal. They live at the top
layer so that core and consultation import nothing above them; their URL
names stay `core:home`, `core:audit_log` and `consultation:portal`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gaizao.accounts.models import Role
from gaizao.consultation.views import resident_required
from gaizao.core import audit, pagecache
from gaizao.core.xlsx import xlsx_response
from gaizao.inventory.permissions import sees_personal_data

from . import inbox, selectors
from .forms import NoticeReadForm


def home(request):
    user = request.user
    if not user.is_authenticated:
        return redirect("accounts:login")
    if user.role == Role.RESIDENT:
        return redirect("consultation:portal")
    if user.role in (Role.CONTRACTOR, Role.DESIGNER):
        return redirect("consultation:feedback_queue")
    # The figures are cached per user and data version (core.pagecache).
    body = pagecache.cached_body(
        request, "home", lambda: ("site/_home_body.html", selectors.home_totals(user))
    )
    return render(request, "site/home.html", {"body": body})


@login_required
def audit_log(request):
    """Recent changes, for the offices that answer for the record, each for
    its own jurisdiction; personal fields masked as the reader's role sees
    them elsewhere (issue 9 #5), the Excel export included."""
    user = request.user
    if not selectors.may_read_audit(user):
        return render(request, "403.html", status=403)
    mask = not (user.is_superuser or sees_personal_data(user))
    q = (request.GET.get("q") or "").strip()
    qs = selectors.audit_entries(
        user, model=request.GET.get("model"), source=request.GET.get("source"), q=q
    )
    if request.GET.get("format") == "xlsx":
        entries = list(qs[:100000])
        names = audit.resolve_names(entries)
        rows = (
            (
                localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"),
                str(e.actor or ""),
                str(audit.SOURCE_LABELS.get(e.source, e.source)),
                e.get_action_display(),
                audit.model_label(e.model),
                e.object_pk,
                audit.masked_repr(e, mask),
                ";".join(f"{k}: {v}" for k, v in audit.describe(e, mask=mask, names=names)),
            )
            for e in entries
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
    names = audit.resolve_names(page)
    for e in page:
        e.lines = audit.describe(e, mask=mask, names=names)
        e.shown_repr = audit.masked_repr(e, mask)
        e.source_label = audit.SOURCE_LABELS.get(e.source, e.source)
        e.model_label = audit.model_label(e.model)
    return render(
        request,
        "site/audit_log.html",
        {
            "page": page,
            "models": selectors.audit_models(),
            "sources": list(audit.SOURCE_LABELS.items()),
            "q": q,
        },
    )


# --------------------------------------------------------------- portal
# The resident portal joins consultation, the eligibility verdict, the plan
# and feedback, so it lives here; its URL stays consultation:portal.


@resident_required
def portal(request):
    return render(request, "site/portal.html", selectors.resident_portal(request.user))


@login_required
def inbox_page(request):
    """待办与通知: votes to cast, feedback to answer, overdue milestones and
    unread notices, each linking to where it is done."""
    sections = [
        {"key": k, "title": inbox.SECTION_TITLES[k], "items": v}
        for k, v in inbox.items(request.user).items()
    ]
    return render(
        request,
        "site/inbox.html",
        {"sections": sections, "empty": not any(s["items"] for s in sections)},
    )


@login_required
@require_POST
def inbox_read(request):
    """Mark one notice read (`notice`) or all of them (`all`)."""
    form = NoticeReadForm(request.POST)
    if form.is_valid() and form.cleaned_data["all"]:
        inbox.notices_mark_all_read(user=request.user)
        messages.success(request, _("已全部标为已读"))
    elif form.is_valid() and form.cleaned_data["notice"]:
        inbox.notice_mark_read(user=request.user, notice_id=form.cleaned_data["notice"])
    else:
        messages.error(request, _("请选择要标为已读的通知"))
    return redirect("core:inbox")
