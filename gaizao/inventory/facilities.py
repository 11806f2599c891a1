"""The facilities a condition survey (摸底调查) checks, one per line of the seed's
基础项目 and 提升项目 lists. `group` is the seed's list the facility first
appears under; plans map catalogue items to these codes.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Facility:
    code: str
    name: str
    group: str  # "basic" (基础项目) or "enhancement" (提升项目)
    weight: int  # share in the condition score; basic facilities weigh more


FACILITIES: tuple[Facility, ...] = (
    # 基础项目: 水 电 路 气
    Facility("water_pipes", "供水管线管道", "basic", 3),
    Facility("sewage_pipes", "污水管道及落水管", "basic", 3),
    Facility("septic_drains", "化粪池及排水管(沟)", "basic", 3),
    Facility("rain_sewage_separation", "雨污分流", "basic", 2),
    Facility("rooftop_solar", "屋顶太阳能", "basic", 1),
    Facility("street_lamps", "小区路灯", "basic", 2),
    Facility("stairwell_lighting", "楼道照明", "basic", 2),
    Facility("power_telecom_lines", "强弱电管线", "basic", 3),
    Facility("roads", "小区道路", "basic", 3),
    Facility("parking", "停车泊位", "basic", 2),
    Facility("gas_pipes", "燃气管线管道", "basic", 3),
    # 提升项目
    Facility("ebike_sheds", "电动自行车棚", "enhancement", 1),
    Facility("fire_lanes", "消防通道", "enhancement", 2),
    Facility("waste_sorting", "生活垃圾分类投放设施", "enhancement", 1),
    Facility("security_cameras", "安防监控设施", "enhancement", 1),
    Facility("barrier_free", "无障碍通道", "enhancement", 1),
    Facility("stairs_handrails", "楼梯踏步扶手", "enhancement", 1),
    Facility("stairwell_walls", "楼道墙面", "enhancement", 1),
    Facility("building_signs", "楼栋标识", "enhancement", 1),
    Facility("unit_fire_equipment", "单元消防设施", "enhancement", 2),
    Facility("unit_doors", "单元防盗门(门禁)", "enhancement", 1),
    Facility("walls_gates", "围墙和大门(道闸)", "enhancement", 1),
    Facility("cooking_fumes", "餐饮油烟等污染治理", "enhancement", 1),
    Facility("illegal_structures", "乱搭乱建清理", "enhancement", 1),
    Facility("plaza", "公共活动广场", "enhancement", 1),
    Facility("fitness_equipment", "室外健身器材", "enhancement", 1),
    Facility("benches", "休闲座椅", "enhancement", 1),
    Facility("mail_parcel_boxes", "信报箱、快递柜", "enhancement", 1),
    Facility("notice_boards", "文化宣传栏", "enhancement", 1),
    Facility("health_station", "小区卫生站", "enhancement", 1),
    Facility("reading_room", "图书室", "enhancement", 1),
    Facility("greenery", "小区绿化", "enhancement", 1),
)

BY_CODE = {f.code: f for f in FACILITIES}
CHOICES = [(f.code, f.name) for f in FACILITIES]
