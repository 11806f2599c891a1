"""The owners' decisions a plan version rests on (民法典第二百七十八条), read
from consultation: reusing the previous version's vote within the
jurisdiction's tolerance, and the items that change the use of common parts
(item 8). Reads only; the gates that use them are in selectors.py and
services/workflow.py."""

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from gaizao.catalogue.common_use import COMMON_USE_CODES
from gaizao.consultation import selectors as consultation_selectors

from .funding import fmt
from .models import Plan, PlanVoteReuse

ART_278_RENOVATION = 7  # 改建、重建建筑物及其附属设施
ART_278_USE_FUND = 5  # 使用建筑物及其附属设施的维修资金
ART_278_RAISE_FUND = 6  # 筹集建筑物及其附属设施的维修资金
ART_278_COMMON_USE = 8  # 改变共有部分的用途或者利用共有部分从事经营活动


def common_use_items(items) -> list:
    """The plan items that change the use of common parts (catalogue marks)."""
    return [i for i in items if i.code in COMMON_USE_CODES]


def voted_cost(vote) -> Decimal | None:
    raw = (vote.proposal or {}).get("total_cost_raw") or (vote.proposal or {}).get("total_cost")
    try:
        return Decimal(str(raw).replace(",", ""))
    except (InvalidOperation, TypeError, ValueError):
        return None


def _voted_items(vote) -> set[str]:
    return {i.get("code") or i.get("name") for i in (vote.proposal or {}).get("items", []) if i} | {
        i.get("name") for i in (vote.proposal or {}).get("items", []) if i
    }


def previous_vote(plan: Plan):
    """The standing vote on an earlier version of this compound's plan."""
    if not plan.compound_id:
        return None
    return (
        consultation_selectors.standing_plan_votes(plan.compound_id, ART_278_RENOVATION)
        .filter(plan_version__lt=plan.version)
        .first()
    )


def reuse_problems(plan: Plan, vote, items=None) -> list[str]:
    """Why this version may NOT rest on `vote` (empty: within tolerance)."""
    if vote is None:
        return [_("没有可沿用的已通过业主表决(须为上一版方案的表决,已公示且未被撤销)")]
    tolerance = consultation_selectors.vote_rules_for(plan.compound).plan_cost_tolerance
    if not tolerance:
        return [_("本辖区未设定沿用表决的造价增幅上限,新版本方案须重新表决")]
    out = []
    voted = voted_cost(vote)
    if voted is None:
        out.append(_("原表决未记录方案总造价,不能沿用"))
    elif plan.total_cost > voted * (1 + tolerance):
        out.append(
            _("总造价 %(cost)s 元比表决时的 %(voted)s 元增加超过 %(pct)s%%,须重新表决")
            % {"cost": fmt(plan.total_cost), "voted": fmt(voted), "pct": fmt(tolerance * 100)}
        )
    known = _voted_items(vote)
    items = list(plan.items.all()) if items is None else items
    new = [i.name for i in items if i.code not in known and i.name not in known]
    if new:
        out.append(_("新增了表决时没有的项目(%(names)s),须重新表决") % {"names": "、".join(new)})
    return out


def plan_vote_reuse(plan: Plan) -> PlanVoteReuse | None:
    return PlanVoteReuse.objects.filter(plan=plan).select_related("vote", "confirmed_by").first()


def plans_reusing_vote(vote_id: int):
    return Plan.objects.filter(vote_reuse__vote_id=vote_id)
