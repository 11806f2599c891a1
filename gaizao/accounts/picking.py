"""Choosing one person (a staff member who owns a task) without a list of
every user (STYLE.md habit 18): typed as "姓名(用户名)", suggested as the
user types from a small JSON endpoint, looked up among the people the form
may offer (regions.picking explains the pattern).

Whom a user may name (`near`): active staff whose area lies inside the
user's area or above it, and the staff of the organisations the user may
name (regions.picking.near); never residents."""

import re

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from gaizao.core.errors import DomainError
from gaizao.regions import picking as org_picking
from gaizao.regions.models import Area

from .models import Role, User

SUGGEST_LIMIT = 20
_TAIL = re.compile(r"^(?P<name>.*?)[((](?P<username>[^()()]+)[))]\s*$")


def near(area: Area | None, *, everything: bool = False) -> QuerySet:
    qs = User.objects.filter(is_active=True).exclude(role__in=[Role.RESIDENT, ""])
    if everything:
        return qs
    if area is None:
        return qs.none()
    orgs = org_picking.near(area).values("pk")
    if area.level == Area.Level.COUNTRY:
        return qs
    above = org_picking.ancestor_ids(area)
    return qs.filter(
        Q(area__prefix__startswith=area.prefix) | Q(area_id__in=above) | Q(organisation__in=orgs)
    )


def label(u: User) -> str:
    return f"{u.display_name or u.username}({u.username})"


def pick(qs: QuerySet, value, what: str) -> User | None:
    """The person `value` names within `qs` ("姓名(用户名)", the user name,
    a name that only one person has, or the id); None when blank."""
    value = (value or "").strip()
    if not value:
        return None
    if value.isdigit():
        hit = qs.filter(pk=int(value)).first()
        if hit is not None:
            return hit
    m = _TAIL.match(value)
    if m:
        hits = list(qs.filter(username=m["username"].strip())[:1])
    else:
        hits = list(qs.filter(username=value)[:1]) or list(qs.filter(display_name=value)[:2])
    if not hits:
        raise DomainError(_("%(label)s“%(v)s”不在可选范围内") % {"label": what, "v": value})
    if len(hits) > 1:
        raise DomainError(
            _("%(label)s“%(v)s”有同名人员,请写成“姓名(用户名)”,如“%(e)s”")
            % {"label": what, "v": value, "e": label(hits[0])}
        )
    return hits[0]


def suggest(qs: QuerySet, text: str, limit: int = SUGGEST_LIMIT) -> list[dict]:
    """At most `limit` people of `qs` whose name or user name contains `text`."""
    text = (text or "").strip()[:64]
    m = _TAIL.match(text)
    if m:
        text = m["username"].strip()
    if not text:
        return []
    found = qs.filter(Q(display_name__contains=text) | Q(username__contains=text))
    rows = list(found.only("username", "display_name").order_by("display_name", "username")[:limit])
    return [{"id": u.pk, "label": label(u)} for u in rows]
