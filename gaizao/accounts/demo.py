"""Demo staff logins. Organisation users (property company, owners'
committee) are made in inventory.demo once compounds exist."""

from gaizao.core.demo import DEMO_PASSWORD
from gaizao.regions.models import Area

from .models import Role, User

STAFF = [
    # (username, display name, role, area code, what the login is for)
    ("panlong_office", "区改造办 王主任", Role.LEADERSHIP, "530103000000", "全区:领导小组办公室"),
    ("panlong_zjj", "区住建局 李科长", Role.HOUSING_BUREAU, "530103000000", "全区:住建局"),
    ("jinchen_street", "金辰街道 赵干事", Role.STREET_OFFICE, "530103005000", "金辰街道的小区"),
    ("qingyun_street", "青云街道 钱干事", Role.STREET_OFFICE, "530103006000", "青云街道的小区"),
    (
        "tianxiang_sq",
        "天祥社区 孙主任",
        Role.COMMUNITY,
        "530103005006",
        "天祥社区的小区,可见业主信息",
    ),
    ("surveyor_jc", "摸底调查员 周师傅", Role.SURVEYOR, "530103005000", "金辰街道:填写摸底调查"),
]


def seed(ctx):
    User.objects.create_superuser("admin", password=DEMO_PASSWORD, display_name="系统管理员")
    areas = {a.code: a for a in Area.objects.filter(code__in=[s[3] for s in STAFF])}
    for username, display, role, code, _sees in STAFF:
        User.objects.create_user(
            username, password=DEMO_PASSWORD, display_name=display, role=role, area=areas[code]
        )
    logins(ctx)


def logins(ctx):
    ctx.add_login("系统管理员", "admin", "全部数据与后台 /admin/")
    for username, _display, role, _code, sees in STAFF:
        ctx.add_login(Role(role).label, username, sees)
