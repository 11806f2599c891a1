"""Demo: the Panlong 2020–2021 programme of the seed text — 540,000 m² in
the first half of 2020, 400,000 m² in the second half, every remaining
eligible compound in 2021 — filled from the reserve and planned once."""

from decimal import Decimal

from django.db.models import Sum

from gaizao.accounts.models import Role, User
from gaizao.regions.models import Area

from . import runner, services

D = Decimal


def seed(ctx):
    district = Area.objects.filter(code="530103000000").first()
    if district is None:
        return
    actor = User.objects.filter(role=Role.LEADERSHIP, area=district).first()
    p = services.programme_create(
        actor=actor,
        area=district,
        name="盘龙区2020—2021年老旧小区改造计划",
        cost_per_m2=D("300"),
        max_concurrent_per_street=None,
        note="按盘龙区实施方案:2020年上半年改造 54 万㎡,下半年 40 万㎡,2021年完成剩余符合条件的小区。",
    )
    services.programme_fill(actor=actor, programme=p, year=2020)
    tot = p.entries.aggregate(a=Sum("area_m2"), c=Sum("cost_yuan"))
    per_m2 = (tot["c"] / tot["a"]) if tot["a"] else D("300")

    def budget(area):
        # A budget a little above the target's cost at the programme's average
        # cost per m², split between the sources of the funding rule.
        total = (D(area) * per_m2 * D("1.08")).quantize(D("1"))
        central = (total * D("0.45")).quantize(D("1"))
        provincial = (total * D("0.25")).quantize(D("1"))
        return {
            "central_subsidy": str(central),
            "provincial_subsidy": str(provincial),
            "district_budget": str(total - central - provincial),
        }

    services.batch_create(
        actor=actor,
        programme=p,
        name="2020年上半年",
        starts_on="2020-01-01",
        ends_on="2020-06-30",
        area_target_m2="540000",
        budget=budget(540000),
        extension_cap_share="0.2",
        weight="1.2",
    )
    services.batch_create(
        actor=actor,
        programme=p,
        name="2020年下半年",
        starts_on="2020-07-01",
        ends_on="2020-12-31",
        area_target_m2="400000",
        budget=budget(400000),
        extension_cap_share="0.2",
        weight="1.1",
    )
    services.batch_create(
        actor=actor,
        programme=p,
        name="2021年",
        starts_on="2021-01-01",
        ends_on="2021-12-31",
        weight="1.0",
    )
    if not p.entries.exists():
        # A small demo (--compounds 8) may have no eligible compound: nothing
        # to plan, and run_create would refuse.
        ctx.say(f"  改造计划:{p.name},没有符合改造范围的小区,未运行优化")
        return
    run = services.run_create(actor=actor, programme=p, time_limit=3)
    runner.execute(run.pk, actor)
    ctx.say(f"  改造计划:{p.name},{p.entries.count()} 个小区纳入,优化 #{run.pk}")


def logins(ctx):
    return None
