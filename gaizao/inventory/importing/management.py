"""The words sheets use for a compound's management status (管理状况), as
local governments write them, mapped to ManagementStatus codes."""

from django.utils.translation import gettext as _

from .cells import CellError, is_blank, nfkc, text

MANAGEMENT = {
    "property_company": (
        "物业",
        "物业服务企业",
        "物业公司",
        "物业管理",
        "专业物业",
        "物业服务",
        "有物业",
        "市场化物业",
    ),
    "property_rights_unit": (
        "产权单位",
        "产权单位管理",
        "单位管理",
        "单位自管",
        "原产权单位",
        "单位",
    ),
    "self_governance": (
        "自治",
        "居民自治",
        "业主自治",
        "自管",
        "居民自管",
        "业委会",
        "自治管理",
        "社区托管",
        "社区代管",
        "准物业",
    ),
    "none": ("无", "无人管理", "无物业", "弃管", "失管", "无管理", "否", "没有"),
}
_MANAGEMENT_LOOKUP = {w: k for k, words in MANAGEMENT.items() for w in words}


def management_status(value) -> str:
    if is_blank(value):
        return ""
    s = nfkc(value).replace(" ", "")
    if s in _MANAGEMENT_LOOKUP:
        return _MANAGEMENT_LOOKUP[s]
    for word, key in sorted(_MANAGEMENT_LOOKUP.items(), key=lambda kv: -len(kv[0])):
        if len(word) > 1 and word in s:
            return key
    raise CellError(
        _("“%(value)s”不是可识别的管理状况(物业 / 产权单位 / 自治 / 无)") % {"value": text(value)}
    )
