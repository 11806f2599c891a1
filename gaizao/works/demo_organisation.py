"""Demo organisation of the programme: the Panlong leadership group, Party
organisations and utilities linked to compounds (党建引领), and three joint
meetings whose decisions became tasks — some done, some due, some late.

From the seed text (panlong-2020-old-compound-renovation.txt): 盘龙区政府成立
了由区委副书记、区长沃磊担任组长的老旧小区改造工作领导小组; 住建、民政部门牵头
探索管理模式; 党建引领. Only the group leader is named there; the other
members below are demo stand-ins, listed by the posts such a group has."""

from datetime import timedelta

from django.utils import timezone

from gaizao.accounts.models import Role, User
from gaizao.regions.models import Area, Organisation

from .models import Works
from .organisation import services as org_svc
from .organisation.models import CompoundLink, LinkRole

K = Organisation.Kind

MEMBERS = [
    # (name, post, role in the group, organisation kind, duty)
    ("沃磊", "区委副书记、区长", "leader", None, "统筹全区老旧小区改造工作(见种子文本)"),
    ("演示·分管副区长", "副区长", "deputy", None, "协助组长,分管城市更新"),
    (
        "演示·住建局局长",
        "区住房和城乡建设局局长",
        "member",
        K.HOUSING_BUREAU,
        "项目实施、质量安全、验收",
    ),
    ("演示·民政局局长", "区民政局局长", "member", K.CIVIL_AFFAIRS, "居民自治、长效管理模式"),
    ("演示·街道党工委书记", "各街道党工委书记", "member", K.STREET_OFFICE, "属地责任、党建引领"),
    ("王主任", "区改造办主任", "office_head", K.LEADERSHIP_OFFICE, "日常调度、联席会议、督办"),
]


def seed(ctx):
    staff = User.objects.filter(role=Role.LEADERSHIP).order_by("id").first()
    district = Area.objects.filter(level=Area.Level.DISTRICT).order_by("code").first()
    if staff is None or district is None:
        return
    office = Organisation.objects.filter(kind=K.LEADERSHIP_OFFICE, area=district).first()
    group = org_svc.group_save(
        actor=staff,
        area=district,
        name="盘龙区老旧小区改造工作领导小组",
        office=office,
        established_on=timezone.localdate().replace(year=2019, month=3, day=1),
        basis="盘龙区人民政府成立,区委副书记、区长任组长",
        source="demo",
    )
    by_kind = {o.kind: o for o in Organisation.objects.filter(area=district)}
    for name, post, role, kind, duty in MEMBERS:
        org_svc.member_add(
            actor=staff,
            group=group,
            name=name,
            position=post,
            role=role,
            organisation=by_kind.get(kind),
            duty=duty,
            source="demo",
        )
    works = list(
        Works.objects.filter(compound__isnull=False)
        .select_related("compound__street", "compound__community")
        .order_by("id")[:60]
    )
    _links(works, district)
    _meetings(ctx, staff, district, works)


def _links(works, district):
    """A Party organisation per street and per community with works, and the
    water company for every third compound (管网改造)."""
    water = Organisation.objects.filter(kind=K.UTILITY, name__contains="供水").first()
    party: dict[int, Organisation] = {}
    links = []
    for w in works:
        c = w.compound
        area = c.community or c.street
        if area.pk not in party:
            party[area.pk] = Organisation.objects.create(
                name=f"{area.name.removesuffix('居委会')}党委", kind=K.PARTY_ORGANISATION, area=area
            )
        links.append(
            CompoundLink(
                compound=c, organisation=party[area.pk], role=LinkRole.PARTY, note="党建联系点"
            )
        )
        if water and w.pk % 3 == 0:
            links.append(
                CompoundLink(compound=c, organisation=water, role=LinkRole.UTILITY, note="管网迁改")
            )
    CompoundLink.objects.bulk_create(links, ignore_conflicts=True)


def _meetings(ctx, staff, district, works):
    today = timezone.localdate()
    streets = {o.area_id: o for o in Organisation.objects.filter(kind=K.STREET_OFFICE)}
    bureau = Organisation.objects.filter(kind=K.HOUSING_BUREAU, area=district).first()
    civil = Organisation.objects.filter(kind=K.CIVIL_AFFAIRS, area=district).first()
    office = Organisation.objects.filter(kind=K.LEADERSHIP_OFFICE, area=district).first()
    utility = Organisation.objects.filter(kind=K.UTILITY).first()
    bureau_user = User.objects.filter(role=Role.HOUSING_BUREAU).order_by("id").first()
    n_tasks = n_meetings = 0
    for k, (ago, title) in enumerate(
        [
            (75, "老旧小区改造工作联席会议(第一次)"),
            (40, "老旧小区改造工作联席会议(第二次)"),
            (6, "老旧小区改造工作联席会议(第三次)"),
        ]
    ):
        held = today - timedelta(days=ago)
        if not works:
            break
        # compounds per meeting, wrapping round a small demo: the works with
        # a stage still open get chased, the rest settle their rules
        pending = [w for w in works if w.milestones.filter(actual_on__isnull=True).exists()]
        pending = pending or works
        chased = [pending[(k * 3 + i) % len(pending)] for i in range(min(5, len(pending)))]
        ruled = [works[(k * 2 + i) % len(works)] for i in range(min(2, len(works)))]
        decisions = [
            {
                "text": "各街道对滞后项目逐一销号,落实属地责任",
                "tasks": [
                    {
                        "title": f"督促{w.compound.name}按期完成“{w.get_stage_display()}”节点",
                        "owner_org": streets.get(w.compound.street_id) or office,
                        "compound": w.compound,
                        # every third late, every third due soon, the rest later
                        "due_on": max(held, today + timedelta(days=(-12, 2, 20)[i % 3])),
                    }
                    for i, w in enumerate(chased)
                ],
            },
            {
                "text": "住建、民政部门牵头落实以管定建,完成交付小区的管理规约",
                "tasks": [
                    {
                        "title": f"指导{w.compound.name}制定管理规约、明确管理模式",
                        "owner_org": civil or office,
                        "compound": w.compound,
                        "due_on": max(held, today + timedelta(days=(-3, 12)[i % 2])),
                    }
                    for i, w in enumerate(ruled)
                ],
            },
            {
                "text": "专营单位配合管线迁改,住建局审定施工图",
                "tasks": [
                    t
                    for t in [
                        {
                            "title": f"审定第{k + 1}批管网改造施工图",
                            "owner_org": bureau or office,
                            "owner_person": bureau_user,
                            "due_on": held + timedelta(days=20),
                        },
                        {
                            "title": f"完成第{k + 1}批管线迁改方案并报区改造办",
                            "owner_org": utility,
                            "due_on": held + timedelta(days=30),
                        }
                        if utility
                        else None,
                    ]
                    if t
                ],
            },
        ]
        m = org_svc.meeting_create(
            actor=staff,
            area=district,
            title=title,
            held_on=held,
            convened_by=office,
            attendees=[o for o in [bureau, civil, utility, *streets.values()] if o],
            minutes="听取各街道改造进度汇报,研究滞后项目和长效管理问题。",
            decisions=decisions,
            source="demo",
        )
        # the oldest meeting's tasks: most done
        for t in m.decisions.get(seq=1).tasks.all() if k == 0 else []:
            if t.pk % 2:
                org_svc.task_done(
                    actor=staff, task=t, on=min(today, t.due_on), note="已销号", source="demo"
                )
        n_tasks += sum(d.tasks.count() for d in m.decisions.all())
        n_meetings += 1
    ctx.say(f"  领导小组 {len(MEMBERS)} 人;联席会议 {n_meetings} 次,议定任务 {n_tasks} 个")
