"""Routing and time limits: who answers for a feedback item of each category
in a compound, and by when (DESIGN.md: every stage has a responsible
organisation and a due date, 层层压实责任)."""

from datetime import date, timedelta

from django.conf import settings

from gaizao.regions.models import Organisation

from ..models import FeedbackCategory, FeedbackStatus, ResponsibleParty

C = FeedbackCategory
S = FeedbackStatus

# Routing by category: who answers for it (DESIGN.md: every stage has a
# responsible organisation). Construction → the compound's contractor;
# management → the managing organisation; pipes, power, gas → the utility;
# each falls back to the community committee, which always exists.
CONSTRUCTION = {
    C.CONSTRUCTION_QUALITY,
    C.CONSTRUCTION_SAFETY,
    C.NOISE_DUST,
    C.PROGRESS,
    C.CIVILISED,
}
MANAGEMENT = {C.PROPERTY_SERVICE, C.FACILITY_DAMAGE}
UTILITIES = {C.UTILITIES}

# Time limit per category, in days (层层压实责任): safety first.
SLA_DAYS = {
    C.CONSTRUCTION_SAFETY: 1,
    C.NOISE_DUST: 2,
    C.CIVILISED: 3,
    C.UTILITIES: 3,
    C.PROPERTY_SERVICE: 3,
    C.CONSTRUCTION_QUALITY: 5,
    C.FACILITY_DAMAGE: 5,
    C.PROGRESS: 7,
    C.OTHER: 7,
}
OPEN_STATES = {S.OPEN, S.ACCEPTED, S.REOPENED}  # the responsible side owes an answer


def auto_confirm_days() -> int:
    """Days a reporter has to answer "问题解决了吗?" before it counts as yes."""
    return int(getattr(settings, "GAIZAO_FEEDBACK_AUTO_CONFIRM_DAYS", 7))


def community_organisation(compound) -> Organisation:
    """The community committee of the compound's community, made on demand;
    the street office when the compound has no community on record."""
    area = compound.community or compound.street
    kind = (
        Organisation.Kind.COMMUNITY_COMMITTEE
        if compound.community_id
        else Organisation.Kind.STREET_OFFICE
    )
    org, _created = Organisation.objects.get_or_create(
        kind=kind, area=area, defaults={"name": area.name}
    )
    return org


def route(compound, category: str) -> Organisation:
    """The organisation responsible for a feedback item of this category."""
    if category in CONSTRUCTION or category in UTILITIES:
        kind = (
            ResponsibleParty.Kind.CONTRACTOR
            if category in CONSTRUCTION
            else ResponsibleParty.Kind.UTILITY
        )
        party = (
            ResponsibleParty.objects.filter(compound=compound, kind=kind)
            .select_related("organisation")
            .first()
        )
        if party is not None:
            return party.organisation
    elif category in MANAGEMENT:
        manager = compound.property_company or compound.property_rights_unit
        if manager is not None:
            return manager
    return community_organisation(compound)


def due_date(category: str, start: date) -> date:
    return start + timedelta(days=SLA_DAYS.get(category, 7))
