"""Choosing one organisation without a list of every organisation (STYLE.md
habit 18), the way inventory.picking chooses a compound.

A form asks for an organisation typed by name, with at most SUGGEST_LIMIT
suggestions as the user types (a `<datalist>` filled by
gaizao/static/gaizao/app.js from a small JSON endpoint). The typed value is
looked up among the organisations the form may offer, so a forged or
out-of-scope value is refused with a message and never trusted.

Which organisations a user may name (`near`): those registered inside the
user's area, those of the areas above it (a district's contractors and
departments for a street office) and those registered with no area
(companies that work anywhere), never another street's or district's."""

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from gaizao.core.picking import SEP, pick_named

from .models import Area, Organisation

SUGGEST_LIMIT = 20


def ancestor_ids(area: Area) -> list[int]:
    ids, a = [], area.parent
    while a is not None:  # at most five levels
        ids.append(a.pk)
        a = a.parent
    return ids


def near(area: Area | None, qs: QuerySet | None = None, *, everything: bool = False) -> QuerySet:
    """The organisations of `qs` inside `area` or registered at a level above
    it; everything=True (superusers): all of them; no area: none."""
    qs = Organisation.objects.all() if qs is None else qs
    if everything:
        return qs
    if area is None:
        return qs.none()
    if area.level == Area.Level.COUNTRY:
        return qs
    return qs.filter(
        Q(area__prefix__startswith=area.prefix)
        | Q(area_id__in=ancestor_ids(area))
        | Q(area__isnull=True)
    )


def label(o: Organisation) -> str:
    return o.name


def pick(qs: QuerySet, value, what: str) -> Organisation | None:
    """The organisation `value` names within `qs` (its name, "地区·名称" when
    two share a name, or its id); None when blank; DomainError in the
    reader's language when it is not there or is ambiguous."""
    return pick_named(
        qs,
        value,
        what,
        parent_name="area__name",
        ambiguous=_("%(label)s“%(v)s”有同名单位,请写成“地区·单位名”,如“%(e)s”"),
        label=lambda o: f"{o.area.name if o.area_id else ''}{SEP}{o.name}",
    )


def suggest(qs: QuerySet, text: str, limit: int = SUGGEST_LIMIT) -> list[dict]:
    """At most `limit` organisations of `qs` whose name contains `text`,
    names that start with it first."""
    text = (text or "").strip()[:100]
    if not text:
        return []
    found = qs.filter(name__contains=text).only("name")
    rows = list(found.filter(name__startswith=text).order_by("name", "pk")[:limit])
    if len(rows) < limit:
        seen = [o.pk for o in rows]
        rows += list(found.exclude(pk__in=seen).order_by("name", "pk")[: limit - len(rows)])
    return [{"id": o.pk, "label": label(o)} for o in rows]
