"""Reads for the legal record of a vote: the jurisdiction's vote rules, the
owners' register frozen at opening, the residents of a unit (to tell them),
and the vote bound to a plan version (the plans approval gate)."""

from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from gaizao.accounts.models import Role, User

from .models import (
    DEFAULT_MIN_VOTING_DAYS,
    DEFAULT_NOTICE_DAYS_BEFORE,
    MeetingRules,
    Objection,
    Vote,
    VoteRules,
)
from .selectors_units import compound_units


@dataclass(frozen=True)
class Rules:
    notice_days_before: int = DEFAULT_NOTICE_DAYS_BEFORE
    min_voting_days: int = DEFAULT_MIN_VOTING_DAYS
    assisted_needs_both: bool = False
    area_name: str = ""
    plan_cost_tolerance: Decimal = Decimal("0")


def vote_rules_for(compound) -> Rules:
    """The nearest area up from the compound's community (else street) that
    has VoteRules; the defaults (owners' meeting rules: 15 days) otherwise."""
    start = compound.community or compound.street
    chain = [start, *start.ancestors()] if start is not None else []
    found = {r.area_id: r for r in VoteRules.objects.filter(area__in=[a.pk for a in chain])}
    for a in chain:
        r = found.get(a.pk)
        if r is not None:
            return Rules(
                r.notice_days_before,
                r.min_voting_days,
                r.assisted_needs_both,
                a.name,
                r.plan_cost_tolerance,
            )
    return Rules()


def register_rows(compound_id) -> list[list]:
    """The owners' register now, as stored on a vote when it opens:
    [unit_id, exclusive area (str), owner key or None, developer]."""
    return [
        [uid, str(area) if area is not None else None, f"o{oid}" if oid else None, bool(dev)]
        for uid, area, oid, dev in compound_units(compound_id)
        .order_by("id")
        .values_list("id", "exclusive_area", "owner_id", "owner__is_developer")
    ]


def register_of(vote: Vote) -> list[tuple[int, Decimal | None, str | None, bool]]:
    rows = vote.register if vote.register_frozen_at else register_rows(vote.compound_id)
    return [(u, Decimal(a) if a is not None else None, o, bool(d)) for u, a, o, d in rows]


def unit_residents(unit_id) -> list[User]:
    """The resident accounts of a unit (the owner's portal logins)."""
    return list(User.objects.filter(role=Role.RESIDENT, unit_id=unit_id, is_active=True))


def plan_votes(plan_id: int, matter: int):
    """Votes on this art. 278 matter bound to a plan row (one version)."""
    return Vote.objects.filter(plan_id=plan_id, matter=matter).order_by("-id")


def standing_plan_votes(compound_id, matter: int):
    """Votes on this matter bound to a plan version that stand: published,
    passed and not set aside; the latest plan version first."""
    return Vote.objects.filter(
        compound_id=compound_id,
        matter=matter,
        plan_id__isnull=False,
        status=Vote.Status.PUBLISHED,
        passed=True,
        overturned=False,
    ).order_by("-plan_version", "-id")


def pending_objections(vote: Vote) -> int:
    return Objection.objects.filter(vote=vote, state=Objection.State.PENDING).count()


def meeting_rules_of(compound_id) -> MeetingRules | None:
    return MeetingRules.objects.filter(compound_id=compound_id).first()


def deemed_consent_rule(vote: Vote) -> MeetingRules | None:
    """The compound's adopted 议事规则 clause on deemed consent, if it applies
    to this vote: adopted on or before the day the vote opened (a rule
    adopted later does not reach back)."""
    rules = meeting_rules_of(vote.compound_id)
    if rules is None or not rules.deemed_consent:
        return None
    if rules.adopted_on > timezone.localtime(vote.opens_at).date():
        return None
    return rules
