"""Demo areas and organisations: Panlong District with its real 12 streets
and statistics codes (regions/data/panlong_streets.csv), the communities
we have real codes for (panlong_communities_partial.csv) and, for the other
streets, generated communities (named 第N社区, codes in the same pattern)."""

import csv
from pathlib import Path

from .models import Area, Organisation

DATA = Path(__file__).parent / "data"
# Streets of the main urban area (主城区); the four northern ones are not.
URBAN_STREETS = {"001", "002", "003", "004", "005", "006", "007", "008"}


def _rows(name):
    with open(DATA / name, encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


def seed(ctx):
    province = Area.objects.create(code="530000000000", name="云南省", level="province")
    city = Area.objects.create(code="530100000000", name="昆明市", level="city", parent=province)
    district = Area.objects.create(
        code="530103000000", name="盘龙区", level="district", parent=city
    )
    streets = {}
    for r in _rows("panlong_streets.csv"):
        code9 = r["统计用区划代码"].strip()
        streets[r["街道名称"].strip()] = Area.objects.create(
            code=code9 + "000", name=r["街道名称"].strip(), level="street", parent=district
        )
    real = {}
    for r in _rows("panlong_communities_partial.csv"):
        real.setdefault(r["所属街道"].strip(), []).append(
            (r["统计用区划代码"].strip(), r["名称"].strip())
        )
    communities = []
    for sname, street in streets.items():
        if sname in real:
            pairs = real[sname]
        else:
            n = 3 if street.code[6:9] in URBAN_STREETS else 2
            stem = sname.removesuffix("街道")
            pairs = [
                (street.code[:9] + f"{i:03d}", f"{stem}第{i}社区居委会") for i in range(1, n + 1)
            ]
        for code, name in pairs:
            communities.append(
                Area(code=code, name=name, level="community", parent=street, prefix=code)
            )
    Area.objects.bulk_create(communities)

    K = Organisation.Kind
    Organisation.objects.create(
        name="盘龙区老旧小区改造工作领导小组办公室", kind=K.LEADERSHIP_OFFICE, area=district
    )
    Organisation.objects.create(name="盘龙区住房和城乡建设局", kind=K.HOUSING_BUREAU, area=district)
    Organisation.objects.create(name="盘龙区民政局", kind=K.CIVIL_AFFAIRS, area=district)
    for sname, street in streets.items():
        Organisation.objects.create(name=f"{sname}办事处", kind=K.STREET_OFFICE, area=street)
    Organisation.objects.bulk_create(
        Organisation(name=c.name, kind=K.COMMUNITY_COMMITTEE, area=c) for c in communities
    )
    for name in [
        "春城物业服务有限公司",
        "金碧物业管理有限公司",
        "滇池安居物业有限公司",
        "龙泉物业服务中心",
        "盘江物业管理有限公司",
        "翠湖物业服务有限公司",
    ]:
        Organisation.objects.create(name=name, kind=K.PROPERTY_COMPANY, area=district)
    for name in [
        "昆明机床厂(产权单位)",
        "云南冶金设计院(产权单位)",
        "盘龙区房产管理所",
        "昆明铁路分局住房管理所",
        "省第二建筑公司(产权单位)",
        "市纺织厂(产权单位)",
    ]:
        Organisation.objects.create(name=name, kind=K.PROPERTY_RIGHTS_UNIT, area=district)
    for name in ["供水公司盘龙分公司", "昆明供电局盘龙供电所", "燃气公司盘龙分公司"]:
        Organisation.objects.create(name=name, kind=K.UTILITY, area=district)
    Organisation.objects.create(name="云南建工第三建设有限公司", kind=K.CONTRACTOR, area=district)
    Organisation.objects.create(name="昆明城市更新设计研究院", kind=K.DESIGNER, area=district)
    ctx.shared["district"] = district
    ctx.shared["streets"] = streets
    ctx.say(f"  行政区划: 盘龙区 {len(streets)} 个街道, {len(communities)} 个社区")
