"""Demo management arrangements for about half the compounds, then the
approval of the consulted plans that now meet every condition (以管定建, and
the owners' vote where the district requires it)."""

from datetime import date
from decimal import Decimal

from gaizao.accounts.models import Role, User
from gaizao.core.errors import DomainError
from gaizao.inventory.models import Compound
from gaizao.plans import services as plan_services
from gaizao.plans.models import Plan, PlanStatus

from .models import ManagementArrangement, ManagementModel


def seed(ctx):
    rng = ctx.rng
    compounds = list(
        Compound.objects.filter(street__code__startswith="530103")
        .select_related("property_company", "property_rights_unit")
        .order_by("id")
    )
    planned = set(
        Plan.objects.exclude(status=PlanStatus.SUPERSEDED).values_list("compound_id", flat=True)
    )
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
    actor = User.objects.filter(role=Role.LEADERSHIP).first()
    _owners_vote_on_consulted_plans(ctx, {a.compound_id for a in new})
    approved = 0
    for plan in Plan.objects.filter(status=PlanStatus.CONSULTED).order_by("id"):
        if plan_services.approval_blockers(plan):
            continue
        try:
            plan_services.plan_approve(actor=actor, plan=plan, source="cli")
            approved += 1
        except DomainError:
            continue
    ctx.say(f"  长效管理安排: {len(new)} 个小区;已审批方案 {approved} 个")


def _owners_vote_on_consulted_plans(ctx, managed: set[int]) -> None:
    """The owners decide (业主自愿): for consulted plans whose management is
    settled, the community held the art. 278 item 7 vote; most pass."""
    from datetime import timedelta

    from django.utils import timezone

    from gaizao.consultation import services as votes
    from gaizao.consultation.demo import _ballots
    from gaizao.inventory.models import Unit

    staff = (
        User.objects.filter(role=Role.COMMUNITY).first()
        or User.objects.filter(is_superuser=True).first()
    )
    now = timezone.now()
    held = passed = 0
    for plan in Plan.objects.filter(status=PlanStatus.CONSULTED, compound__isnull=False).order_by(
        "id"
    ):
        if plan.compound_id not in managed:
            continue
        v = votes.vote_create(
            actor=staff,
            compound=plan.compound,
            matter=7,
            title=f"{plan.compound.name}老旧小区改造方案表决",
            opens_at=now - timedelta(days=45),
            closes_at=now - timedelta(days=25),
            description="按《民法典》第二百七十八条,由业主共同决定改造方案。",
            record_past=True,
            past_reason="演示数据:补录",
        )
        votes.vote_open(actor=staff, vote=v, record_past=True)
        units = list(Unit.objects.filter(building__compound_id=plan.compound_id))
        share = ctx.rng.choice([0.92, 0.9, 0.85, 0.6])
        _ballots(ctx, v, units, share, ctx.rng.choice([0.95, 0.9, 0.85]), staff)
        votes.vote_close(actor=staff, vote=v)
        votes.vote_publish(actor=staff, vote=v)
        v.refresh_from_db()
        held += 1
        passed += bool(v.passed)
    ctx.say(f"  方案表决: {held} 个小区, 通过 {passed} 个")


def logins(ctx):
    return None
