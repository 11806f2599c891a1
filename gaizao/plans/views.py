"""Plan pages (一院一策): list, a compound's plan, plan detail with htmx item
editing, funding, workflow, versions and diff, the printable notice and the
.xlsx bill. Thin: authorise, call the service, render."""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gaizao.catalogue.models import Tier
from gaizao.core import pagecache
from gaizao.core.errors import DomainError
from gaizao.core.xlsx import xlsx_response
from gaizao.inventory.permissions import get_compound_for_user
from gaizao.stewardship import selectors as stewardship_selectors
from gaizao.stewardship.permissions import can_do as stewardship_can

from . import selectors, services, views_votes
from .funding import SOURCE_LABELS, TIER_LABELS
from .models import FundingSource, ItemSource, Plan, PlanStatus
from .permissions import can_do, get_plan_for_user, require


def plan_context(plan: Plan, user, *, error: str = "") -> dict:
    plan = selectors.plan_with_items(plan.pk)
    items = list(plan.items.all())
    summary = services.plan_cost_summary(plan, items)
    groups = []
    for tier, total in summary.by_tier.items():
        groups.append(
            {
                "tier": tier,
                "label": _(TIER_LABELS.get(tier, tier)),
                "total": total,
                "items": [i for i in items if i.tier == tier],
            }
        )
    # 区级财政 last: it is the remainder after every other source.
    lines = sorted(
        plan.funding_lines.all(),
        key=lambda f: (f.source == FundingSource.DISTRICT, FundingSource.values.index(f.source)),
    )
    funding_sum = sum((f.amount for f in lines), Decimal("0.00"))
    compounds = selectors.plan_compounds(plan)
    arrangements = stewardship_selectors.arrangements_by_compound(compounds)
    editable = plan.editable and can_do(user, "plan.edit")
    present = {i.code for i in items}
    return {
        "plan": plan,
        "items": items,
        "groups": groups,
        "summary": summary,
        "funding_lines": [
            {
                "line": f,
                "label": _(SOURCE_LABELS.get(f.source, f.source)),
                "share": (f.amount * 100 / funding_sum) if funding_sum else None,
            }
            for f in lines
        ],
        "funding_sum": funding_sum,
        "funding_ok": funding_sum == summary.total,
        "compounds": [{"compound": c, "arrangement": arrangements.get(c.pk)} for c in compounds],
        "floor_area": sum((c.floor_area or 0 for c in compounds), Decimal(0)),
        "households": sum((c.households or 0 for c in compounds), 0),
        "editable": editable,
        "can_consult": plan.status == PlanStatus.DRAFT and can_do(user, "plan.consult"),
        "can_approve": plan.status == PlanStatus.CONSULTED and can_do(user, "plan.approve"),
        "can_revise": plan.status == PlanStatus.APPROVED and can_do(user, "plan.revise"),
        "can_arrange": stewardship_can(user, "arrangement.edit"),
        "blockers": services.approval_blockers(plan) if plan.status == PlanStatus.CONSULTED else [],
        "catalogue": [c for c in selectors.catalogue_for_plan(plan) if c.code not in present]
        if editable
        else [],
        "error": error,
        **views_votes.vote_context(plan, user),
        "tier_labels": {k: _(v) for k, v in TIER_LABELS.items()},
        "item_sources": ItemSource.choices,
    }


def _body(
    request, plan: Plan, *, error: str = "", notice: str = "", moved_from: Plan | None = None
):
    """The htmx fragment after a change: items, costs and funding together.
    If the change made a new version, the browser goes to it."""
    if moved_from is not None and plan.pk != moved_from.pk:
        if notice:
            messages.warning(request, notice)  # shown on the new version's page
        resp = HttpResponse(status=204)
        resp["HX-Redirect"] = reverse("plans:plan_detail", args=[plan.pk])
        return resp
    ctx = plan_context(plan, request.user, error=error)
    ctx["notice"] = notice
    return render(request, "plans/partials/_plan_body.html", ctx)


def _reset_notice(plan: Plan) -> str:
    """Hand-set funding replaced by the rules' split (区级财政 would have gone
    negative): say so rather than drop the user's lines silently."""
    if not plan.funding_reset:
        return ""
    return _("调整后区级财政将为负数,手工调整的资金分摊已按规则重新计算,请核对资金来源")


def _after(request, plan: Plan, message: str = "", *, moved_from: Plan | None = None):
    notice = _reset_notice(plan)
    if request.htmx:
        return _body(request, plan, notice=notice, moved_from=moved_from)
    if message:
        messages.success(request, message)
    if notice:
        messages.warning(request, notice)
    return redirect("plans:plan_detail", plan.pk)


def _failed(request, plan: Plan, e: DomainError):
    if request.htmx:
        return _body(request, plan, error=e.message)
    messages.error(request, e.message)
    return redirect("plans:plan_detail", plan.pk)


# ---- lists ---------------------------------------------------------------------


@login_required
def plan_list(request):
    qs = selectors.current_plans_for_user(request.user)
    status = request.GET.get("status", "")
    if status in PlanStatus.values:
        qs = qs.filter(status=status)
    if request.GET.get("format") == "xlsx":
        require(request.user, "plan.tools")
        rows = [
            (
                p.subject_name,
                _("片区") if p.cluster_id else _("小区"),
                (p.compound.street.name if p.compound_id else p.cluster.area.name),
                p.version,
                p.get_status_display(),
                p.total_cost,
                p.updated_at.astimezone().strftime("%Y-%m-%d"),
            )
            for p in qs
        ]
        return xlsx_response(
            f"改造方案_{timezone.localdate():%Y%m%d}.xlsx",
            _("改造方案"),
            [
                _("小区/片区"),
                _("类型"),
                _("街道/辖区"),
                _("版本"),
                _("状态"),
                _("总造价(元)"),
                _("更新日期"),
            ],
            rows,
        )

    def build():
        return "plans/partials/_plan_list_body.html", {
            "page": Paginator(qs, 50).get_page(request.GET.get("page")),
            "status": status,
            "statuses": PlanStatus.choices,
            "can_cluster": can_do(request.user, "cluster.edit"),
            "staff_tools": can_do(request.user, "plan.tools"),
        }

    # The body is cached per user, query and data version (core.pagecache).
    body = pagecache.cached_body(request, "plans", build)
    return render(request, "plans/plan_list.html", {"body": body})


@login_required
def compound_plan(request, compound_pk):
    compound = get_compound_for_user(request.user, compound_pk)
    if request.method == "POST":
        require(request.user, "plan.draft")
        try:
            plan = services.plan_draft_from_survey(actor=request.user, compound=compound)
        except DomainError as e:
            messages.error(request, e.message)
            return redirect("plans:compound_plan", compound.pk)
        messages.success(
            request,
            _("已根据摸底调查生成方案草稿,共 %(count)s 项基础类改造内容")
            % {"count": plan.items.count()},
        )
        return redirect("plans:plan_detail", plan.pk)
    cluster = selectors.cluster_of(compound)
    if cluster is not None:
        cplan = selectors.current_plan_for_cluster(cluster)
        if cplan is not None:
            return redirect("plans:plan_detail", cplan.pk)
        return redirect("plans:cluster_detail", cluster.pk)
    plan = selectors.current_plan_for_compound(compound)
    if plan is not None:
        return redirect("plans:plan_detail", plan.pk)
    return render(
        request,
        "plans/compound_plan.html",
        {
            "compound": compound,
            "survey": selectors.latest_survey(compound),
            "can_draft": can_do(request.user, "plan.draft"),
        },
    )


# ---- one plan ----------------------------------------------------------------------


@login_required
def plan_detail(request, pk):
    plan = get_plan_for_user(request.user, pk)
    ctx = plan_context(plan, request.user)
    ctx["versions"] = list(selectors.plan_versions(plan))
    ctx["suggestions"] = services.plan_suggestions(plan) if ctx["editable"] else []
    ctx["menu"] = (
        selectors.menu_results(plan.compound_id) if plan.compound_id and ctx["editable"] else []
    )
    return render(request, "plans/plan_detail.html", ctx)


@login_required
@require_POST
def item_update(request, pk, item_pk):
    plan = get_plan_for_user(request.user, pk, action="plan.edit")
    try:
        new_plan, _unused = services.plan_item_set(
            actor=request.user,
            plan=plan,
            item_id=item_pk,
            quantity=request.POST.get("quantity"),
            note=request.POST.get("note"),
        )
    except DomainError as e:
        return _failed(request, plan, e)
    return _after(request, new_plan, _("已修改工程量"), moved_from=plan)


@login_required
@require_POST
def item_add(request, pk):
    plan = get_plan_for_user(request.user, pk, action="plan.edit")
    source = request.POST.get("source") or ItemSource.STAFF
    try:
        new_plan, item = services.plan_item_add(
            actor=request.user,
            plan=plan,
            code=request.POST.get("code", ""),
            quantity=request.POST.get("quantity"),
            item_source=source,
            note=request.POST.get("note", ""),
            estimate=request.POST.get("estimate", ""),
        )
    except DomainError as e:
        return _failed(request, plan, e)
    return _after(request, new_plan, _("已加入“%(name)s”") % {"name": item.name}, moved_from=plan)


@login_required
@require_POST
def item_remove(request, pk, item_pk):
    plan = get_plan_for_user(request.user, pk, action="plan.edit")
    try:
        new_plan = services.plan_item_remove(actor=request.user, plan=plan, item_id=item_pk)
    except DomainError as e:
        return _failed(request, plan, e)
    return _after(request, new_plan, _("已移除该项目"), moved_from=plan)


@login_required
@require_POST
def menu_import(request, pk):
    plan = get_plan_for_user(request.user, pk, action="plan.edit")
    if not plan.compound_id:
        raise Http404
    result = services.plan_add_menu_results(
        actor=request.user, plan=plan, results=selectors.menu_results(plan.compound_id)
    )
    plan = selectors.current_plan_for_compound(plan.compound) or plan
    for level, text in menu_import_messages(result):
        messages.add_message(request, level, text)
    return redirect("plans:plan_detail", plan.pk)


def _shares(rows, limit: int = 8) -> str:
    parts = [
        _("%(name)s %(share)s%%")
        % {"name": r["name"], "share": floatformat((r["share"] or 0) * 100, 0)}
        for r in rows[:limit]
    ]
    if len(rows) > limit:
        parts.append(_("等 %(n)s 项") % {"n": len(rows)})
    return _("、").join(parts)


def menu_import_messages(result) -> list[tuple[int, str]]:
    """One line for what was added and one per reason something was not,
    naming the ≥ 50 % rule and each item's share of households."""
    out = []
    if result.added:
        out.append(
            (
                messages.SUCCESS,
                _("已加入居民点单项目 %(n)s 项:%(items)s")
                % {"n": len(result.added), "items": _shares(result.added)},
            )
        )
    if result.below:
        out.append(
            (
                messages.WARNING if not result.added else messages.INFO,
                _(
                    "%(n)s 项未加入:只有选择户数达到全部户数 %(t)s%% 及以上的项目才加入方案。"
                    "各项选择比例:%(items)s"
                )
                % {
                    "n": len(result.below),
                    "t": result.threshold_percent,
                    "items": _shares(result.below),
                },
            )
        )
    if result.present:
        out.append(
            (
                messages.INFO,
                _("%(n)s 项已在方案中,未重复加入") % {"n": len(result.present)},
            )
        )
    for r in result.refused:
        out.append((messages.WARNING, _("%(name)s 未加入:%(reason)s") % r))
    if not out:
        out.append((messages.INFO, _("居民点单没有可加入的项目")))
    return out


@login_required
def funding_edit(request, pk):
    plan = get_plan_for_user(request.user, pk, action="plan.edit")
    ctx = plan_context(plan, request.user)
    current = {fl["line"].source: fl["line"].amount for fl in ctx["funding_lines"]}
    values = {s: current.get(s, "") for s in FundingSource.values}
    error = ""
    if request.method == "POST":
        values = {s: request.POST.get(s, "").strip() for s in FundingSource.values}
        try:
            new_plan = services.plan_funding_set(actor=request.user, plan=plan, amounts=values)
        except DomainError as e:
            error = e.message
        else:
            messages.success(request, _("资金来源已保存"))
            return redirect("plans:plan_detail", new_plan.pk)
    ctx.update(
        {
            "rows": [(s, _(SOURCE_LABELS[s]), values[s]) for s in FundingSource.values],
            "form_error": error,
        }
    )
    return render(request, "plans/funding_edit.html", ctx, status=400 if error else 200)


@login_required
@require_POST
def funding_recompute(request, pk):
    plan = get_plan_for_user(request.user, pk, action="plan.edit")
    try:
        new_plan = services.plan_funding_recompute(actor=request.user, plan=plan)
    except DomainError as e:
        return _failed(request, plan, e)
    return _after(request, new_plan, _("已按资金筹措规则重新测算"), moved_from=plan)


@login_required
@require_POST
def plan_update(request, pk):
    plan = get_plan_for_user(request.user, pk, action="plan.edit")
    try:
        new_plan = services.plan_update(
            actor=request.user,
            plan=plan,
            notes=request.POST.get("notes"),
            maintenance_fund_balance=request.POST.get("maintenance_fund_balance"),
        )
    except DomainError as e:
        return _failed(request, plan, e)
    return _after(request, new_plan, _("已保存"), moved_from=plan)


ACTIONS = {
    "consult": ("plan.consult", services.plan_mark_consulted, gettext_lazy("已登记为“居民已征询”")),
    "approve": ("plan.approve", services.plan_approve, gettext_lazy("方案已审批")),
    "revise": (
        "plan.revise",
        services.plan_revise,
        gettext_lazy("已生成新版本草稿,原方案已标记为被替代"),
    ),
}


@login_required
@require_POST
def plan_action(request, pk, action):
    if action not in ACTIONS:
        raise Http404
    rule, fn, message = ACTIONS[action]
    plan = get_plan_for_user(request.user, pk, action=rule)
    try:
        result = fn(actor=request.user, plan=plan)
    except DomainError as e:
        messages.error(request, e.message)
        return redirect("plans:plan_detail", plan.pk)
    messages.success(request, message)
    return redirect("plans:plan_detail", result.pk)


TIERS_CHOICES = Tier.choices
