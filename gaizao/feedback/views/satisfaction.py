"""Satisfaction evaluation pages (成果共享): the list with the form to open
one, results, the resident's star form, close and export."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gaizao.core.errors import DomainError
from gaizao.core.xlsx import xlsx_response
from gaizao.inventory.permissions import compounds_for_user

from .. import permissions as perms
from .. import selectors as sel
from .. import services as svc
from ..forms import OpenEvaluationForm, SatisfactionForm
from .common import _base


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
    if res.get("withheld"):
        # The page withholds the scores below the minimum (one household's
        # stars would be identifiable on a small compound): so does the file.
        rows = [
            [
                _("答卷少于 %(n)s 份,不列出各户评分")
                % {"n": res.get("min_responses", settings.GAIZAO_SATISFACTION_MIN_RESPONSES)}
            ]
        ]
    else:
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
