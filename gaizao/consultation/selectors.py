"""Reads for resident participation (STYLE.md habit 3). The functions named
in the contracts (willingness_summary, compound_vote_passed, menu_results)
are used by eligibility and plans: keep their signatures stable."""

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone

from gaizao.inventory.models import Building, Unit

from . import tally as T
from .models import (
    AccessCode,
    Ballot,
    BallotConflict,
    Consultation,
    ConsultationResponse,
    MenuChoice,
    Objection,
    Vote,
    Willingness,
)

Q4 = Decimal("0.0001")
from .selectors_units import (  # noqa: F401,E402 (re-exported)
    building_key,
    compound_units,
    entered_by_count,
    natural_key,
    resolve_unit,
    unit_search,
)
from .selectors_votes import (  # noqa: F401,E402 (re-exported)
    deemed_consent_rule,
    meeting_rules_of,
    pending_objections,
    plan_votes,
    register_of,
    register_rows,
    standing_plan_votes,
    unit_residents,
    vote_rules_for,
)


def _share(part, whole) -> Decimal:
    if not whole:
        return Decimal("0")
    return (Decimal(part) / Decimal(whole)).quantize(Q4, rounding=ROUND_HALF_UP)


def latest_consultation(compound_id) -> Consultation | None:
    """The willingness survey that speaks for the compound now: the latest one
    that has opened."""
    return (
        Consultation.objects.filter(compound_id=compound_id, opens_at__lte=timezone.now())
        .order_by("-opens_at", "-id")
        .first()
    )


def consultation_summary(consultation: Consultation) -> dict:
    """Households and exclusive area, in total and per answer. No personal data."""
    units = compound_units(consultation.compound_id)
    tot = units.aggregate(n=Count("id"), area=Sum("exclusive_area"))
    rows = (
        ConsultationResponse.objects.filter(consultation=consultation)
        .values("willingness")
        .annotate(n=Count("id"), area=Sum("unit__exclusive_area"))
    )
    by = {r["willingness"]: r for r in rows}
    households_total = tot["n"] or 0
    area_total = tot["area"] or Decimal("0")
    out = {
        "households_total": households_total,
        "area_total": area_total,
        "households_responded": sum(r["n"] for r in rows),
        "area_responded": sum((r["area"] or Decimal("0") for r in rows), Decimal("0")),
        "by_answer": [],
    }
    for value, label in Willingness.choices:
        r = by.get(value, {})
        n, area = r.get("n", 0), r.get("area") or Decimal("0")
        out["by_answer"].append(
            {
                "value": value,
                "label": label,
                "households": n,
                "area": area,
                "share_households": _share(n, households_total),
                "share_area": _share(area, area_total),
            }
        )
    yes = by.get(Willingness.YES, {})
    out["households_yes"] = yes.get("n", 0)
    out["area_yes"] = yes.get("area") or Decimal("0")
    out["share_households"] = _share(out["households_yes"], households_total)
    out["share_area"] = _share(out["area_yes"], area_total)
    contrib = ConsultationResponse.objects.filter(consultation=consultation).aggregate(
        yuan=Sum("contribution_yuan"),
        n_yuan=Count("id", filter=Q(contribution_yuan__gt=0)),
        n_m2=Count("id", filter=Q(contribution_per_m2__gt=0)),
    )
    out["contribution_yuan_total"] = contrib["yuan"] or Decimal("0")
    out["contributors"] = contrib["n_yuan"] or 0
    out["contributors_per_m2"] = contrib["n_m2"] or 0
    return out


def willingness_summaries(compound_ids) -> dict[int, dict]:
    """Contract (eligibility): for each compound that has had a willingness
    survey, its latest one that opened — households and exclusive area that
    answered 同意改造, as shares (0–1, 4 places) of all households / all
    registered exclusive area. Compounds without a survey are absent.
    Three queries whatever the number of compounds."""
    ids = list(compound_ids)
    latest: dict[int, int] = {}
    for cid, pk in (
        Consultation.objects.filter(compound_id__in=ids, opens_at__lte=timezone.now())
        .order_by("compound_id", "-opens_at", "-id")
        .values_list("compound_id", "id")
    ):
        latest.setdefault(cid, pk)
    if not latest:
        return {}
    totals = {
        r["building__compound_id"]: r
        for r in Unit.objects.filter(building__compound_id__in=latest)
        .values("building__compound_id")
        .annotate(n=Count("id"), area=Sum("exclusive_area"))
    }
    yes = {
        r["consultation_id"]: r
        for r in ConsultationResponse.objects.filter(
            consultation_id__in=latest.values(), willingness=Willingness.YES
        )
        .values("consultation_id")
        .annotate(n=Count("id"), area=Sum("unit__exclusive_area"))
    }
    out = {}
    for cid, pk in latest.items():
        t, y = totals.get(cid, {}), yes.get(pk, {})
        n_total, area_total = t.get("n") or 0, t.get("area") or Decimal("0")
        n_yes, area_yes = y.get("n") or 0, y.get("area") or Decimal("0")
        out[cid] = {
            "households_total": n_total,
            "households_yes": n_yes,
            "share_households": _share(n_yes, n_total),
            "area_total": area_total,
            "area_yes": area_yes,
            "share_area": _share(area_yes, area_total),
        }
    return out


def willingness_summary(compound_id) -> dict | None:
    """One compound's willingness_summaries() entry; None without a survey."""
    return willingness_summaries([compound_id]).get(compound_id)


def menu_results_for(consultation: Consultation) -> list[dict]:
    households = compound_units(consultation.compound_id).count()
    rows = (
        MenuChoice.objects.filter(response__consultation=consultation)
        .values("catalog_item_id", "code", "name", "tier", "unit", "unit_cost")
        .annotate(
            households=Count("response_id", distinct=True),
            area=Sum("response__unit__exclusive_area"),
        )
        .order_by("-households", "code")
    )
    out: dict[int, dict] = {}
    for r in rows:
        # A revised unit cost gives a second row for the same item: merge.
        d = out.setdefault(
            r["catalog_item_id"],
            {
                "catalog_item_id": r["catalog_item_id"],
                "code": r["code"],
                "name": r["name"],
                "tier": r["tier"],
                "unit": r["unit"],
                "unit_cost": r["unit_cost"],
                "households": 0,
                "area": Decimal("0"),
            },
        )
        d["households"] += r["households"]
        d["area"] += r["area"] or Decimal("0")
    items = sorted(out.values(), key=lambda d: (-d["households"], d["code"]))
    for d in items:
        d["share"] = _share(d["households"], households)
    return items


def menu_results(compound_id) -> list[dict]:
    """Contract (plans): items picked in the compound's latest item menu,
    most-wanted first: catalog_item_id, code, name, households, share (of all
    households, 0–1)."""
    c = latest_consultation(compound_id)
    if c is None:
        return []
    return menu_results_for(c)


def compound_vote_passed(compound_id, matter: int) -> bool:
    """Contract (plans, approval gate): a vote on this art. 278 matter for the
    compound has been closed, tallied as passed, published, and not set aside."""
    return Vote.objects.filter(
        compound_id=compound_id,
        matter=matter,
        status=Vote.Status.PUBLISHED,
        passed=True,
        overturned=False,
    ).exists()


def unit_votes(vote: Vote) -> list[T.UnitVote]:
    """The tally's input: every unit of the owners' register frozen when the
    vote opened (the current register before that) with its ballot (if any)."""
    choices = dict(Ballot.objects.filter(vote=vote).values_list("unit_id", "choice"))
    return [
        T.UnitVote(unit=str(uid), area=area, owner=owner, developer=dev, choice=choices.get(uid))
        for uid, area, owner, dev in register_of(vote)
    ]


def vote_tally(vote: Vote) -> T.TallyResult:
    return T.tally(unit_votes(vote), matter=vote.matter, law=vote.law)


def vote_counts(vote: Vote) -> dict:
    """Ballots per choice and channel (no personal data)."""
    rows = Ballot.objects.filter(vote=vote).values("choice", "channel").annotate(n=Count("id"))
    out = {"total": 0, "by_choice": defaultdict(int), "by_channel": defaultdict(int)}
    for r in rows:
        out["total"] += r["n"]
        out["by_choice"][r["choice"]] += r["n"]
        out["by_channel"][r["channel"]] += r["n"]
    out["by_choice"] = dict(out["by_choice"])
    out["by_channel"] = dict(out["by_channel"])
    out["units"] = (
        len(vote.register) if vote.register_frozen_at else compound_units(vote.compound_id).count()
    )
    return out


def open_conflicts(vote: Vote) -> list[BallotConflict]:
    """Unresolved conflicts, each with .first: the ballot that counts now
    (choice, channel, time, sheet), so staff choose keep/replace informed."""
    conflicts = list(
        BallotConflict.objects.filter(vote=vote, resolution="").select_related(
            "unit__building", "attempted_by"
        )
    )
    firsts = {
        b.unit_id: b
        for b in Ballot.objects.filter(
            vote=vote, unit_id__in={c.unit_id for c in conflicts}
        ).select_related("entered_by")
    }
    for c in conflicts:
        c.first = firsts.get(c.unit_id)
    return conflicts


def objections(vote: Vote, *, raised_by=None):
    qs = Objection.objects.filter(vote=vote).select_related("raised_by", "replied_by")
    if raised_by is not None:
        qs = qs.filter(raised_by=raised_by)
    return qs


def my_objections(user, compound_id):
    """A resident's own objections in their compound, newest first, with the
    replies (portal)."""
    return (
        Objection.objects.filter(raised_by=user, vote__compound_id=compound_id)
        .select_related("vote")
        .order_by("-raised_at", "-id")
    )


def access_code_stats(compound_ids) -> dict[int, dict]:
    """Per compound: units, codes issued (live + used), used."""
    out = {cid: {"units": 0, "issued": 0, "used": 0, "live": 0} for cid in compound_ids}
    for r in (
        Unit.objects.filter(building__compound_id__in=compound_ids)
        .values("building__compound_id")
        .annotate(n=Count("id"))
    ):
        out[r["building__compound_id"]]["units"] = r["n"]
    rows = (
        AccessCode.objects.filter(unit__building__compound_id__in=compound_ids)
        .values("unit__building__compound_id")
        .annotate(
            used=Count("id", filter=Q(used_at__isnull=False)),
            live=Count("id", filter=Q(used_at__isnull=True, revoked_at__isnull=True)),
        )
    )
    for r in rows:
        d = out[r["unit__building__compound_id"]]
        d["used"], d["live"] = r["used"], r["live"]
        d["issued"] = r["used"] + r["live"]
    return out


def building_code_stats(compound_id) -> list[dict]:
    rows = []
    for b in Building.objects.filter(compound_id=compound_id).annotate(
        units_n=Count("units", distinct=True),
        used=Count(
            "units__access_codes",
            filter=Q(units__access_codes__used_at__isnull=False),
            distinct=True,
        ),
        live=Count(
            "units__access_codes",
            filter=Q(
                units__access_codes__used_at__isnull=True,
                units__access_codes__revoked_at__isnull=True,
            ),
            distinct=True,
        ),
    ):
        rows.append({"building": b, "units": b.units_n, "used": b.used, "live": b.live})
    rows.sort(key=lambda r: natural_key(r["building"].number))
    return rows


def open_consultations(compound_id):
    now = timezone.now()
    return Consultation.objects.filter(
        compound_id=compound_id, opens_at__lte=now, closes_at__gt=now
    ).order_by("closes_at")


def resident_votes(compound_id):
    return (
        Vote.objects.filter(compound_id=compound_id)
        .exclude(status=Vote.Status.DRAFT)
        .order_by("-opens_at", "-id")
    )
