"""Slide-back alerts (长效管理预警) for handed-over compounds. Here, not in
stewardship: the alert joins works (which compounds were renovated and
handed over) with stewardship's records, and stewardship may not import
works. Rules:
- rating drop: the latest quarterly score fell by DROP points or more, or is
  below FLOOR;
- lapsed management: no arrangement any more, or no rules adopted (管理规约)
  a year after the handover;
- repairs left open: maintenance orders open for more than OPEN_DAYS.
Residents' unanswered feedback is counted by the feedback app (above works)."""

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from gaizao.stewardship.models import MaintenanceOrder, ManagementArrangement, Rating

from .models import Handover
from .permissions import works_q

DROP = 15
FLOOR = 60
OPEN_DAYS = 30


@dataclass
class Alert:
    compound: object
    works_id: int
    reasons: list


def slide_back_alerts(user, *, today=None) -> list[Alert]:
    today = today or timezone.localdate()
    handovers = list(
        Handover.objects.filter(works_q(user, "works__"))
        .select_related("works__compound__street")
        .filter(works__compound__isnull=False)[:2000]
    )
    cids = [h.works.compound_id for h in handovers]
    ratings: dict[int, list] = {}
    for r in Rating.objects.filter(compound_id__in=cids).order_by("year", "quarter"):
        ratings.setdefault(r.compound_id, []).append(r.score)
    arrangements = {
        a.compound_id: a for a in ManagementArrangement.objects.filter(compound_id__in=cids)
    }
    cutoff = timezone.now() - timedelta(days=OPEN_DAYS)
    open_orders: dict[int, int] = {}
    for cid in MaintenanceOrder.objects.filter(
        compound_id__in=cids, status="open", created_at__lt=cutoff
    ).values_list("compound_id", flat=True):
        open_orders[cid] = open_orders.get(cid, 0) + 1
    out = []
    for h in handovers:
        cid = h.works.compound_id
        reasons = []
        scores = ratings.get(cid, [])
        if len(scores) >= 2 and scores[-2] - scores[-1] >= DROP:
            reasons.append(
                _("季度考评由 %(a)s 分降至 %(b)s 分") % {"a": scores[-2], "b": scores[-1]}
            )
        elif scores and scores[-1] < FLOOR:
            reasons.append(_("季度考评仅 %(b)s 分") % {"b": scores[-1]})
        a = arrangements.get(cid)
        if a is None:
            reasons.append(_("长效管理安排已失效"))
        elif not a.rules_adopted and (today - h.handed_over_on).days > 365:
            reasons.append(_("移交满一年仍未制定管理规约"))
        if open_orders.get(cid):
            reasons.append(
                _("%(n)s 个维修工单超过 %(d)s 天未完成") % {"n": open_orders[cid], "d": OPEN_DAYS}
            )
        if reasons:
            out.append(Alert(compound=h.works.compound, works_id=h.works_id, reasons=reasons))
    return out
