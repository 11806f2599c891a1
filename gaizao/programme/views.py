"""Programme pages: list, new programme and batches, the planning board and
its actions (lock, move, re-run, cancel), the run's progress fragment."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gaizao.core.errors import DomainError
from gaizao.plans.models import FundingSource

from . import runner, selectors, services
from .permissions import (
    can_do,
    covers,
    get_batch_for_user,
    get_entry_for_user,
    get_programme_for_user,
    get_run_for_user,
    visible_programmes,
)


def _can_plan(user, programme):
    return can_do(user, "programme.plan") and covers(user, programme)


@login_required
def programme_list(request):
    rows = visible_programmes(request.user).select_related("area").order_by("-id")[:100]
    return render(
        request,
        "programme/programme_list.html",
        {
            "programmes": rows,
            "can_create": can_do(request.user, "programme.edit") and request.user.area_id,
        },
    )


@login_required
def programme_new(request):
    user = request.user
    if not (can_do(user, "programme.edit") and (user.area_id or user.is_superuser)):
        raise_forbidden()
    error = ""
    if request.method == "POST":
        try:
            p = services.programme_create(
                actor=user,
                area=user.area,
                name=request.POST.get("name", ""),
                cost_per_m2=request.POST.get("cost_per_m2") or "300",
                max_concurrent_per_street=request.POST.get("max_concurrent_per_street"),
            )
        except DomainError as e:
            error = e.message
        else:
            return redirect("programme:board", p.pk)
    return render(request, "programme/programme_new.html", {"error": error, "form": request.POST})


def raise_forbidden():
    raise PermissionDenied(_("只有领导小组办公室或住建局可以修改改造计划"))


@login_required
def board(request, pk):
    programme = get_programme_for_user(request.user, pk)
    q = request.GET.get("q", "").strip()[:64]
    data = selectors.board(request.user, programme, q=q)
    runs = selectors.runs(programme)
    ctx = {
        "programme": programme,
        "columns": data["columns"],
        "batches": data["batches"],
        "runs": runs,
        "active_run": next((r for r in runs if r.active), None),
        "last_run": next((r for r in runs if r.status == "done"), None),
        "can_plan": _can_plan(request.user, programme),
        "q": q,
        "sources": FundingSource.choices,
    }
    if request.htmx and request.GET.get("fragment") == "columns":
        return render(request, "programme/partials/_columns.html", ctx)
    return render(request, "programme/board.html", ctx)


@login_required
@require_POST
def batch_new(request, pk):
    programme = get_programme_for_user(request.user, pk, action="programme.edit")
    P = request.POST
    budget = {
        s: P.get(f"budget_{s}") for s in FundingSource.values if P.get(f"budget_{s}", "").strip()
    }
    try:
        b = services.batch_create(
            actor=request.user,
            programme=programme,
            name=P.get("name", ""),
            starts_on=P.get("starts_on", ""),
            ends_on=P.get("ends_on", ""),
            area_target_m2=P.get("area_target_m2"),
            households_target=P.get("households_target"),
            budget=budget,
            extension_cap_share=P.get("extension_cap_share"),
            weight=P.get("weight"),
        )
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("已添加批次“%(n)s”") % {"n": b.name})
    return redirect("programme:board", programme.pk)


@login_required
@require_POST
def fill(request, pk):
    programme = get_programme_for_user(request.user, pk, action="programme.edit")
    got = services.programme_fill(actor=request.user, programme=programme)
    messages.success(
        request,
        _("已从储备库纳入 %(a)s 个小区，更新 %(r)s 个小区的费用和得分")
        % {"a": got["added"], "r": got["refreshed"]},
    )
    return redirect("programme:board", programme.pk)


@login_required
@require_POST
def entry_lock(request, pk, entry_pk):
    programme = get_programme_for_user(request.user, pk)
    entry = get_entry_for_user(request.user, programme, entry_pk, action="programme.plan")
    services.entry_lock(actor=request.user, entry=entry, locked=request.POST.get("locked") == "1")
    if request.POST.get("from") == "entry":
        return redirect("programme:entry", programme.pk, entry.pk)
    return redirect("programme:board", programme.pk)


@login_required
@require_POST
def entry_move(request, pk, entry_pk):
    programme = get_programme_for_user(request.user, pk)
    entry = get_entry_for_user(request.user, programme, entry_pk, action="programme.plan")
    raw = request.POST.get("batch", "")
    batch = get_batch_for_user(request.user, programme, raw) if raw else None
    services.entry_move(actor=request.user, entry=entry, batch=batch)
    messages.success(
        request,
        _("已将“%(c)s”移至%(b)s并锁定")
        % {"c": entry.compound.name, "b": batch.name if batch else _("未入选")},
    )
    return redirect("programme:board", programme.pk)


@login_required
def entry_detail(request, pk, entry_pk):
    programme = get_programme_for_user(request.user, pk)
    entry = get_entry_for_user(request.user, programme, entry_pk)
    return render(
        request,
        "programme/entry_detail.html",
        {
            "programme": programme,
            "entry": entry,
            "parts": selectors.score_rows(entry),
            "batches": selectors.batches(programme),
            "can_plan": _can_plan(request.user, programme),
        },
    )


@login_required
@require_POST
def run_start(request, pk):
    programme = get_programme_for_user(request.user, pk, action="programme.plan")
    try:
        run = services.run_create(
            actor=request.user, programme=programme, time_limit=request.POST.get("time_limit") or 10
        )
    except DomainError as e:
        messages.error(request, e.message)
        return redirect("programme:board", programme.pk)
    runner.launch(run, request.user)
    return redirect("programme:board", programme.pk)


@login_required
def run_status(request, pk, run_pk):
    programme = get_programme_for_user(request.user, pk)
    run = get_run_for_user(request.user, programme, run_pk)
    return render(
        request,
        "programme/partials/_run.html",
        {"programme": programme, "run": run, "can_plan": _can_plan(request.user, programme)},
    )


@login_required
@require_POST
def run_cancel(request, pk, run_pk):
    programme = get_programme_for_user(request.user, pk)
    run = get_run_for_user(request.user, programme, run_pk, action="programme.plan")
    try:
        services.run_cancel(actor=request.user, run=run)
    except DomainError as e:
        messages.error(request, e.message)
    if request.htmx:
        return render(
            request,
            "programme/partials/_run.html",
            {"programme": programme, "run": run, "can_plan": True},
        )
    return redirect("programme:board", programme.pk)


@login_required
def run_compare(request, pk):
    programme = get_programme_for_user(request.user, pk)
    a = get_run_for_user(request.user, programme, request.GET.get("a"))
    b = get_run_for_user(request.user, programme, request.GET.get("b"))
    return render(
        request,
        "programme/compare.html",
        {"programme": programme, "a": a, "b": b, "cmp": selectors.compare_runs(request.user, a, b)},
    )
