"""Catalogue items that change the use of the owners' common parts or run a
business on them (改变共有部分的用途或者利用共有部分从事经营活动): putting
them into a plan needs the owners' decision under 《民法典》第二百七十八条第一款
第八项 (three quarters of the participating area and owners, 第二款). Parking
on common roads and ground belongs to the owners together (第二百七十五条
第二款), and chargers, parcel lockers and shops are run for a fee.

Marked by catalogue code (a jurisdiction's own item with one of these codes
is marked too)."""

from django.utils.translation import gettext_noop

COMMON_USE_CODES: dict[str, str] = {
    "parking_marking": gettext_noop("在共有道路、场地划设停车泊位"),
    "parking_garage": gettext_noop("利用共有场地建设停车库(场)"),
    "charging_points": gettext_noop("利用共有部分设置收费充电设施"),
    "parcel_lockers": gettext_noop("利用共有部分设置经营性快递柜"),
    "convenience_store": gettext_noop("利用共有部分开设便民商店"),
    "community_canteen": gettext_noop("利用共有部分开设社区食堂"),
}


def changes_common_use(code: str) -> bool:
    return code in COMMON_USE_CODES
