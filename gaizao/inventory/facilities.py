"""The facilities a condition survey (摸底调查) checks, one per line of the seed's
基础项目 and 提升项目 lists. `group` is the seed's list the facility first
appears under; plans map catalogue items to these codes.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy, gettext_noop


@dataclass(frozen=True)
class Facility:
    code: str
    name: str  # zh-Hans (it feeds recorded eligibility reasons); pages translate it
    group: str  # "basic" (基础项目) or "enhancement" (提升项目)
    weight: int  # share in the condition score; basic facilities weigh more


FACILITIES: tuple[Facility, ...] = (
    # 基础项目: 水 电 路 气
    Facility("water_pipes", gettext_noop("供水管线管道"), "basic", 3),
    Facility("sewage_pipes", gettext_noop("污水管道及落水管"), "basic", 3),
    Facility("septic_drains", gettext_noop("化粪池及排水管(沟)"), "basic", 3),
    Facility("rain_sewage_separation", gettext_noop("雨污分流"), "basic", 2),
    Facility("rooftop_solar", gettext_noop("屋顶太阳能"), "basic", 1),
    Facility("street_lamps", gettext_noop("小区路灯"), "basic", 2),
    Facility("stairwell_lighting", gettext_noop("楼道照明"), "basic", 2),
    Facility("power_telecom_lines", gettext_noop("强弱电管线"), "basic", 3),
    Facility("roads", gettext_noop("小区道路"), "basic", 3),
    Facility("parking", gettext_noop("停车泊位"), "basic", 2),
    Facility("gas_pipes", gettext_noop("燃气管线管道"), "basic", 3),
    # 提升项目
    Facility("ebike_sheds", gettext_noop("电动自行车棚"), "enhancement", 1),
    Facility("fire_lanes", gettext_noop("消防通道"), "enhancement", 2),
    Facility("waste_sorting", gettext_noop("生活垃圾分类投放设施"), "enhancement", 1),
    Facility("security_cameras", gettext_noop("安防监控设施"), "enhancement", 1),
    Facility("barrier_free", gettext_noop("无障碍通道"), "enhancement", 1),
    Facility("stairs_handrails", gettext_noop("楼梯踏步扶手"), "enhancement", 1),
    Facility("stairwell_walls", gettext_noop("楼道墙面"), "enhancement", 1),
    Facility("building_signs", gettext_noop("楼栋标识"), "enhancement", 1),
    Facility("unit_fire_equipment", gettext_noop("单元消防设施"), "enhancement", 2),
    Facility("unit_doors", gettext_noop("单元防盗门(门禁)"), "enhancement", 1),
    Facility("walls_gates", gettext_noop("围墙和大门(道闸)"), "enhancement", 1),
    Facility("cooking_fumes", gettext_noop("餐饮油烟等污染治理"), "enhancement", 1),
    Facility("illegal_structures", gettext_noop("乱搭乱建清理"), "enhancement", 1),
    Facility("plaza", gettext_noop("公共活动广场"), "enhancement", 1),
    Facility("fitness_equipment", gettext_noop("室外健身器材"), "enhancement", 1),
    Facility("benches", gettext_noop("休闲座椅"), "enhancement", 1),
    Facility("mail_parcel_boxes", gettext_noop("信报箱、快递柜"), "enhancement", 1),
    Facility("notice_boards", gettext_noop("文化宣传栏"), "enhancement", 1),
    Facility("health_station", gettext_noop("小区卫生站"), "enhancement", 1),
    Facility("reading_room", gettext_noop("图书室"), "enhancement", 1),
    Facility("greenery", gettext_noop("小区绿化"), "enhancement", 1),
)

BY_CODE = {f.code: f for f in FACILITIES}
CHOICES = [(f.code, gettext_lazy(f.name)) for f in FACILITIES]
