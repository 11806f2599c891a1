"""Demo plans: the built-in catalogue, Panlong's funding rules, drafted plans
for a few dozen surveyed compounds (some marked consulted), and one cluster.
Approvals happen once stewardship's demo has settled management (以管定建):
it calls approve_consulted_plans, handed to it in ctx.shared."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from gaizao.accounts.models import Role, User
from gaizao.catalogue.catalogue import ensure_builtin_catalogue
from gaizao.consultation import services as votes
from gaizao.consultation.demo import cast_ballots
from gaizao.core.errors import DomainError
from gaizao.eligibility import selectors as eligibility_selectors
from gaizao.inventory.models import Compound, Unit
from gaizao.regions.models import Area

from . import selectors, services
from .models import Plan, PlanStatus

D = Decimal


def seed(ctx):
    # For stewardship's demo, seeded after plans and below it (it imports nothing above).
    ctx.shared["planned_compounds"] = planned_compounds
    ctx.shared["approve_consulted_plans"] = approve_consulted_plans
    rng = ctx.rng
    ensure_builtin_catalogue()
    district = Area.objects.filter(code="530103000000").first()
    if district is None:
        return
    year = timezone.localdate().year
    services.funding_rule_save(
        actor=None,
        area=district,
        year=year,
        source="cli",
        data={
            # 中央补助 and 省市补助 per m² by tier; residents pay towards the
            # improvement and enhancement items they chose (谁受益谁出资).
            "central_per_m2": {"basic": "60", "improvement": "30"},
            "provincial_per_m2": {"basic": "30", "improvement": "15", "enhancement": "10"},
            "subsidy_cap_share": D("0.8"),
            "resident_per_m2": D("5"),
            "resident_per_household": D("0"),
            "resident_tiers": ["improvement", "enhancement"],
            "resident_cap_share": D("0.5"),
            "maintenance_fund_share": D("0.3"),
            "property_unit_share": D("0.1"),
            "utility_share": D("1"),
            # 业主自愿: approval waits for the owners' vote on the renovation
            # (Civil Code art. 278 item 7); stewardship's demo holds those votes.
            "vote_required": True,
            "note": "演示规则:基础类中央 60、省市 30 元/㎡;完善类 30、15 元/㎡;补助不超过该类造价 80%;"
            "方案审批前须经业主共同决定通过(民法典第二百七十八条第七项)",
        },
    )
    actor = User.objects.filter(role=Role.HOUSING_BUREAU, area=district).first()
    surveyed = list(
        Compound.objects.filter(street__code__startswith="530103", surveys__isnull=False)
        .distinct()
        .select_related("street", "community")
        .order_by("id")
    )
    if not surveyed:
        return
    # One cluster: two or three neighbouring compounds of one street.
    by_street: dict[int, list[Compound]] = {}
    for c in surveyed:
        by_street.setdefault(c.street_id, []).append(c)
    street_members = max(by_street.values(), key=len)
    members = street_members[:3]
    cluster = None
    if len(members) >= 2:
        cluster = services.cluster_create(
            actor=actor,
            name=f"{members[0].street.name}{members[0].name[:2]}片区",
            compounds=members,
            note="相邻小区打通围墙,统一设计、统一改造、统一管理",
            source="cli",
        )
        services.plan_draft_for_cluster(actor=actor, cluster=cluster, year=year, source="cli")
    # Plans are drafted for compounds within the renovation scope (the
    # approval gate would refuse the others; eligibility's demo ran first).
    pool = [
        c
        for c in surveyed
        if c not in members and eligibility_selectors.approval_blocker(c) is None
    ]
    chosen = rng.sample(pool, min(40, len(pool)))
    extras = [
        "elevator_retrofit",
        "ebike_shed",
        "security_cameras",
        "charging_points",
        "fitness_equipment",
        "unit_security_door",
        "community_canteen",
        "greenery_upgrade",
    ]
    plans = []
    for c in chosen:
        try:
            plan = services.plan_draft_from_survey(actor=actor, compound=c, year=year, source="cli")
        except DomainError:
            continue
        for code in rng.sample(extras, rng.randint(0, 3)):
            qty = (
                1
                if code in ("elevator_retrofit", "community_canteen", "fitness_equipment")
                else rng.randint(2, 12)
            )
            try:
                plan, _ = services.plan_item_add(
                    actor=actor,
                    plan=plan,
                    code=code,
                    quantity=qty,
                    item_source=rng.choice(["resident", "staff"]),
                    estimate="居民点单 / 现场核定",
                    source="cli",
                )
            except DomainError:
                pass
        if plan.items.exists() and rng.random() < 0.7:
            plan = services.plan_mark_consulted(actor=actor, plan=plan, source="cli")
        plans.append(plan)
    ctx.shared["plans"] = plans
    ctx.shared["plan_cluster"] = cluster
    ctx.say(
        f"  改造方案: {len(plans)} 个小区方案草稿" + (f",片区“{cluster.name}”" if cluster else "")
    )


def logins(ctx):
    return None


def planned_compounds() -> set[int]:
    """Compounds with a current plan (stewardship's demo settles their
    management more often)."""
    return set(
        Plan.objects.exclude(status=PlanStatus.SUPERSEDED).values_list("compound_id", flat=True)
    )


def approve_consulted_plans(ctx, managed: set[int]) -> int:
    """Once stewardship's demo has settled management (以管定建): the owners'
    vote on consulted plans of managed compounds, then the approval of every
    consulted plan that meets each condition. Returns how many were approved.
    Stewardship's demo calls it (it sits below plans and takes it as a
    parameter)."""
    _owners_vote_on_consulted_plans(ctx, managed)
    actor = User.objects.filter(role=Role.LEADERSHIP).first()
    approved = 0
    for plan in Plan.objects.filter(status=PlanStatus.CONSULTED).order_by("id"):
        if services.approval_blockers(plan):
            continue
        try:
            services.plan_approve(actor=actor, plan=plan, source="cli")
            approved += 1
        except DomainError:
            continue
    return approved


def _owners_vote_on_consulted_plans(ctx, managed: set[int]) -> None:
    """The owners decide (业主自愿): for consulted plans whose management is
    settled, the community held the art. 278 item 7 vote; most pass."""
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
        # Bound to this plan version (the approval gate reads plan_id).
        try:
            v = services.plan_vote_start(
                actor=staff,
                plan=plan,
                opens_at=now - timedelta(days=45),
                closes_at=now - timedelta(days=25),
                record_past=True,
                past_reason="演示数据:补录",
            )
        except DomainError:
            continue  # the compound already has an item-7 vote under way
        units = list(Unit.objects.filter(building__compound_id=plan.compound_id))
        share = ctx.rng.choice([0.92, 0.9, 0.85, 0.6])
        v = _hold(ctx, v, units, share, ctx.rng.choice([0.95, 0.9, 0.85]), staff, now)
        common_use = selectors.common_use_items(plan.items.all())
        if v.passed and common_use:
            # Parking, chargers, canteens on common parts: item 8, at 3/4.
            v8 = votes.vote_create(
                actor=staff,
                compound=plan.compound,
                matter=selectors.ART_278_COMMON_USE,
                title=f"{plan.compound.name}利用共有部分("
                + "、".join(i.name for i in common_use)
                + ")表决",
                opens_at=now - timedelta(days=45),
                closes_at=now - timedelta(days=25),
                record_past=True,
                past_reason="演示数据:补录",
            )
            _hold(ctx, v8, units, 0.92, 0.95, staff, now)
        held += 1
        passed += bool(v.passed)
    ctx.say(f"  方案表决: {held} 个小区, 通过 {passed} 个")


def _hold(ctx, v, units, share, agree, staff, now):
    """Open, ballot, close and publish a vote held last month (its notice
    period is over)."""
    votes.vote_open(actor=staff, vote=v, record_past=True)
    cast_ballots(ctx, v, units, share, agree, staff)
    votes.vote_close(actor=staff, vote=v)
    votes.vote_publish(actor=staff, vote=v)
    type(v).objects.filter(pk=v.pk).update(
        published_at=now - timedelta(days=24), notice_ends_at=now - timedelta(days=17)
    )
    v.refresh_from_db()
    return v
