"""The area a whole evaluation runs for, typed by name or 12-digit statistics
code and resolved within the user's scope (issue 14, STYLE.md habit 18: the
reserve page offers no list that grows with the jurisdiction)."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from gaizao.regions.models import Area
from gaizao.regions.scope import areas_within

from .permissions import area_within_user

CODE = re.compile(r"^\d{12}$")
# Levels a whole evaluation may cover (the user's own area always may).
LEVELS = ("province", "city", "district", "street", "community")


def resolve(user, text: str | None) -> tuple[Area | None, str]:
    """(area, "") or (None, a Chinese message saying why not). Empty text:
    the user's own area."""
    text = (text or "").strip()[:64]
    if not text:
        if user.area_id:
            return user.area, ""
        return None, _("请输入要评估的区划名称或12位统计用区划代码")
    if user.area_id and text == user.area.name:
        return user.area, ""  # the preselected default
    if CODE.match(text):
        area = Area.objects.filter(code=text).first()
        if area is None:
            return None, _("没有代码为 %(code)s 的区划") % {"code": text}
        if not area_within_user(user, area):
            return None, _("“%(name)s”不在您的辖区内,不能评估") % {"name": area.name}
        return area, ""
    if not (user.is_superuser or user.area_id):
        return None, _("您没有所属辖区,不能评估")
    scope = None if user.is_superuser else user.area
    found = list(areas_within(scope).filter(name=text, level__in=LEVELS).order_by("code")[:6])
    if len(found) == 1:
        return found[0], ""
    if len(found) > 1:
        shown = "、".join(f"{a.name}({a.code})" for a in found[:5])
        return None, _("有多个名为“%(name)s”的区划:%(list)s,请输入12位区划代码") % {
            "name": text,
            "list": shown,
        }
    if Area.objects.filter(name=text).exists():
        return None, _("“%(name)s”不在您的辖区内,不能评估") % {"name": text}
    return None, _("没有找到名为“%(name)s”的区划") % {"name": text}
