"""The scope rules' vocabulary: verdicts, criteria and exclusions with their
labels (marked for translation, translated where they are displayed: the
reasons themselves are stored in Chinese). Plain data, no Django models."""

from django.utils.translation import gettext_noop

ELIGIBLE, INELIGIBLE, REVIEW = "eligible", "ineligible", "review"
VERDICT_LABELS = {
    ELIGIBLE: gettext_noop("符合改造范围"),
    REVIEW: gettext_noop("待核实"),
    INELIGIBLE: gettext_noop("不符合"),
}

# Condition criteria ("the compound needs renovation"), in the seed's order.
NEGLECT, FACILITIES, ENVIRONMENT, MANAGEMENT = "neglect", "facilities", "environment", "management"
CONDITION_LABELS = {
    NEGLECT: gettext_noop("失养失修失管严重"),
    FACILITIES: gettext_noop("市政配套设施不完善"),
    ENVIRONMENT: gettext_noop("环境脏乱差"),
    MANAGEMENT: gettext_noop("管理服务水平落后"),
}
# Exclusions (seed: 不属于老旧小区改造范畴).
SHANTYTOWN, DEMOLITION, SELF_BUILT, URBAN_VILLAGE = (
    "shantytown",
    "demolition",
    "self_built",
    "urban_village",
)
EXCLUSION_LABELS = {
    SHANTYTOWN: gettext_noop("已纳入城镇棚户区改造计划"),
    DEMOLITION: gettext_noop("近期拟拆除新建或改、扩、翻建"),
    SELF_BUILT: gettext_noop("以居民自建住房为主的区域"),
    URBAN_VILLAGE: gettext_noop("城中村"),
}
# Willingness modes: required (no survey yet → review), if_surveyed (checked
# once a survey exists, does not hold the reserve back before), off.
WILLINGNESS_REQUIRED, WILLINGNESS_IF_SURVEYED, WILLINGNESS_OFF = "required", "if_surveyed", "off"

MANAGEMENT_LABELS = {
    "property_company": gettext_noop("物业服务企业"),
    "property_rights_unit": gettext_noop("产权单位管理"),
    "self_governance": gettext_noop("居民自治"),
    "none": gettext_noop("无人管理"),
}
POOR_RATINGS = {"broken", "missing"}
RATING_LABELS = {
    "good": gettext_noop("完好"),
    "worn": gettext_noop("老化"),
    "broken": gettext_noop("损坏"),
    "missing": gettext_noop("缺失"),
    "na": gettext_noop("不适用"),
}
