"""Demo feedback and satisfaction: residents' complaints in every state in a
few demo compounds (routed to a demo contractor, the property company and the
community), and one closed satisfaction evaluation with answers. `seed(ctx)`
runs after the plans are approved (stewardship's demo approves them), so the
evaluations find finished compounds. Deterministic: every choice comes from
ctx.rng; everything goes through the services."""

from datetime import timedelta

from django.db.models import F

from gaizao.accounts.models import Role, User
from gaizao.core.demo import DEMO_PASSWORD
from gaizao.inventory.models import Compound, Unit
from gaizao.regions.models import Organisation

from . import services as svc
from .models import Feedback, FeedbackEvent, ResponsibleParty, SatisfactionResponse

ITEMS = [
    # (category, text, place)
    ("noise_dust", "晚上十点以后还在切割外墙保温板,噪音很大,老人睡不着", "2栋北侧"),
    ("construction_safety", "单元门口的脚手架没有挂防护网,小孩上学要经过", "3栋1单元门口"),
    ("construction_quality", "新换的雨水管接口漏水,墙面又湿了", "1栋西山墙"),
    ("civilised", "施工车辆堵住消防通道,建筑垃圾没有覆盖", "小区主干道"),
    ("progress", "楼道粉刷停工两周了,什么时候继续?", "4栋"),
    ("property_service", "改造后的垃圾分类亭没人清运,味道大", "南门垃圾亭"),
    ("facility_damage", "新装的路灯有三盏不亮", "中心花园"),
    ("utilities", "二次供水改造后水压不够,六楼放不出水", "5栋6楼"),
    ("other", "希望在健身区增加几张休息座椅", "健身区"),
    ("construction_quality", "新铺的透水砖已经松动,踩上去会翘", "1栋到2栋之间"),
]
# (target state, days since it was reported)
PLAN = [
    ("open", 1),
    ("open", 9),
    ("accepted", 3),
    ("accepted", 12),
    ("fixed", 4),
    ("fixed", 2),
    ("confirmed", 20),
    ("confirmed", 15),
    ("reopened", 6),
    ("confirmed", 30),
]


def _resident(username, unit, display):
    u = User.objects.filter(username=username).first()
    if u is None:
        u = User.objects.create_user(
            username, password=DEMO_PASSWORD, role=Role.RESIDENT, unit=unit, display_name=display
        )
    return u


def _backdate(fb, days):
    delta = timedelta(days=days)
    Feedback.objects.filter(pk=fb.pk).update(
        created_at=F("created_at") - delta, due_on=F("due_on") - delta
    )
    Feedback.objects.filter(pk=fb.pk, fixed_at__isnull=False).update(
        fixed_at=F("fixed_at") - delta + timedelta(days=max(0, days - 1))
    )
    Feedback.objects.filter(pk=fb.pk, closed_at__isnull=False).update(
        closed_at=F("closed_at") - delta + timedelta(days=max(0, days - 2))
    )
    # Spread the timeline over the days since it was reported.
    events = list(FeedbackEvent.objects.filter(feedback=fb).order_by("id"))
    for i, ev in enumerate(events):
        back = delta - timedelta(days=min(days, i * max(1, days // max(1, len(events)))))
        FeedbackEvent.objects.filter(pk=ev.pk).update(at=F("at") - back)


def seed(ctx):
    seed_feedback(ctx)
    seed_satisfaction(ctx)
    logins(ctx)


def seed_feedback(ctx):
    rng = ctx.rng
    compounds = ctx.shared.get("compounds") or list(Compound.objects.order_by("id")[:400])
    home = ctx.shared.get("demo_committee_compound") or (compounds[0] if compounds else None)
    if home is None:
        return
    home = Compound.objects.select_related("street", "community", "property_company").get(
        pk=home.pk
    )
    managed = next((c for c in compounds if c.property_company_id and c.pk != home.pk), None)
    office = (
        User.objects.filter(role=Role.LEADERSHIP).first()
        or User.objects.filter(is_superuser=True).first()
    )

    def staff_for(compound):
        """The compound's community worker if there is one, else the office."""
        return (
            User.objects.filter(role=Role.COMMUNITY, area_id=compound.community_id).first()
            or office
        )

    staff = staff_for(home)

    contractor = Organisation.objects.create(
        name="云南盘城建设工程有限公司", kind=Organisation.Kind.CONTRACTOR
    )
    User.objects.create_user(
        "shigong_demo",
        password=DEMO_PASSWORD,
        role=Role.CONTRACTOR,
        organisation=contractor,
        display_name="盘城建设 项目经理 陈工",
    )
    water = Organisation.objects.create(
        name="昆明供排水公司盘龙分公司", kind=Organisation.Kind.UTILITY
    )

    sites = [home] + (
        [
            Compound.objects.select_related("street", "community", "property_company").get(
                pk=managed.pk
            )
        ]
        if managed
        else []
    )
    made = 0
    for site_no, compound in enumerate(sites):
        ResponsibleParty.objects.create(
            compound=compound, kind="contractor", organisation=contractor
        )
        ResponsibleParty.objects.create(compound=compound, kind="utility", organisation=water)
        units = list(Unit.objects.filter(building__compound=compound).order_by("id")[:40])
        if len(units) < 3:
            continue
        picked = rng.sample(units, 3)
        residents = [
            _resident(
                "jumin_demo" if site_no == 0 else f"jumin_demo{site_no + 1}",
                picked[0],
                "居民 刘阿姨" if site_no == 0 else "居民 杨师傅",
            ),
            _resident(f"jumin_fb{site_no}_2", picked[1], "居民 周先生"),
            _resident(f"jumin_fb{site_no}_3", picked[2], "居民 何奶奶"),
        ]
        items = ITEMS if site_no == 0 else rng.sample(ITEMS, 6)
        plan = PLAN if site_no == 0 else rng.sample(PLAN, 6)
        for i, ((category, text, place), (state, days)) in enumerate(
            zip(items, plan, strict=False)
        ):
            # The demo resident gets items waiting for an answer, to see the prompt.
            mine = i % 3 == 0 or state in ("fixed", "reopened")
            reporter = residents[0] if mine else rng.choice(residents[1:])
            fb = svc.feedback_create(
                actor=reporter, category=category, text=text, place=place, source="demo"
            )
            handler = staff_for(compound)
            if fb.responsible_org_id == contractor.pk:
                handler = User.objects.get(username="shigong_demo")
            elif fb.responsible_org.kind == "property_company":
                handler = User.objects.filter(organisation=fb.responsible_org).first() or staff
            steps = {
                "open": [],
                "accepted": ["accept"],
                "fixed": ["accept", "fix"],
                "confirmed": ["accept", "fix", "confirm"],
                "reopened": ["accept", "fix", "reopen"],
            }[state]
            notes = {
                "accept": "已安排人员现场查看",
                "fix": "已整改,请居民确认",
                "confirm": "",
                "reopen": "还是没有修好",
            }
            for step in steps:
                actor = reporter if step in ("confirm", "reopen") else handler
                svc.feedback_transition(
                    actor=actor, feedback=fb, action=step, comment=notes[step], source="demo"
                )
            _backdate(fb, days)
            made += 1

    ctx.shared["feedback_staff"] = staff
    ctx.say(f"  居民反馈 {made} 条")


def seed_satisfaction(ctx):
    """Satisfaction evaluations open only once the renovation is done: the
    works passed completion acceptance (services.renovation_done; the works
    demo, seeded before this app)."""
    rng = ctx.rng
    compounds = ctx.shared.get("compounds") or list(Compound.objects.order_by("id")[:400])
    home = ctx.shared.get("demo_committee_compound") or (compounds[0] if compounds else None)
    # The district office runs the evaluations (the community's worker may not
    # have the finished compound in their jurisdiction).
    staff = (
        User.objects.filter(role=Role.LEADERSHIP).first()
        or User.objects.filter(is_superuser=True).first()
    )
    if home is None or staff is None:
        return
    # Evaluations open at completion acceptance (竣工验收, the works demo).
    done_ids = [c.pk for c in [home, *compounds] if svc.renovation_done(c)]
    if not done_ids:
        ctx.say("  满意度评价: 尚无方案已审批的小区,未建立")
        return
    # One finished compound's evaluation, closed, with ~60% of households answering.
    done_pk = next((pk for pk in done_ids if pk != home.pk), done_ids[0])
    done = Compound.objects.select_related("street", "community").get(pk=done_pk)
    evaluation = svc.satisfaction_open(
        actor=staff, compound=done, title=f"{done.name}改造满意度评价", source="demo"
    )
    answers = []
    for unit in Unit.objects.filter(building__compound=done).order_by("id"):
        if rng.random() > 0.6:
            continue
        base = rng.choices([5, 4, 3, 2, 1], [45, 33, 13, 6, 3])[0]

        def near(b=base):
            return max(1, min(5, b + rng.choice([-1, 0, 0, 0, 1])))

        answers.append(
            SatisfactionResponse(
                evaluation=evaluation,
                unit=unit,
                overall=base,
                quality=near(),
                content=near(),
                civility=near(),
                management=near(),
                comment=rng.choice(
                    ["", "", "", "改造后环境好多了", "希望加装电梯", "停车还是困难"]
                ),
            )
        )
    SatisfactionResponse.objects.bulk_create(answers, batch_size=2000)
    svc.satisfaction_close(actor=staff, evaluation=evaluation, source="demo")
    # And one open evaluation where the demo resident lives, to try the stars,
    # if the plan of that compound is approved.
    n = 1
    if home.pk in done_ids:
        svc.satisfaction_open(
            actor=staff, compound=home, title=f"{home.name}改造满意度评价", source="demo"
        )
        n = 2
    ctx.say(f"  满意度评价 {n} 次({done.name} 已结束, {len(answers)} 户评价)")


def logins(ctx):
    listed = {lg.username for lg in ctx.logins}
    if "jumin_demo" not in listed and User.objects.filter(username="jumin_demo").exists():
        ctx.add_login("居民", "jumin_demo", "反映问题、确认是否解决、满意度评价")
    if User.objects.filter(username="shigong_demo").exists():
        ctx.add_login("施工单位", "shigong_demo", "转给本单位的居民反馈")
