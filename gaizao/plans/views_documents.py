"""Plan documents: the diff between two versions, the printable notice
(公示版) and the .xlsx bill of quantities. Read-only; thin."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from .bill import bill_response
from .diff import ItemRow, diff_funding, diff_items
from .funding import SOURCE_LABELS
from .permissions import get_plan_for_user
from .views import plan_context


@login_required
def plan_diff(request, pk, other_pk):
    plan = get_plan_for_user(request.user, pk)
    other = get_plan_for_user(request.user, other_pk)
    if (plan.compound_id, plan.cluster_id) != (other.compound_id, other.cluster_id):
        raise Http404(_("两个方案不属于同一小区或片区"))
    old, new = sorted([plan, other], key=lambda p: p.version)

    def rows(p):
        return [
            ItemRow(i.code, i.name, i.unit, i.quantity, i.unit_cost, i.cost) for i in p.items.all()
        ]

    def funds(p):
        return {f.source: f.amount for f in p.funding_lines.all()}

    changes = diff_items(rows(old), rows(new))
    fchanges = [
        (_(SOURCE_LABELS.get(s, s)), a, b, b - a)
        for s, a, b in diff_funding(funds(old), funds(new))
    ]
    return render(
        request,
        "plans/plan_diff.html",
        {
            "old": old,
            "new": new,
            "changes": changes,
            "funding_changes": fchanges,
            "delta": new.total_cost - old.total_cost,
        },
    )


@login_required
def plan_print(request, pk):
    """公示版: no personal data — compound facts, items, money, management."""
    plan = get_plan_for_user(request.user, pk)
    ctx = plan_context(plan, request.user)
    ctx["today"] = timezone.localdate()
    return render(request, "plans/plan_print.html", ctx)


@login_required
def plan_xlsx(request, pk):
    plan = get_plan_for_user(request.user, pk)
    ctx = plan_context(plan, request.user)
    rows = []
    n = 0
    for g in ctx["groups"]:
        for i in g["items"]:
            n += 1
            rows.append(
                (
                    n,
                    g["label"],
                    i.code,
                    i.name,
                    i.unit,
                    i.quantity,
                    i.unit_cost,
                    i.cost,
                    i.get_source_display(),
                    i.estimate,
                    i.note,
                )
            )
        rows.append(
            (
                "",
                _("%(label)s小计") % {"label": g["label"]},
                "",
                "",
                "",
                "",
                "",
                g["total"],
                "",
                "",
                "",
            )
        )
    rows.append(("", _("合计"), "", "", "", "", "", ctx["summary"].total, "", "", ""))
    rows.append(())
    for f in ctx["funding_lines"]:
        rows.append(
            (
                "",
                _("资金来源"),
                "",
                f["label"],
                "",
                "",
                "",
                f["line"].amount,
                "",
                f["line"].basis,
                "",
            )
        )
    name = _("%(subject_name)s_改造方案_第%(version)s版_工程量清单.xlsx") % {
        "subject_name": plan.subject_name,
        "version": plan.version,
    }
    compounds = "、".join(row["compound"].name for row in ctx["compounds"])
    return bill_response(
        name,
        sheet_title=_("工程量清单"),
        title=_("%(subject_name)s 改造方案工程量清单") % {"subject_name": plan.subject_name},
        meta=[
            (_("小区"), compounds or plan.subject_name),
            (_("方案版本"), _("第%(version)s版") % {"version": plan.version}),
            (_("状态"), plan.get_status_display()),
            (_("日期"), timezone.localdate().isoformat()),
        ],
        headers=[
            _("序号"),
            _("类别"),
            _("编码"),
            _("改造内容"),
            _("单位"),
            _("工程量"),
            _("单价(元)"),
            _("金额(元)"),
            _("来源"),
            _("工程量估算说明"),
            _("备注"),
        ],
        rows=rows,
    )
