"""Demo management arrangements for about half the compounds. The steps that
follow them and belong to apps above stewardship — the owners' vote and the
approval of the consulted plans that now meet every condition (以管定建), then
the residents' satisfaction — are callables handed in, so stewardship imports
nothing above it: `seed(ctx, approve_plans=…, judge_results=…)`, or, when the
demo runs the apps in INSTALLED_APPS order, the callables plans and
consultation put in ctx.shared."""

from datetime import date
from decimal import Decimal

from gaizao.inventory.models import Compound

from .models import ManagementArrangement, ManagementModel


def seed(ctx, *, planned_compounds=None, approve_plans=None, judge_results=None):
    """planned_compounds() -> set of compound ids with a current plan
    (plans.demo.planned_compounds); approve_plans(ctx, managed) -> int: the owners' vote and the approvals
    for the managed compounds (plans.demo.approve_consulted_plans);
    judge_results(ctx): residents judge finished renovations (the feedback
    demo's seed_satisfaction)."""
    planned_compounds = planned_compounds or ctx.shared.get("planned_compounds")
    approve_plans = approve_plans or ctx.shared.get("approve_consulted_plans")
    judge_results = judge_results or ctx.shared.get("seed_satisfaction")
    rng = ctx.rng
    compounds = list(
        Compound.objects.filter(street__code__startswith="530103")
        .select_related("property_company", "property_rights_unit")
        .order_by("id")
    )
    planned = set(planned_compounds()) if planned_compounds else set()
    cluster = ctx.shared.get("plan_cluster")
    if cluster is not None:
        planned |= set(cluster.members.values_list("compound_id", flat=True))
    new = []
    for c in compounds:
        # Compounds with a plan are more likely to have settled their management.
        if rng.random() > (0.8 if c.pk in planned else 0.45):
            continue
        if c.property_company_id:
            model, manager, name, fee = (
                ManagementModel.PROPERTY_COMPANY,
                c.property_company,
                "",
                "0.80",
            )
        elif c.property_rights_unit_id:
            model, manager, name, fee = (
                ManagementModel.PROPERTY_RIGHTS_UNIT,
                c.property_rights_unit,
                "",
                "0.50",
            )
        else:
            model = rng.choice([ManagementModel.SELF_GOVERNANCE, ManagementModel.COMMUNITY_TRUSTEE])
            manager, fee = None, rng.choice(["0.30", "0.40", "0.50"])
            name = (
                f"{c.name}居民自管小组"
                if model == ManagementModel.SELF_GOVERNANCE
                else "社区托管服务站"
            )
        # 以管定建: approval needs adopted rules (管理规约); compounds with a plan
        # have usually settled theirs, so most of their plans can be approved.
        adopted = rng.random() < (0.9 if c.pk in planned else 0.6)
        new.append(
            ManagementArrangement(
                compound=c,
                model=model,
                manager=manager,
                manager_name=name,
                rules_adopted=adopted,
                rules_adopted_on=date(2024, rng.randint(1, 12), rng.randint(1, 28))
                if adopted
                else None,
                fee_per_m2_month=Decimal(fee),
                starts_on=date(2025, rng.randint(1, 12), 1),
            )
        )
    ManagementArrangement.objects.bulk_create(new)
    approved = approve_plans(ctx, {a.compound_id for a in new}) if approve_plans else 0
    ctx.say(f"  长效管理安排: {len(new)} 个小区;已审批方案 {approved} 个")


def logins(ctx):
    return None
