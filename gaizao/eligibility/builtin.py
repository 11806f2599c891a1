"""The built-in policies, as plain data: used by the data migration (the
national fallback exists in every deployment) and by
`services.ensure_builtin_policies()` (Panlong 2020 once its area exists).

Where a document gives no number (score threshold, broken share, the
extension cap) the value here is this system's default reading, editable by
saving a new version of the policy; docs/eligibility.md lists them.
"""

from datetime import date
from decimal import Decimal

ALL_EXCLUSIONS = ["shantytown", "demolition", "self_built", "urban_village"]
ALL_CRITERIA = ["neglect", "facilities", "environment", "management"]
ENV_FACILITIES = ["waste_sorting", "illegal_structures", "cooking_fumes"]

PANLONG_AREA_CODE = "530103000000"

NATIONAL_2020 = {
    "code": "national-2020",
    "name": "全国城镇老旧小区改造(2020)",
    "area_code": None,  # nationwide: the fallback for every jurisdiction
    "version": 1,
    "valid_from": date(2020, 7, 10),
    "is_default": True,
    "basis": "国办发〔2020〕23号《关于全面推进城镇老旧小区改造工作的指导意见》",
    "description": (
        "城市或县城(城关镇)建成年代较早、失养失修失管、市政配套设施不完善、社区服务设施不健全、"
        "居民改造意愿强烈的住宅小区(含单栋住宅楼)。重点改造2000年底前建成的老旧小区;"
        "各地可将2005年底前建成的小区纳入,纳入户数受当年改造总户数比例上限约束。"
        "棚户区、拟拆除新建的小区、居民自建住房为主的区域和城中村不属于老旧小区(建办城函〔2019〕243号)。"
    ),
    "built_cutoff": date(2000, 12, 31),
    "cutoff_inclusive": True,
    "extension_cutoff": date(2005, 12, 31),
    "extension_cap_pct": Decimal("20"),
    "require_main_urban": False,
    "single_buildings_count": True,
    "criteria": ["neglect", "facilities"],
    "conditions_min": 1,
    "neglect_score_below": Decimal("60"),
    "neglect_statuses": ["none", "self_governance"],
    "facilities_broken_pct": Decimal("30"),
    "environment_facilities": ENV_FACILITIES,
    "environment_min": 1,
    "poor_management_statuses": ["none", "self_governance"],
    "willingness_mode": "if_surveyed",
    # willingness threshold: the model's default, exactly "2/3" (not in this
    # dict, so migration 0002 still runs on its own historical model)
    "exclusions": ALL_EXCLUSIONS,
    "demolition_years": None,
    "self_built_pct": Decimal("50"),
}

PANLONG_2020 = {
    "code": "panlong-2020",
    "name": "盘龙区老旧小区改造范围(2020)",
    "area_code": PANLONG_AREA_CODE,
    "version": 1,
    "valid_from": date(2020, 4, 16),
    "is_default": True,
    "basis": "盘龙区人民政府《盘龙全面启动老旧小区改造》(2020-04-16)",
    "description": (
        "全区主城区范围内2000年1月1日前建成、失养失修失管严重、市政配套设施不完善、环境脏乱差、"
        "管理服务水平落后、居民改造意愿强烈、参与改造积极性高的老旧小区。"
        "已纳入城镇棚户区改造计划,近3年内拟通过拆除新建或改、扩、翻建实施改造的住宅小区"
        "以及以居民自建住房为主的区域和城中村等,不属于老旧小区改造范畴。"
    ),
    "built_cutoff": date(2000, 1, 1),
    "cutoff_inclusive": False,
    "extension_cutoff": None,
    "extension_cap_pct": None,
    "require_main_urban": True,
    # The seed speaks of 小区 and never excludes single buildings; 23号 says
    # 住宅小区(含单栋住宅楼). Panlong counts them (issue 8).
    "single_buildings_count": True,
    "criteria": ALL_CRITERIA,
    "conditions_min": 2,
    "neglect_score_below": Decimal("60"),
    "neglect_statuses": ["none", "self_governance"],
    "facilities_broken_pct": Decimal("30"),
    "environment_facilities": ENV_FACILITIES,
    "environment_min": 1,
    "poor_management_statuses": ["none", "self_governance"],
    "willingness_mode": "required",
    # willingness threshold: the model's default, exactly "2/3" (not in this
    # dict, so migration 0002 still runs on its own historical model)
    "exclusions": ALL_EXCLUSIONS,
    "demolition_years": 3,
    "self_built_pct": Decimal("50"),
}

BUILTIN = [NATIONAL_2020, PANLONG_2020]
