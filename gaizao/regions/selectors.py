import re

from django.utils.translation import gettext as _

from .models import Area
from .scope import areas_within


def streets_of(area: Area | None):
    qs = Area.objects.filter(level=Area.Level.STREET)
    return areas_within(area, qs).order_by("code")


def communities_of(area: Area | None):
    qs = Area.objects.filter(level=Area.Level.COMMUNITY).select_related("parent")
    return areas_within(area, qs).order_by("code")


# A scope with more streets than this (a city, a province, the country) is
# offered no street list: the street is typed, by name or 12-digit code
# (STYLE.md habit 18: no control lists every area of the jurisdiction).
STREET_LIST_MAX = 100
_CODE = re.compile(r"^\d{12}$")


def street_list(streets) -> list[Area] | None:
    """The streets of `streets` (a queryset) to offer as a list, or None when
    there are more than STREET_LIST_MAX (one bounded query, no count)."""
    rows = list(streets[: STREET_LIST_MAX + 1])
    return None if len(rows) > STREET_LIST_MAX else rows


def resolve_street(streets, value) -> tuple[Area | None, str]:
    """The street of `streets` given by its id (a list's option, a link), its
    12-digit code or its exact name: (area, "") or (None, a Chinese message)."""
    text = str(value or "").strip()[:64]
    if not text:
        return None, ""
    if _CODE.match(text):
        found = list(streets.filter(code=text)[:2])
    elif text.isdigit():
        found = list(streets.filter(pk=int(text))[:2])
    else:
        found = list(streets.filter(name=text).order_by("code")[:6])
    if len(found) == 1:
        return found[0], ""
    if found:
        shown = "、".join(f"{a.name}({a.code})" for a in found[:5])
        return None, _("有多个名为“%(name)s”的街道:%(list)s,请输入12位区划代码") % {
            "name": text,
            "list": shown,
        }
    return None, _("您的辖区内没有街道“%(name)s”") % {"name": text}
