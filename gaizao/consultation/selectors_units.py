"""Finding a unit by building and house number (paper ballot entry), natural ordering of buildings."""

import re
import unicodedata
from decimal import Decimal

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from gaizao.core.errors import DomainError
from gaizao.core.sorting import natural_key
from gaizao.inventory.models import Building, Unit

from .models import (
    Ballot,
    Vote,
)

Q4 = Decimal("0.0001")


# ------------------------------------------------ unit search (paper entry)


def compound_units(compound_id):
    return Unit.objects.filter(building__compound_id=compound_id)


_BUILDING_SUFFIX = re.compile(r"(号楼|栋|幢|座|号)$")


def _tokens(q: str) -> list[str]:
    """ "1-302", "1单元302", "1/302室", "３０２" → ["1", "302"]; a building may
    lead: "2栋1-302" → ["2", "1", "302"]."""
    s = unicodedata.normalize("NFKC", q or "").strip().upper()
    s = re.sub(r"(号楼|栋|幢|座|单元|室|房|号)", " ", s)
    return [t for t in re.split(r"[\s\-—–/\\.,、]+", s) if t][:3]


def building_key(number: str) -> str:
    return _BUILDING_SUFFIX.sub("", unicodedata.normalize("NFKC", number).strip().upper())


def unit_search(vote: Vote, q: str, *, building_id=None, limit: int = 20):
    """Units of the vote's compound matching a typed house number, for staff
    entering a stack of paper sheets: "302" (any entrance), "1-302"
    (entrance-number), "2-1-302" (building-entrance-number, when no building
    is chosen). Exact numbers first, then numbers starting with what was
    typed. Each unit carries has_ballot. Returns (units, exact) where exact
    are the units whose number matches exactly."""
    toks = _tokens(q)
    qs = compound_units(vote.compound_id).select_related("building")
    if building_id:
        qs = qs.filter(building_id=building_id)
    if not toks:
        return [], []
    if len(toks) == 3 and not building_id:
        want = toks[0]
        ids = [
            b.pk
            for b in Building.objects.filter(compound_id=vote.compound_id).only("id", "number")
            if building_key(b.number) == want
        ]
        qs = qs.filter(building_id__in=ids)
        toks = toks[1:]
    elif len(toks) == 3:
        toks = toks[1:]
    if len(toks) == 2:
        qs = qs.filter(entrance__iexact=toks[0])
    number = toks[-1]
    qs = qs.filter(number__istartswith=number).annotate(
        has_ballot=Exists(Ballot.objects.filter(vote=vote, unit_id=OuterRef("pk")))
    )
    # Sorted here, not in SQL: 1栋 … 10栋 by number. A compound has at most
    # a few thousand units, and a typed prefix narrows them much further.
    units = sorted(
        qs,
        key=lambda u: (
            u.number.upper() != number,
            natural_key(u.building.number),
            natural_key(u.entrance),
            natural_key(u.number),
        ),
    )
    exact = [u for u in units if u.number.upper() == number]
    return units[:limit], exact


def resolve_unit(vote: Vote, q: str, *, building_id=None):
    """The one unit a typed house number means, or a DomainError that says
    why not (nothing found, or which units it could be)."""
    if not _tokens(q):
        raise DomainError(_("请输入房号,如 302 或 1-302(单元-房号)"))
    units, exact = unit_search(vote, q, building_id=building_id)
    pick = exact or units
    if len(pick) == 1:
        return pick[0]
    if not pick:
        if building_id:
            raise DomainError(_("本小区该楼栋没有房号为“%(q)s”的房屋") % {"q": q.strip()})
        raise DomainError(_("本小区没有房号为“%(q)s”的房屋") % {"q": q.strip()})
    names = "、".join(f"{u.building.number}{u}" for u in pick[:6])
    raise DomainError(
        (
            _("“%(q)s”对应 %(n)s 户(%(names)s等),请选择楼栋或输入“单元-房号”,如 1-302")
            if len(pick) > 6
            else _("“%(q)s”对应 %(n)s 户(%(names)s),请选择楼栋或输入“单元-房号”,如 1-302")
        )
        % {"q": q.strip(), "n": len(pick), "names": names}
    )


def entered_by_count(vote: Vote, user) -> int:
    """Paper and assisted ballots this staff member has entered in the vote."""
    return Ballot.objects.filter(vote=vote, entered_by=user).exclude(channel="online").count()
