"""works pages: thin views over selectors and services."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gaizao.core import pagecache
from gaizao.core.errors import DomainError
from gaizao.core.xlsx import xlsx_response
from gaizao.plans.models import FundingSource, PlanStatus
from gaizao.plans.permissions import get_plan_for_user
from gaizao.plans.selectors import current_plans_for_user
from gaizao.regions import picking as org_picking
from gaizao.regions.models import Organisation

from .. import permissions as perms
from .. import selectors
from ..models import STAGE_ORDER, CostKind, PhotoPhase, Stage, Works
from ..organisation.selectors import nameable_organisations
from ..services import works_create


@login_required
def works_list(request):
    stage = request.GET.get("stage", "")
    late = request.GET.get("late") == "1"
    qs = selectors.works_list(request.user, stage=stage, late=late)
    if request.GET.get("format") == "xlsx":
        rows = (
            [
                w.pk,
                w.name,
                w.compound.street.name if w.compound_id else "",
                w.get_stage_display(),
                w.contractor.name if w.contractor_id else "",
                w.contract_amount,
                w.final_account_on or "",
            ]
            for w in qs[:20000]
        )
        return xlsx_response(
            "works.xlsx",
            _("施工项目"),
            [
                _("编号"),
                _("项目名称"),
                _("街道"),
                _("当前阶段"),
                _("施工单位"),
                _("合同金额(元)"),
                _("结算日期"),
            ],
            rows,
        )

    def build():
        page = Paginator(qs, 50).get_page(request.GET.get("page"))
        ready = []
        if perms.can_do(request.user, "works.create"):
            # NOT EXISTS, not a LEFT JOIN … IS NULL: the newest approved plans
            # are walked down the plan list's index and the walk stops at 20
            # (the join made PostgreSQL anti-join every plan first: 0.2 s at
            # 44,000 plans).
            ready = list(
                current_plans_for_user(request.user)
                .filter(status=PlanStatus.APPROVED)
                .filter(~Exists(Works.objects.filter(plan=OuterRef("pk"))))
                .select_related("compound", "cluster")[:20]
            )
        return "works/partials/_works_list_body.html", {
            "page": page,
            "stages": Stage.choices,
            "stage": stage,
            "late": late,
            "ready": ready,
        }

    # The body is cached per user, query and data version (core.pagecache).
    body = pagecache.cached_body(request, "works.list", build)
    return render(request, "works/works_list.html", {"body": body})


K = Organisation.Kind
# The works' organisations: (label, the kinds that may fill the field).
_ORG_FIELDS = {
    "implementer": (gettext_lazy("实施单位"), [K.STREET_OFFICE, K.HOUSING_BUREAU]),
    "designer": (gettext_lazy("设计单位"), [K.DESIGNER]),
    "contractor": (gettext_lazy("施工单位"), [K.CONTRACTOR]),
    "supervisor": (gettext_lazy("监理单位"), [K.DESIGNER]),
}


@login_required
def works_new(request, plan_pk):
    plan = get_plan_for_user(request.user, plan_pk)
    if not perms.can_do(request.user, "works.create"):
        raise PermissionDenied(_("您的角色无权建立施工项目"))
    error = ""
    if request.method == "POST":
        try:
            # Typed with suggestions (works:org_suggest), looked up among the
            # organisations the user may name (regions.picking), never a list.
            nameable = nameable_organisations(request.user)
            orgs = {
                f: org_picking.pick(
                    nameable.filter(kind__in=kinds), request.POST.get(f), str(label)
                )
                for f, (label, kinds) in _ORG_FIELDS.items()
            }
            w = works_create(
                actor=request.user,
                plan=plan,
                planned={s: request.POST.get(f"planned_{s}") for s in STAGE_ORDER},
                **orgs,
            )
        except DomainError as e:
            error = e.message
        else:
            return redirect("works:works_detail", w.pk)
    return render(
        request,
        "works/works_new.html",
        {
            "plan": plan,
            "stages": Stage.choices,
            "org_fields": [
                (f, label, kinds, (request.POST.get(f, "") if request.method == "POST" else ""))
                for f, (label, kinds) in _ORG_FIELDS.items()
            ],
            "error": error,
            "post": request.POST if request.method == "POST" else None,
        },
        status=400 if error else 200,
    )


@login_required
def works_detail(request, pk):
    w = perms.get_works_for_user(request.user, pk)
    roll = selectors.works_rollup(w)
    return render(
        request,
        "works/works_detail.html",
        {
            "w": w,
            "milestones": selectors.milestones_of(w),
            "roll": roll,
            "flags": roll.flags,
            "percent": selectors.overall_percent(w),
            "reports": w.reports.select_related("author").prefetch_related("lines__item", "photos")[
                :5
            ],
            "inspections": w.inspections.select_related("item")[:20],
            "changes": w.change_orders.select_related("item")[:20],
            "defects": w.defects.select_related("item")[:20],
            "items": w.items.all(),
            "can": perms.capabilities(request.user),
            "source_choices": FundingSource.choices,
            "cost_kinds": CostKind.choices,
        },
    )


@login_required
def works_report(request, pk):
    """The contractor's progress report, made for a phone on site."""
    w = perms.get_works_for_user(request.user, pk, action="works.report")
    return render(request, "works/works_report.html", {"w": w, "items": w.items.all()})


@login_required
def works_acceptance(request, pk):
    w = perms.get_works_for_user(request.user, pk)
    items = list(selectors.items_with_photos(w))
    for i in items:
        ph = list(i.photos.all())
        i.before = [p for p in ph if p.phase == PhotoPhase.BEFORE]
        i.after = [p for p in ph if p.phase == PhotoPhase.AFTER]
    ms = {m.stage: m for m in selectors.milestones_of(w)}
    return render(
        request,
        "works/works_acceptance.html",
        {
            "w": w,
            "items": items,
            "ms": ms,
            "signoffs": w.signoffs.all(),
            "handover": getattr(w, "handover", None),
            "can": perms.capabilities(request.user),
        },
    )
