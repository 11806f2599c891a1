"""Choosing one record by typing its name, never from a list of every record
(STYLE.md habit 18): the one lookup behind the typed compound box
(inventory.picking) and the typed organisation box (regions.picking).

The value is a name, "上级·名称" when two share a name, or an id (what older
forms and the API send); it is looked up only among `qs`, the records the
form may offer, so a forged or out-of-scope value is refused with a message
and never trusted."""

from collections.abc import Callable

from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from .errors import DomainError

SEP = "·"


def pick_named(
    qs: QuerySet,
    value,
    what: str,
    *,
    parent_name: str,
    ambiguous: str,
    label: Callable[[Model], str],
) -> Model | None:
    """The record of `qs` that `value` names; None when blank.

    `parent_name` is the lookup of the parent's name ("street__name"),
    `ambiguous` the translated message when two records share the name
    (with %(label)s, %(v)s and %(e)s), `label` how an example is written.
    DomainError in the reader's language when it is not there or is
    ambiguous."""
    value = (value or "").strip()
    if not value:
        return None
    if value.isdigit():
        hit = qs.filter(pk=int(value)).first()
        if hit is None:
            raise DomainError(_("%(label)s不在可选范围内") % {"label": what})
        return hit
    parent, _sep, name = value.rpartition(SEP)
    found = qs.filter(name=name.strip())
    if parent.strip():
        found = found.filter(**{parent_name: parent.strip()})
    hits = list(found.select_related(parent_name.split("__")[0])[:3])
    if not hits:
        raise DomainError(_("%(label)s“%(v)s”不在可选范围内") % {"label": what, "v": value})
    if len(hits) > 1:
        raise DomainError(ambiguous % {"label": what, "v": value, "e": label(hits[0])})
    return hits[0]
