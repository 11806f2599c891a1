"""Shared test cast and factories (STYLE.md habit 11). Used by conftest.py
fixtures and by bench scripts. Plain functions; no randomness. It sits
beside gaizao/urls.py, above the apps (it builds users, areas and compounds),
so that core imports nothing above it."""

from datetime import date
from decimal import Decimal

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gaizao.accounts.models import Role, User
from gaizao.inventory.models import Building, Compound, Owner, Unit
from gaizao.regions.models import Area, Organisation
from gaizao.works.models import STAGE_ORDER, Milestone, Works

PASSWORD = "pw-for-tests-1"


def make_areas() -> dict[str, Area]:
    """A small Panlong: two streets, three communities."""

    def mk(code, name, level, parent=None):
        a, _ = Area.objects.get_or_create(
            code=code, defaults={"name": name, "level": level, "parent": parent}
        )
        return a

    city = mk("530100000000", "昆明市", "city")
    district = mk("530103000000", "盘龙区", "district", city)
    jinchen = mk("530103005000", "金辰街道", "street", district)
    qingyun = mk("530103006000", "青云街道", "street", district)
    tianxiang = mk("530103005006", "天祥社区居委会", "community", jinchen)
    qinglongshan = mk("530103005007", "青龙山社区居委会", "community", jinchen)
    yunshan = mk("530103006001", "云山社区居委会", "community", qingyun)
    return {
        "city": city,
        "district": district,
        "jinchen": jinchen,
        "qingyun": qingyun,
        "tianxiang": tianxiang,
        "qinglongshan": qinglongshan,
        "yunshan": yunshan,
    }


def make_user(
    username: str,
    role: str = "",
    *,
    area=None,
    organisation=None,
    unit=None,
    superuser: bool = False,
) -> User:
    u = User.objects.create_user(
        username=username,
        password=PASSWORD,
        role=role,
        area=area,
        organisation=organisation,
        unit=unit,
        display_name=username,
    )
    if superuser:
        u.is_superuser = u.is_staff = True
        u.save(update_fields=["is_superuser", "is_staff"])
    return u


def make_org(name: str, kind: str, area=None) -> Organisation:
    return Organisation.objects.create(name=name, kind=kind, area=area)


def make_compound(street: Area, name: str = "测试小区", *, community=None, **kw) -> Compound:
    defaults = dict(
        built_year=1995,
        floor_area=Decimal("20000"),
        households=200,
        building_count=4,
        in_main_urban_area=True,
        management_status="none",
    )
    defaults.update(kw)
    return Compound.objects.create(name=name, street=street, community=community, **defaults)


def make_building(compound: Compound, number: str = "1栋", **kw) -> Building:
    return Building.objects.create(compound=compound, number=number, **kw)


def make_owner(compound: Compound, name: str = "张三", **kw) -> Owner:
    return Owner.objects.create(compound=compound, name=name, **kw)


def make_unit(
    building: Building, number: str = "101", area="80", *, entrance="1", owner=None
) -> Unit:
    return Unit.objects.create(
        building=building,
        entrance=entrance,
        number=number,
        exclusive_area=Decimal(str(area)),
        owner=owner,
    )


def make_cast(areas: dict[str, Area]) -> dict:
    """One user per role, with the compounds they should and should not see.

    compound_a: 金辰街道 / 天祥社区, managed by 物业 A, with one building and
    two units (owner 张三 holds both). compound_b: 青云街道 / 云山社区."""
    pc = make_org("甲物业公司", Organisation.Kind.PROPERTY_COMPANY, areas["jinchen"])
    oc = make_org("天祥小区业委会", Organisation.Kind.OWNERS_COMMITTEE, areas["tianxiang"])
    a = make_compound(
        areas["jinchen"],
        "天祥小区",
        community=areas["tianxiang"],
        property_company=pc,
        owners_committee=oc,
        management_status="property_company",
    )
    b = make_compound(areas["qingyun"], "云山小区", community=areas["yunshan"])
    ba = make_building(a, "1栋")
    owner = make_owner(a, "张三丰", phone="13812345678", id_number="530103199001011234")
    u1 = make_unit(ba, "101", "80.5", owner=owner)
    u2 = make_unit(ba, "102", "60", owner=owner)
    bb = make_building(b, "1栋")
    ub = make_unit(bb, "101", "70")
    users = {
        "admin": make_user("admin", superuser=True),
        "district": make_user("district", Role.LEADERSHIP, area=areas["district"]),
        "bureau": make_user("bureau", Role.HOUSING_BUREAU, area=areas["district"]),
        "street_jinchen": make_user("street_jinchen", Role.STREET_OFFICE, area=areas["jinchen"]),
        "street_qingyun": make_user("street_qingyun", Role.STREET_OFFICE, area=areas["qingyun"]),
        "community_tianxiang": make_user(
            "community_tianxiang", Role.COMMUNITY, area=areas["tianxiang"]
        ),
        "community_yunshan": make_user("community_yunshan", Role.COMMUNITY, area=areas["yunshan"]),
        "surveyor": make_user("surveyor", Role.SURVEYOR, area=areas["jinchen"]),
        "property_company": make_user("property_company", Role.PROPERTY_COMPANY, organisation=pc),
        "owners_committee": make_user("owners_committee", Role.OWNERS_COMMITTEE, organisation=oc),
        "contractor": make_user(
            "contractor",
            Role.CONTRACTOR,
            organisation=make_org("乙建设公司", Organisation.Kind.CONTRACTOR),
        ),
        "resident_a": make_user("resident_a", Role.RESIDENT, unit=u1),
        "resident_b": make_user("resident_b", Role.RESIDENT, unit=ub),
        "norole": make_user("norole"),
    }
    return {
        "users": users,
        "compound_a": a,
        "compound_b": b,
        "building_a": ba,
        "building_b": bb,
        "units_a": [u1, u2],
        "unit_b": ub,
        "owner_a": owner,
        "property_company": pc,
        "owners_committee_org": oc,
    }


def make_works(plan, *, done_through: str | None = None, contractor=None, on=None, **kw):
    """A works for `plan` (ORM only, no service checks) with its six
    milestones; stages up to and including `done_through` marked done on `on`
    (default: today)."""
    w = Works.objects.create(
        plan=plan,
        compound=plan.compound if plan.compound_id else None,
        cluster=plan.cluster if plan.cluster_id else None,
        name=f"{plan.compound.name if plan.compound_id else plan.cluster.name}改造工程",
        contractor=contractor,
        **kw,
    )
    upto = STAGE_ORDER.index(done_through) if done_through else -1
    for i, s in enumerate(STAGE_ORDER):
        Milestone.objects.create(
            works=w, stage=s, seq=i, actual_on=(on or date.today()) if i <= upto else None
        )
    return w


def cold_query_count(client, path: str) -> int:
    """Queries `client` makes for GET `path` with every cache cleared first
    (the cold page), asserting the page answers 200: the query-count tests'
    measure (a count that must not grow with the data)."""
    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200, path
    return len(ctx.captured_queries)
