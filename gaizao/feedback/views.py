"""Feedback and satisfaction pages. Thin (STYLE.md habit 6): authorise
through permissions.py, validate with a form, call the service, render.
htmx requests get the partial the full page includes."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from gaizao.core.errors import DomainError
from gaizao.core.xlsx import xlsx_response
from gaizao.inventory.permissions import compounds_for_user, get_compound_for_user

from . import permissions as perms
from . import selectors as sel
from . import services as svc
from .forms import (
    AssistedFeedbackForm,
    CommentForm,
    FeedbackForm,
    OpenEvaluationForm,
    ResponsiblePartyForm,
    SatisfactionForm,
)
from .models import FeedbackCategory, FeedbackStatus, ResponsibleParty


def _base(request) -> str:
    """Residents' pages sit in the phone-first portal layout; staff pages in
    the ordinary one. Both frames provide the block "page"."""
    if perms.has_resident_role(request.user):
        return "feedback/feedback_frame_portal.html"
    return "feedback/feedback_frame_staff.html"


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _require_staff(user):
    if perms.has_resident_role(user) or not perms.can_do(user, "feedback.queue"):
        raise PermissionDenied(_("此页面供工作人员使用"))


def _decorate(user, items):
    today = timezone.localdate()
    for fb in items:
        fb.overdue = sel.is_overdue(fb, today)
        fb.who = sel.reporter_label(user, fb)
    return items


# Residents ---------------------------------------------------------------------


@login_required
def feedback_list(request):
    user = request.user
    if not perms.has_resident_role(user):
        return redirect("consultation:feedback_queue")
    mine = list(sel.my_feedback(user))
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
    return {
        "fb": fb,
        "events": events,
        "actions": perms.allowed_actions(user, fb),
        "labels": perms.ACTION_LABELS,
        "error": error,
        "is_reporter": fb.reporter_id == user.pk,
        "sees_full": perms.sees_reporter(user, fb) == "full" and fb.reporter_id != user.pk,
        "resident": perms.has_resident_role(user),
        "auto_days": svc.auto_confirm_days(),
    }


@login_required
def feedback_detail(request, pk):
    fb = perms.get_feedback_for_user(request.user, pk)
    ctx = _panel_context(request, fb)
    ctx.update(base=_base(request), photos=list(fb.photos.all()))
    return render(request, "feedback/feedback_detail.html", ctx)


@login_required
@require_POST
def feedback_act(request, pk, action):
    fb = perms.get_feedback_for_user(request.user, pk)
    form = CommentForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    error = ""
    if not form.is_valid():
        error = _("说明不能超过 2000 字")
    else:
        try:
            svc.feedback_transition(actor=request.user, feedback=fb, action=action, comment=comment)
        except DomainError as e:
            error = e.message
    partial = request.POST.get("partial") or "panel"
    if _is_htmx(request):
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
    qs = sel.feedback_queue(user, **filters)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    _decorate(user, page.object_list)
    return render(
        request,
        "feedback/feedback_queue.html",
        {
            "page": page,
            "filters": filters,
            "counts": sel.queue_counts(user),
            "statuses": FeedbackStatus.choices,
            "categories": FeedbackCategory.choices,
            "can_record": perms.can_do(user, "feedback.record_assisted"),
            "export_query": request.GET.urlencode(),
        },
    )


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
    parties = {
        p.kind: p
        for p in ResponsibleParty.objects.filter(compound=compound).select_related("organisation")
    }
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


# Satisfaction ------------------------------------------------------------------


@login_required
def satisfaction_list(request):
    user = request.user
    manage = perms.can_do(user, "satisfaction.manage") and not perms.has_resident_role(user)
    form = None
    if manage:
        compounds = compounds_for_user(user).select_related("street").order_by("name")
        form = OpenEvaluationForm(request.POST or None, compounds=compounds)
        if request.method == "POST" and form.is_valid():
            try:
                ev = svc.satisfaction_open(
                    actor=user,
                    compound=form.cleaned_data["compound"],
                    title=form.cleaned_data["title"],
                )
            except DomainError as e:
                form.add_error(None, e.message)
            else:
                messages.success(
                    request, _("已发起“%(title)s”,本小区住户即可评价。") % {"title": ev.title}
                )
                return redirect("consultation:satisfaction_detail", pk=ev.pk)
    elif request.method == "POST":
        raise PermissionDenied(_("您的角色无权发起满意度评价"))
    evaluations = list(sel.evaluations_list(user)[:200])
    return render(
        request,
        "feedback/satisfaction_list.html",
        {
            "base": _base(request),
            "evaluations": evaluations,
            "form": form,
            "resident": perms.has_resident_role(user),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def satisfaction_detail(request, pk):
    user = request.user
    ev = perms.get_evaluation_for_user(user, pk)
    resident = perms.has_resident_role(user)
    return render(
        request,
        "feedback/satisfaction_detail.html",
        {
            "base": _base(request),
            "ev": ev,
            "results": sel.satisfaction_results(ev),
            "resident": resident,
            "mine": sel.my_response(user, ev) if resident else None,
            "can_manage": (
                not resident
                and perms.can_do(user, "satisfaction.manage")
                and perms.in_jurisdiction(user, ev.compound)
            ),
            "comments": []
            if resident
            else list(ev.responses.exclude(comment="").values_list("comment", flat=True)[:200]),
        },
    )


@login_required
def satisfaction_rate(request, pk):
    user = request.user
    ev = perms.get_evaluation_for_user(user, pk)
    if not perms.can_do(user, "satisfaction.respond") or not user.unit_id:
        raise PermissionDenied(_("只有本小区住户可以参加满意度评价"))
    mine = sel.my_response(user, ev)
    initial = {}
    if mine is not None:
        initial = {f: getattr(mine, f) for f, _label in sel.ASPECTS}
        initial["comment"] = mine.comment
    form = SatisfactionForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if ev.status != "open":
            form.add_error(None, _("该满意度评价已经结束,不能再提交或修改"))
        elif form.is_valid():
            d = form.cleaned_data
            try:
                _resp, created = svc.satisfaction_submit(
                    actor=user, evaluation=ev, ratings=d, comment=d["comment"]
                )
            except DomainError as e:
                form.add_error(None, e.message)
            else:
                messages.success(request, _("感谢您的评价!") if created else _("已更新您的评价。"))
                return redirect("consultation:satisfaction_detail", pk=ev.pk)
    return render(
        request,
        "feedback/satisfaction_rate.html",
        {
            "base": _base(request),
            "ev": ev,
            "form": form,
            "mine": mine,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def satisfaction_close(request, pk):
    ev = perms.get_evaluation_for_user(request.user, pk, manage=True)
    try:
        svc.satisfaction_close(actor=request.user, evaluation=ev)
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("评价已结束,结果不再变化。"))
    return redirect("consultation:satisfaction_detail", pk=pk)


@login_required
def satisfaction_export(request, pk):
    user = request.user
    if perms.has_resident_role(user) or not perms.can_do(user, "satisfaction.results"):
        raise PermissionDenied(_("此导出供工作人员使用"))
    ev = perms.get_evaluation_for_user(user, pk)
    res = sel.satisfaction_results(ev)
    headers = [
        _("住户"),
        _("总体评价"),
        _("施工质量"),
        _("改造内容"),
        _("施工过程文明"),
        _("后续管理"),
        _("意见建议"),
        _("填写时间"),
    ]
    rows = list(sel.satisfaction_export_rows(ev))
    rows.append([])
    rows.append([_("平均")] + [a.average for a in res["aspects"]])
    rows.append(
        [_("满意率(≥4星)")]
        + [
            f"{a.satisfied_share:.0%}" if a.satisfied_share is not None else ""
            for a in res["aspects"]
        ]
    )
    rate = res["response_rate"]
    rows.append(
        [
            _("参与率"),
            _("%(responses)s/%(households)s 户")
            % {"responses": res["responses"], "households": res["households"]}
            + (f"({rate:.0%})" if rate is not None else ""),
        ]
    )
    return xlsx_response(
        _("满意度评价-%(name)s-%(pk)s.xlsx") % {"name": ev.compound.name, "pk": ev.pk},
        ev.title,
        headers,
        rows,
    )
