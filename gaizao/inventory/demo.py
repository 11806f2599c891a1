"""Demo inventory: ~400 compounds built 1955–2005 across Panlong's streets,
with buildings, ~60,000 units with registered exclusive areas, owners (some
holding several units, some compounds with developer-held unsold units) and
condition surveys. Deterministic: all choices come from ctx.rng."""

import math
from datetime import date, timedelta
from decimal import Decimal

from gaizao.accounts.models import Role, User
from gaizao.core.demo import DEMO_PASSWORD
from gaizao.inventory import latest
from gaizao.regions.demo import URBAN_STREETS
from gaizao.regions.models import Area, Organisation

from .facilities import FACILITIES
from .models import Building, Compound, Condition, Owner, Survey, Unit
from .scoring import condition_score

# Rough centres (lat, lng) of each street's residential area, for the map.
CENTRES = {
    "001": (25.0395, 102.7265),
    "002": (25.0505, 102.7255),
    "003": (25.0630, 102.7330),
    "004": (25.0700, 102.7460),
    "005": (25.0830, 102.7290),
    "006": (25.0760, 102.7160),
    "007": (25.1120, 102.7450),
    "008": (25.1350, 102.7600),
    "009": (25.1650, 102.7850),
    "010": (25.2400, 102.8400),
    "011": (25.4300, 102.8700),
    "012": (25.3700, 102.7700),
}
# Share of the demo compounds per street: the old compounds are in the centre.
WEIGHTS = {
    "001": 9,
    "002": 11,
    "003": 13,
    "004": 12,
    "005": 13,
    "006": 12,
    "007": 8,
    "008": 6,
    "009": 3,
    "010": 2,
    "011": 1,
    "012": 1,
}

PLACES = [
    "北京路",
    "白塔路",
    "穿金路",
    "桃源",
    "东华",
    "联盟",
    "金星",
    "园西",
    "小康",
    "霖雨",
    "环城北路",
    "东风",
    "拓东",
    "盘江",
    "青年路",
    "圆通",
    "北站",
    "新迎",
    "菊花村",
    "金实",
    "江岸",
    "司家营",
    "龙泉",
    "茨坝",
    "金殿",
    "上庄",
    "云山",
    "白沙河",
    "青龙山",
    "映象",
    "鼓楼",
    "长春",
    "北辰",
    "沣源",
    "金康",
    "和平",
    "黑龙潭",
    "兴龙",
    "宝云",
    "林清",
]
KINDS = ["小区", "小区", "小区", "花园", "新村", "宿舍", "住宅区", "大院", "公寓"]
OWNERS = [
    "机床厂",
    "冶金设计院",
    "铁路分局",
    "第二建筑公司",
    "纺织厂",
    "电力局",
    "邮电局",
    "卷烟厂",
    "化工厂",
    "粮食局",
    "供销社",
    "教育局",
]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志文云峰春梅海燕德成福荣昆滇丽琼"
)
RATINGS = ["good", "worn", "broken", "missing"]


def _name(rng) -> str:
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
    return rng.choice(SURNAMES) + given


def _phone(rng) -> str:
    return "1" + rng.choice("3589") + "".join(str(rng.randrange(10)) for _ in range(9))


def seed(ctx):
    rng = ctx.rng
    streets = {
        a.code[6:9]: a for a in Area.objects.filter(level="street", code__startswith="530103")
    }
    communities: dict[str, list[Area]] = {}
    for c in Area.objects.filter(level="community", code__startswith="530103"):
        communities.setdefault(c.code[6:9], []).append(c)
    companies = list(Organisation.objects.filter(kind="property_company").order_by("id"))
    rights_units = list(Organisation.objects.filter(kind="property_rights_unit").order_by("id"))

    keys = sorted(WEIGHTS)
    weights = [WEIGHTS[k] for k in keys]
    compounds, used = [], set()
    for _ in range(ctx.compounds):
        sk = rng.choices(keys, weights)[0]
        street = streets[sk]
        for _try in range(50):
            if rng.random() < 0.15:
                name = (
                    f"{rng.choice(PLACES)}{rng.choice(OWNERS)}{rng.choice(['宿舍', '职工住宅区'])}"
                )
            else:
                name = f"{rng.choice(PLACES)}{rng.choice(KINDS)}"
            if rng.random() < 0.3:
                name = (
                    name.replace("小区", f"{rng.randint(1, 9)}号小区")
                    if "小区" in name
                    else name + f"{rng.choice('一二三四五')}期"
                )
            if (sk, name) not in used:
                break
        used.add((sk, name))
        urban = sk in URBAN_STREETS
        year = int(min(2005, max(1955, rng.gauss(1990, 9))))
        built_date = (
            date(year, rng.randint(1, 12), rng.randint(1, 28)) if rng.random() < 0.6 else None
        )
        # Floor area: log-normal around 8,500 m², kept within 2,000–200,000 m².
        area = Decimal(int(min(200_000, max(2000, math.exp(rng.gauss(math.log(8500), 0.8))))))
        status = rng.choices(
            ["property_company", "property_rights_unit", "self_governance", "none"], [3, 2, 2, 3]
        )[0]
        lat, lng = CENTRES[sk]
        compounds.append(
            Compound(
                name=name,
                street=street,
                community=rng.choice(communities[sk]),
                address=f"{street.name.removesuffix('街道')}{rng.choice(PLACES)}路{rng.randint(1, 300)}号",
                built_year=year,
                built_date=built_date,
                floor_area=area,
                in_main_urban_area=urban if rng.random() > 0.02 else not urban,
                management_status=status,
                property_company=rng.choice(companies) if status == "property_company" else None,
                property_rights_unit=rng.choice(rights_units)
                if status == "property_rights_unit"
                else None,
                in_shantytown_plan=rng.random() < 0.03,
                demolition_planned=(
                    demolition := rng.choice([2, 3, 5]) if rng.random() < 0.04 else None
                )
                is not None,
                demolition_within_years=demolition,
                self_built_area=Decimal(rng.randint(500, 5000))
                if rng.random() < 0.04
                else Decimal(0),
                is_urban_village=rng.random() < 0.03,
                latitude=Decimal(str(round(lat + rng.gauss(0, 0.007), 6))),
                longitude=Decimal(str(round(lng + rng.gauss(0, 0.007), 6))),
            )
        )
    Compound.objects.bulk_create(compounds)

    # Buildings and units: 5–7 floors, 2–4 entrances, 2 units per floor and entrance.
    buildings, plan = [], []
    for c in compounds:
        gross_unit = rng.uniform(62, 95)
        target_units = max(8, int(float(c.floor_area) / gross_unit))
        c.is_single_building = target_units <= 30 and rng.random() < 0.5
        b_no, made = 1, 0
        while made < target_units:
            floors = rng.choice([5, 6, 6, 7]) if not c.is_single_building else rng.choice([6, 7])
            entrances = min(
                rng.choice([2, 3, 3, 4]), max(1, (target_units - made) // (floors * 2) or 1)
            )
            per = floors * entrances * 2
            b = Building(
                compound=c,
                number=f"{b_no}栋",
                floors=floors,
                entrances=entrances,
                built_year=c.built_year,
                floor_area=Decimal(round(per * gross_unit, 2)),
            )
            buildings.append(b)
            plan.append((c, b, floors, entrances, gross_unit))
            made += per
            b_no += 1
            if c.is_single_building:
                break
        c.building_count = b_no - 1 if not c.is_single_building else 1
    Building.objects.bulk_create(buildings, batch_size=2000)

    owners, units = [], []
    for c, b, floors, entrances, gross_unit in plan:
        developer = None
        if rng.random() < 0.06:
            developer = Owner(
                compound=c, name=f"{rng.choice(PLACES)}房地产开发有限公司", is_developer=True
            )
            owners.append(developer)
        last_owner = None
        for e in range(1, entrances + 1):
            for f in range(1, floors + 1):
                for k in (1, 2):
                    excl = Decimal(str(round(gross_unit * rng.uniform(0.72, 0.86), 2)))
                    r = rng.random()
                    if developer is not None and r < 0.08:
                        owner = developer
                    elif last_owner is not None and r < 0.05:
                        owner = last_owner  # one owner holding the unit next door too
                    elif r < 0.97:
                        owner = Owner(compound=c, name=_name(rng), phone=_phone(rng))
                        owners.append(owner)
                    else:
                        owner = None  # ownership not yet registered
                    if owner is not None and not owner.is_developer:
                        last_owner = owner
                    units.append(
                        Unit(
                            building=b,
                            entrance=str(e),
                            number=f"{f}0{k}",
                            floor=f,
                            exclusive_area=excl,
                            owner=owner,
                        )
                    )
    Owner.objects.bulk_create(owners, batch_size=5000)
    for u in units:
        u.owner_id = u.owner.pk if u.owner is not None else None
    Unit.objects.bulk_create(units, batch_size=5000)
    for c in compounds:
        c.households = 0
    per_compound = {}
    for u in units:
        per_compound[u.building.compound_id] = per_compound.get(u.building.compound_id, 0) + 1
    for c in compounds:
        c.households = per_compound.get(c.pk, 0)
    Compound.objects.bulk_update(
        compounds, ["households", "building_count", "is_single_building"], batch_size=500
    )

    # Condition surveys for ~85% of compounds: older, unmanaged compounds fare worse.
    surveyor = User.objects.filter(role=Role.SURVEYOR).first()
    today = date(2026, 11, 1)
    surveys, conds = [], []
    for c in compounds:
        if rng.random() > 0.85:
            continue
        neglect = (2005 - c.built_year) / 80 + (
            0.2 if c.management_status in ("none", "self_governance") else 0
        )
        ratings = {}
        for fac in FACILITIES:
            p = [
                max(0.05, 0.7 - neglect),
                0.35,
                0.15 + neglect / 3,
                0.05 + (neglect / 3 if fac.group == "enhancement" else 0),
            ]
            ratings[fac.code] = rng.choices(RATINGS, p)[0]
        s = Survey(
            compound=c,
            surveyor=surveyor,
            surveyed_on=today - timedelta(days=rng.randint(20, 700)),
            note=rng.choice(
                [
                    "",
                    "管网老化严重,雨季积水",
                    "楼道照明缺失,路面破损",
                    "居民改造意愿强烈",
                    "无物业管理,环境脏乱",
                    "停车无序,消防通道被占",
                ]
            ),
            score=condition_score(ratings),
        )
        surveys.append((s, ratings))
    Survey.objects.bulk_create([s for s, _ in surveys], batch_size=1000)
    latest.refresh([s.compound_id for s, _ in surveys])  # bulk: no signal
    for s, ratings in surveys:
        for code, rating in ratings.items():
            conds.append(
                Condition(
                    survey=s,
                    facility=code,
                    rating=rating,
                    note=""
                    if rating in ("good", "worn")
                    else rng.choice(["", "需更换", "多处破损"]),
                )
            )
    Condition.objects.bulk_create(conds, batch_size=5000)

    # Organisation logins: a property company and an owners' committee.
    managed = next(c for c in compounds if c.property_company_id)
    pc_user = User.objects.create_user(
        "wuye_demo",
        password=DEMO_PASSWORD,
        role=Role.PROPERTY_COMPANY,
        organisation_id=managed.property_company_id,
        display_name=f"{managed.property_company.name} 客服",
    )
    tx = next((c for c in compounds if c.community.code == "530103005006"), compounds[0])
    committee = Organisation.objects.create(
        name=f"{tx.name}业主委员会", kind="owners_committee", area=tx.community
    )
    Compound.objects.filter(pk=tx.pk).update(owners_committee=committee)
    User.objects.create_user(
        "yeweihui_demo",
        password=DEMO_PASSWORD,
        role=Role.OWNERS_COMMITTEE,
        organisation=committee,
        display_name=f"{tx.name}业委会 主任",
    )
    ctx.shared["compounds"] = compounds
    ctx.shared["demo_committee_compound"] = tx
    ctx.shared["demo_property_company"] = pc_user.organisation
    ctx.say(
        f"  小区 {len(compounds)} 个, 楼栋 {len(buildings)} 栋, 房屋 {len(units)} 户, "
        f"业主 {len(owners)} 个, 摸底调查 {len(surveys)} 份"
    )
    logins(ctx)


def logins(ctx):
    pc = User.objects.filter(username="wuye_demo").select_related("organisation").first()
    oc = User.objects.filter(username="yeweihui_demo").select_related("organisation").first()
    if pc:
        ctx.add_login("物业服务企业", "wuye_demo", f"{pc.organisation.name} 管理的小区")
    if oc:
        ctx.add_login("业主委员会", "yeweihui_demo", f"{oc.organisation.name}:本小区,可见业主信息")
