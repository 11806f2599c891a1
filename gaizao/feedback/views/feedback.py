"""Feedback pages (过程共建): the resident's list and form, the detail page
with its htmx action panel, the staff queue, its export, and the responsible
parties of a compound. Thin (STYLE.md habit 6): authorise through
permissions.py, validate with a form, call the service, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from gaizao.core import pagecache
from gaizao.core.errors import DomainError
from gaizao.core.xlsx import xlsx_response
from gaizao.inventory.permissions import compounds_for_user, get_compound_for_user

from .. import permissions as perms
from .. import selectors as sel
from .. import services as svc
from ..forms import AssistedFeedbackForm, CommentForm, FeedbackForm, ResponsiblePartyForm
from ..models import FeedbackCategory, FeedbackStatus, ResponsibleParty
from .common import _base, _decorate, _require_staff

# Residents ---------------------------------------------------------------------


@login_required
def feedback_list(request):
    user = request.user
    if not perms.has_resident_role(user):
        return redirect("consultation:feedback_queue")
    mine = sel.attach_fix_reports(sel.my_feedback(user))
    _decorate(user, mine)
    return render(
        request,
        "feedback/feedback_list.html",
        {
            "base": _base(request),
            "awaiting": [fb for fb in mine if fb.status == FeedbackStatus.FIXED],
            "mine": mine,
            "others": sel.compound_feedback_for_resident(user),
            "evaluations": sel.open_evaluations_for_resident(user),
            "auto_days": svc.auto_confirm_days(),
        },
    )


@login_required
def feedback_new(request):
    user = request.user
    resident = perms.has_resident_role(user)
    if resident:
        if not perms.can_do(user, "feedback.report") or not user.unit_id:
            raise PermissionDenied(_("您的账号没有绑定住户,不能提交反馈"))
        form_class, kwargs = FeedbackForm, {}
    else:
        if not perms.can_do(user, "feedback.record_assisted"):
            raise PermissionDenied(_("您的角色无权代居民登记反馈"))
        compounds = compounds_for_user(user).select_related("street").order_by("name")
        form_class, kwargs = AssistedFeedbackForm, {"compounds": compounds}
    initial = {}
    if not resident and request.GET.get("compound"):
        initial["compound"] = request.GET["compound"]
    form = form_class(request.POST or None, initial=initial, **kwargs)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            fb = svc.feedback_create(
                actor=user,
                category=d["category"],
                text=d["text"],
                place=d.get("place", ""),
                photos=request.FILES.getlist("photos"),
                compound=d.get("compound"),
                reporter_name=d.get("reporter_name", ""),
                reporter_phone=d.get("reporter_phone", ""),
            )
        except DomainError as e:
            for err in e.errors or []:
                if err.field in form.fields:
                    form.add_error(err.field, err.message)
                else:
                    form.add_error(None, err.message)
            if not e.errors:
                form.add_error(None, e.message)
        else:
            messages.success(
                request,
                _("已提交,转 %(name)s 办理,办理期限 %(due)s。")
                % {
                    "name": fb.responsible_org.name,
                    "due": dateformat.format(fb.due_on, pgettext("date format", "m月d日")),
                },
            )
            if resident:
                return redirect("consultation:feedback_list")
            return redirect("consultation:feedback_detail", pk=fb.pk)
    return render(
        request,
        "feedback/feedback_new.html",
        {
            "base": _base(request),
            "form": form,
            "resident": resident,
            "categories": FeedbackCategory.choices,
            "max_photos": svc.MAX_PHOTOS,
        },
        status=400 if request.method == "POST" else 200,
    )


# Both --------------------------------------------------------------------------


def _panel_context(request, fb, error: str = ""):
    user = request.user
    fb.overdue = sel.is_overdue(fb)
    fb.who = sel.reporter_label(user, fb)
    events = list(sel.timeline(fb))
    for ev in events:
        ev.who = sel.actor_label(user, ev, fb)
    sel.attach_fix_reports([fb])
    actions = perms.allowed_actions(user, fb)
    is_reporter = fb.reporter_id == user.pk
    return {
        "answer_units": sel.answer_units(fb) if "confirm" in actions and not is_reporter else [],
        "fb": fb,
        "events": events,
        "actions": actions,
        "labels": perms.ACTION_LABELS,
        "error": error,
        "is_reporter": is_reporter,
        "sees_full": perms.sees_reporter(user, fb) == "full" and fb.reporter_id != user.pk,
        "resident": perms.has_resident_role(user),
        "auto_days": svc.auto_confirm_days(),
    }


@login_required
def feedback_detail(request, pk):
    fb = perms.get_feedback_for_user(request.user, pk)
    ctx = _panel_context(request, fb)
    ctx.update(base=_base(request), photos=list(sel.report_photos(fb)))
    return render(request, "feedback/feedback_detail.html", ctx)


@login_required
@require_POST
def feedback_act(request, pk, action):
    fb = perms.get_feedback_for_user(request.user, pk)
    form = CommentForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    error = ""
    if not form.is_valid():
        error = _("说明不能超过 2000 字") if "comment" in form.errors else _("所选住户无效")
    else:
        try:
            svc.feedback_transition(
                actor=request.user,
                feedback=fb,
                action=action,
                comment=comment,
                photos=request.FILES.getlist("photos"),
                unit_id=form.cleaned_data["unit"],
            )
        except DomainError as e:
            error = e.message
    partial = request.POST.get("partial") or "panel"
    if request.htmx:
        fb = perms.get_feedback_for_user(request.user, pk)
        ctx = _panel_context(request, fb, error)
        template = (
            "feedback/partials/_feedback_prompt.html"
            if partial == "prompt"
            else "feedback/partials/_feedback_panel.html"
        )
        ctx["answered"] = not error
        return render(request, template, ctx, status=400 if error else 200)
    if error:
        messages.error(request, error)
    else:
        messages.success(
            request, _("已%(action)s。") % {"action": perms.ACTION_LABELS.get(action, "")}
        )
    nxt = request.POST.get("next", "")
    if nxt == "list":
        return redirect("consultation:feedback_list")
    return redirect("consultation:feedback_detail", pk=pk)


# Staff -------------------------------------------------------------------------


def _queue_filters(request):
    g = request.GET
    return {
        "status": g.get("status", ""),
        "category": g.get("category", "")
        if g.get("category", "") in FeedbackCategory.values
        else "",
        "overdue": g.get("overdue") == "1",
        "compound_id": g.get("compound") if (g.get("compound") or "").isdigit() else None,
        "mine": g.get("mine") == "1",
    }


@login_required
def feedback_queue(request):
    user = request.user
    _require_staff(user)
    filters = _queue_filters(request)

    def build():
        qs = sel.feedback_queue(user, **filters)
        page = Paginator(qs, 50).get_page(request.GET.get("page"))
        _decorate(user, page.object_list)
        return "feedback/partials/_queue_body.html", {
            "page": page,
            "filters": filters,
            "counts": sel.queue_counts(user),
            "statuses": FeedbackStatus.choices,
            "categories": FeedbackCategory.choices,
            "can_record": perms.can_do(user, "feedback.record_assisted"),
            "export_query": request.GET.urlencode(),
        }

    # The body is cached per user, query and data version (core.pagecache).
    body = pagecache.cached_body(request, "feedback.queue", build)
    return render(request, "feedback/feedback_queue.html", {"body": body, "filters": filters})


@login_required
def feedback_export(request):
    user = request.user
    _require_staff(user)
    qs = sel.feedback_queue(user, **_queue_filters(request))
    today = timezone.localdate()
    headers = [
        _("编号"),
        _("小区"),
        _("街道"),
        _("社区"),
        _("类别"),
        _("问题描述"),
        _("位置"),
        _("反映人"),
        _("状态"),
        _("责任单位"),
        _("办理期限"),
        _("是否逾期"),
        _("提交时间"),
        _("整改时间"),
        _("办结时间"),
    ]

    def fmt(dt):
        return timezone.localtime(dt).strftime("%Y-%m-%d %H:%M") if dt else ""

    rows = (
        [
            fb.pk,
            fb.compound.name,
            fb.compound.street.name,
            fb.compound.community.name if fb.compound.community_id else "",
            fb.get_category_display(),
            fb.text,
            fb.place,
            sel.reporter_label(user, fb),
            fb.get_status_display(),
            fb.responsible_org.name,
            fb.due_on.isoformat(),
            _("逾期") if sel.is_overdue(fb, today) else "",
            fmt(fb.created_at),
            fmt(fb.fixed_at),
            fmt(fb.closed_at),
        ]
        for fb in qs.iterator(chunk_size=2000)
    )
    return xlsx_response(
        _("居民反馈-%(date)s.xlsx") % {"date": f"{today:%Y%m%d}"}, _("居民反馈"), headers, rows
    )


@login_required
def feedback_parties(request, compound_pk):
    """The contractor and utility a compound's feedback is routed to."""
    user = request.user
    compound = get_compound_for_user(user, compound_pk)
    if not perms.can_do(user, "feedback.assign_party"):
        raise PermissionDenied(_("您的角色无权指定责任单位"))
    form = ResponsiblePartyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            svc.responsible_party_set(
                actor=user,
                compound=compound,
                kind=form.cleaned_data["kind"],
                organisation=form.cleaned_data["organisation"],
            )
        except DomainError as e:
            form.add_error(None, e.message)
        else:
            messages.success(request, _("责任单位已保存,之后的反馈按此分派。"))
            return redirect("consultation:feedback_parties", compound_pk=compound.pk)
    parties = {p.kind: p for p in sel.responsible_parties(compound)}
    rows = []
    for kind, label in ResponsibleParty.Kind.choices:
        p = parties.get(kind)
        rows.append(
            (
                label,
                p.organisation.name
                if p
                else _("未指定(由 %(name)s 受理)")
                % {"name": svc.community_organisation(compound).name},
            )
        )
    manager = compound.property_company or compound.property_rights_unit
    return render(
        request,
        "feedback/feedback_parties.html",
        {
            "compound": compound,
            "form": form,
            "rows": rows,
            "manager": manager,
        },
        status=400 if request.method == "POST" else 200,
    )
