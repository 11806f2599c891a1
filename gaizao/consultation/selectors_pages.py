"""Reads behind the participation pages (staff overview, letters, the vote
and survey pages), so that the views hold no queries (STYLE.md habit 3)."""

from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from gaizao.core.sorting import unit_key
from gaizao.inventory.models import Building, Unit
from gaizao.inventory.permissions import compounds_for_user

from .models import (
    AccessCode,
    Ballot,
    BallotConflict,
    Consultation,
    ConsultationResponse,
    Objection,
    Vote,
)
from .selectors_units import compound_units, natural_key

# ------------------------------------------------------------ staff overview


def _count_of(qs):
    """A correlated COUNT(*) of `qs` (already filtered on OuterRef) as an
    annotation: no join, no DISTINCT over the compound rows."""
    counted = qs.order_by().values("compound_id").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def staff_compounds(user, *, q: str = "", active: bool = False):
    """The compounds of the user's jurisdiction for the participation
    overview, with survey counts and their votes (newest first).

    "Active" means a vote, a survey or an access code: three EXISTS
    subqueries, not an OR across joins with DISTINCT, which passed a second at
    about 1,200 compounds (issue 14; STYLE.md habit 18). The survey counts
    are correlated subqueries for the same reason (the page's COUNT stays a
    plain count of compounds)."""
    qs = compounds_for_user(user).select_related("street", "community")
    if q:
        qs = qs.filter(name__icontains=q)
    if active:
        qs = qs.filter(
            Exists(Vote.objects.filter(compound_id=OuterRef("pk")))
            | Exists(Consultation.objects.filter(compound_id=OuterRef("pk")))
            | Exists(AccessCode.objects.filter(unit__building__compound_id=OuterRef("pk")))
        )
    now = timezone.now()
    surveys = Consultation.objects.filter(compound_id=OuterRef("pk"))
    qs = qs.annotate(
        surveys_n=_count_of(surveys),
        surveys_open=_count_of(surveys.filter(opens_at__lte=now, closes_at__gt=now)),
    ).prefetch_related(Prefetch("votes", queryset=Vote.objects.order_by("-opens_at")))
    return qs.order_by("street__code", "name")


def compound_consultations(compound):
    return Consultation.objects.filter(compound=compound)


def compound_votes(compound):
    return Vote.objects.filter(compound=compound)


def building_units(building: Building) -> list[Unit]:
    # 1-2 before 1-10 (issue 13): by the numbers in the names, not as text
    units = building.units.all()
    return sorted(units, key=lambda u: unit_key("", u.entrance, u.number))


def building_unit(building: Building, unit_id) -> Unit | None:
    if not unit_id:
        return None
    return building.units.filter(pk=unit_id).first()


# ---------------------------------------------------------------- votes


def resident_unit(user) -> Unit | None:
    """The resident's own unit (with its building)."""
    return Unit.objects.select_related("building").filter(pk=user.unit_id).first()


def unit_ballot(vote: Vote, unit_id) -> Ballot | None:
    return Ballot.objects.filter(vote=vote, unit_id=unit_id).first()


def resolved_conflicts(vote: Vote):
    return (
        BallotConflict.objects.filter(vote=vote)
        .exclude(resolution="")
        .select_related("unit__building", "resolved_by")
    )


def vote_conflict(vote: Vote, cid) -> BallotConflict | None:
    return BallotConflict.objects.filter(vote=vote, pk=cid).first()


def vote_objection(vote: Vote, oid) -> Objection | None:
    return Objection.objects.filter(vote=vote, pk=oid).first()


def objections_count(vote: Vote) -> int:
    return Objection.objects.filter(vote=vote).count()


def vote_buildings(vote: Vote) -> list[Building]:
    # 1栋, 2栋 … 10栋: by the number in the name, not as text.
    return sorted(
        Building.objects.filter(compound_id=vote.compound_id).only("id", "number"),
        key=lambda b: natural_key(b.number),
    )


def vote_unit(vote: Vote, unit_id) -> Unit | None:
    """A unit of the vote's compound by id (None if it is not one)."""
    return (
        Unit.objects.select_related("building")
        .filter(pk=unit_id, building__compound_id=vote.compound_id)
        .first()
    )


# ------------------------------------------------------ willingness surveys


def unit_response(consultation: Consultation, unit) -> ConsultationResponse | None:
    return ConsultationResponse.objects.filter(consultation=consultation, unit=unit).first()


def response_item_ids(response: ConsultationResponse | None) -> set[str]:
    if response is None:
        return set()
    return {str(i) for i in response.choices.values_list("catalog_item_id", flat=True)}


def consultation_units(consultation: Consultation, *, with_owner: bool = False) -> list[Unit]:
    related = ("building", "owner") if with_owner else ("building",)
    units = compound_units(consultation.compound_id).select_related(*related)
    # 1栋 before 10栋, 1-2 before 1-10 (issue 13): by number, not as text. A
    # compound has at most a few thousand units; the page lists them all anyway.
    return sorted(units, key=lambda u: unit_key(u.building.number, u.entrance, u.number))


def responses_by_unit(consultation: Consultation) -> dict[int, ConsultationResponse]:
    return {
        r.unit_id: r
        for r in ConsultationResponse.objects.filter(consultation=consultation).prefetch_related(
            "choices"
        )
    }
