"""POST-only actions from the works pages. Each authorises through the one
fetch, calls one service, and comes back to the page with the outcome
(a DomainError becomes the page's error message; nothing half-written)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gaizao.accounts.models import User
from gaizao.core.errors import DomainError
from gaizao.regions.models import Organisation

from .. import permissions as perms
from .. import services


def _back(request, w, default="works:works_detail"):
    nxt = request.POST.get("back", "")
    if nxt in ("works:works_acceptance", "works:works_report"):
        default = nxt
    return redirect(default, w.pk)


def _run(request, w, fn, ok: str):
    try:
        fn()
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, ok)
    return _back(request, w)


def _get(qs, pk):
    try:
        return qs.get(pk=pk)
    except (qs.model.DoesNotExist, ValueError, TypeError):
        raise Http404(_("记录不存在"))


@require_POST
@login_required
def milestone_done(request, pk, stage):
    w = perms.get_works_for_user(request.user, pk)
    p = request.POST
    return _run(
        request,
        w,
        lambda: services.milestone_done(actor=request.user, works=w, stage=stage, on=p.get("on")),
        _("已登记完成"),
    )


@require_POST
@login_required
def milestone_plan(request, pk, stage):
    w = perms.get_works_for_user(request.user, pk, action="works.edit")
    m = _get(w.milestones, w.milestones.filter(stage=stage).values_list("pk", flat=True).first())
    p = request.POST
    org = (
        Organisation.objects.filter(pk=p.get("org")).first() if p.get("org", "").isdigit() else None
    )
    person = (
        User.objects.filter(pk=p.get("person"), is_active=True).first()
        if p.get("person", "").isdigit()
        else None
    )
    return _run(
        request,
        w,
        lambda: services.milestone_plan(
            actor=request.user,
            milestone=m,
            planned_on=p.get("planned_on"),
            responsible_org=org,
            responsible_person=person,
        ),
        _("已保存计划日期与责任人"),
    )


@require_POST
@login_required
def report_submit(request, pk):
    w = perms.get_works_for_user(request.user, pk, action="works.report")
    p = request.POST
    percents = {k[len("pct_") :]: v for k, v in p.items() if k.startswith("pct_")}
    try:
        services.progress_report(
            actor=request.user,
            works=w,
            text=p.get("text", ""),
            percents=percents,
            photos=request.FILES.getlist("photos"),
        )
    except DomainError as e:
        messages.error(request, e.message)
        return redirect("works:works_report", w.pk)
    messages.success(request, _("进度报告已提交"))
    return redirect("works:works_report", w.pk)


@require_POST
@login_required
def cost_add(request, pk):
    w = perms.get_works_for_user(request.user, pk, action="works.cost")
    p = request.POST
    return _run(
        request,
        w,
        lambda: services.cost_record(
            actor=request.user,
            works=w,
            item_id=p.get("item"),
            source_key=p.get("source", ""),
            kind=p.get("kind", ""),
            amount=p.get("amount", ""),
            on=p.get("on"),
        ),
        _("已登记资金记录"),
    )


@require_POST
@login_required
def final_account(request, pk):
    w = perms.get_works_for_user(request.user, pk, action="works.edit")
    p = request.POST
    return _run(
        request,
        w,
        lambda: services.final_account_record(
            actor=request.user, works=w, on=p.get("on"), amount=p.get("amount", "")
        ),
        _("已登记结算"),
    )


@require_POST
@login_required
def inspection_add(request, pk):
    w = perms.get_works_for_user(request.user, pk, action="works.inspect")
    p = request.POST
    return _run(
        request,
        w,
        lambda: services.inspection_record(
            actor=request.user,
            works=w,
            on=p.get("on"),
            findings=p.get("findings", ""),
            rectify_by=p.get("rectify_by"),
            item_id=p.get("item"),
        ),
        _("已登记检查"),
    )


@require_POST
@login_required
def inspection_recheck(request, pk, ipk):
    w = perms.get_works_for_user(request.user, pk, action="works.inspect")
    i = _get(w.inspections, ipk)
    p = request.POST
    return _run(
        request,
        w,
        lambda: services.inspection_reinspect(
            actor=request.user,
            inspection=i,
            on=p.get("on"),
            passed=p.get("passed") == "1",
            note=p.get("note", ""),
        ),
        _("已登记复查"),
    )


@require_POST
@login_required
def change_add(request, pk):
    w = perms.get_works_for_user(request.user, pk, action="works.change.propose")
    p = request.POST
    return _run(
        request,
        w,
        lambda: services.change_order_propose(
            actor=request.user,
            works=w,
            reason=p.get("reason", ""),
            amount=p.get("amount", ""),
            item_id=p.get("item"),
        ),
        _("已提出设计变更"),
    )


@require_POST
@login_required
def change_decide(request, pk, cpk):
    w = perms.get_works_for_user(request.user, pk, action="works.change.approve")
    co = _get(w.change_orders, cpk)
    return _run(
        request,
        w,
        lambda: services.change_order_decide(
            actor=request.user, order=co, approve=request.POST.get("approve") == "1"
        ),
        _("已审批设计变更"),
    )


@require_POST
@login_required
def item_check(request, pk, item_pk):
    w = perms.get_works_for_user(request.user, pk, action="works.accept")
    item = _get(w.items, item_pk)
    p = request.POST
    return _run(
        request,
        w,
        lambda: services.item_accept(
            actor=request.user, item=item, passed=p.get("passed") == "1", note=p.get("note", "")
        ),
        _("已登记验收检查"),
    )


@require_POST
@login_required
def signoff_add(request, pk):
    w = perms.get_works_for_user(request.user, pk, action="works.accept")
    p = request.POST
    return _run(
        request,
        w,
        lambda: services.signoff_record(
            actor=request.user,
            works=w,
            representative=p.get("representative", ""),
            agrees=p.get("agrees") == "1",
            opinion=p.get("opinion", ""),
        ),
        _("已登记居民代表签字"),
    )


@require_POST
@login_required
def handover(request, pk):
    w = perms.get_works_for_user(request.user, pk, action="works.edit")
    return _run(
        request,
        w,
        lambda: services.handover_record(actor=request.user, works=w, on=request.POST.get("on")),
        _("已移交长效管理"),
    )


@require_POST
@login_required
def photo_add(request, pk):
    w = perms.get_works_for_user(request.user, pk, action="works.report")
    p = request.POST
    item = w.items.filter(pk=p.get("item")).first() if p.get("item", "").isdigit() else None
    return _run(
        request,
        w,
        lambda: services.photos_add(
            actor=request.user,
            works=w,
            photos=request.FILES.getlist("photos"),
            phase=p.get("phase", ""),
            item=item,
        ),
        _("照片已上传"),
    )


@require_POST
@login_required
def defect_add(request, pk):
    w = perms.get_works_for_user(request.user, pk, action="works.defect")
    p = request.POST
    try:
        services.defect_report(
            actor=request.user, works=w, item_id=p.get("item"), text=p.get("text", "")
        )
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("问题已报告,保修期内由施工单位负责维修"))
    nxt = p.get("next", "")
    if nxt == "portal":
        return redirect("consultation:portal")
    return _back(request, w)


@require_POST
@login_required
def defect_fixed(request, pk, dpk):
    w = perms.get_works_for_user(request.user, pk, action="works.defect.fix")
    d = _get(w.defects, dpk)
    return _run(
        request, w, lambda: services.defect_fix(actor=request.user, defect=d), _("已登记修复")
    )
