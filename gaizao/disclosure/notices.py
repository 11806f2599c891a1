"""Printable notices (公示) as A4 PDF: the plan, the vote result and the
acceptance of one compound, each with the notice period (start and end
dates) and a contact for objections. Built ONLY from the compound's public
card (public.card: whitelisted public fields, no person) and the plan's item
list (catalogue items and quantities); rendered by WeasyPrint (no browser;
Chinese text in Noto CJK, Debian fonts-noto-cjk)."""

from datetime import date

from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _
from weasyprint import HTML

from gaizao.plans.models import PlanItem

from . import public

KINDS = {
    "plan": _("改造方案公示"),
    "vote": _("业主表决结果公示"),
    "acceptance": _("竣工验收公示"),
}


class NoticeError(ValueError):
    pass


def context(pk: int, kind: str, *, start: date, end: date, contact: str) -> dict:
    if kind not in KINDS:
        raise NoticeError(_("没有这种公示"))
    if end < start:
        raise NoticeError(_("公示结束日期早于开始日期"))
    c = public.card(pk)
    if c is None:
        raise NoticeError(_("没有这个小区"))
    if kind == "plan" and not c["plan_status"]:
        raise NoticeError(_("该小区尚未编制改造方案"))
    if kind == "vote" and not c["vote_passed"]:
        raise NoticeError(_("该小区尚无公示的表决结果"))
    accepted = None
    if kind == "acceptance":
        ms = (c.get("works") or {}).get("milestones", [])
        accepted = next((m for m in ms if m["key"] == "acceptance" and m["actual_on"]), None)
        if accepted is None:
            raise NoticeError(_("该小区尚未通过竣工验收"))
    items = []
    if kind in ("plan", "acceptance") and c.get("plan_id"):
        items = list(
            PlanItem.objects.filter(plan_id=c["plan_id"])
            .order_by("code")
            .values("name", "unit", "quantity")
        )
    return {
        "c": c,
        "kind": kind,
        "title": KINDS[kind],
        "start": start,
        "end": end,
        "contact": contact,
        "items": items,
        "accepted": accepted,
    }


def pdf_bytes(ctx: dict) -> bytes:
    html = render_to_string("disclosure/notice_pdf.html", ctx)
    return HTML(string=html).write_pdf()
