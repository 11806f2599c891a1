"""Reads that join apps for the resident portal: the compound's current plan
and its eligibility verdict, in the resident's words. They sit in site (the
top layer) so that consultation imports neither eligibility nor plans."""

from django.utils.translation import gettext as _

from gaizao.eligibility import rules as er
from gaizao.eligibility.selectors import verdict_for_compound
from gaizao.plans.selectors import current_plan_for_compound


def plan_summary(compound) -> dict | None:
    """The compound's current plan (一院一策), if the plans app has one: status
    and cost. None when there is no plan."""
    plan = current_plan_for_compound(compound)
    if plan is None:
        return None
    status = plan.status
    label = plan.get_status_display()
    progress = {
        "draft": _("改造方案正在编制中,尚未开工。"),
        "consulted": _("改造方案已征求居民意见,等待审批,尚未开工。"),
        "approved": _("改造方案已审批。施工进度将在开工后在此公布。"),
    }.get(status) or _("改造方案办理中。")
    return {
        "plan": plan,
        "status": status,
        "status_label": label,
        "total_cost": plan.total_cost,
        "version": plan.version,
        "progress": progress,
    }


def verdict_summary(compound) -> dict | None:
    """The compound's eligibility verdict for the portal: label (符合改造范围 /
    待核实 / 不符合) in the reader's language, a one-line summary of the
    deciding reasons and when it was evaluated. From the eligibility contract
    `selectors.verdict_for_compound` (stored verdict, else evaluated on the
    fly); None when there is none."""
    v = verdict_for_compound(compound)
    if not v or v.get("verdict") not in er.VERDICT_LABELS:
        return None
    code = v["verdict"]
    return {
        "verdict": code,
        "label": _(er.VERDICT_LABELS[code]),
        "summary": _reason_line(code, v.get("reasons") or []),
        "evaluated_at": v.get("evaluated_at"),
        "policy": v.get("policy"),
    }


def _reason_line(code: str, reasons: list) -> str:
    """One line for residents: the reasons that decided the verdict (failed
    ones for 不符合, undecided ones for 待核实, the met ones for 符合), at most
    three. Reasons are recorded zh-Hans text (docs/i18n.md), shown as stored."""
    want = {"ineligible": False, "review": None, "eligible": True}.get(code)
    texts = []
    for r in reasons:
        if isinstance(r, dict):
            passed, text = r.get("passed"), r.get("detail") or r.get("label") or ""
        else:
            passed = getattr(r, "passed", None)
            text = getattr(r, "detail", "") or getattr(r, "label", "")
        if passed is want and text and text not in texts:
            texts.append(str(text))
    if not texts:
        return ""
    line = "；".join(texts[:3])
    return line + ("等" if len(texts) > 3 else "")
