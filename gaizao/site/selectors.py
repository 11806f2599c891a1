"""Reads for the site pages: the staff home page's totals, the audit log,
and the resident portal, which joins consultation with the compound's
eligibility verdict and current plan in the resident's words. They sit in
site (the top layer) so that consultation imports neither eligibility nor
plans."""

from django.db.models import Count, F, Q, Sum
from django.utils.translation import gettext as _

from gaizao.accounts.models import AREA_ROLES, Role
from gaizao.consultation import selectors as consultation_selectors
from gaizao.consultation.models import ConsultationResponse, Vote
from gaizao.core import audit
from gaizao.core.models import AuditEntry
from gaizao.disclosure import tally
from gaizao.eligibility import rules as er
from gaizao.eligibility.selectors import verdict_for_compound
from gaizao.feedback import selectors as feedback_selectors
from gaizao.inventory.models import Unit
from gaizao.inventory.permissions import compounds_for_user
from gaizao.plans.selectors import plan_summary
from gaizao.regions.models import Area
from gaizao.regions.scope import breakdown_of
from gaizao.works import selectors as works_selectors


def verdict_summary(compound) -> dict | None:
    """The compound's eligibility verdict for the portal: label (符合改造范围 /
    待核实 / 不符合) in the reader's language, a one-line summary of the
    deciding reasons and when it was evaluated. From the eligibility contract
    `selectors.verdict_for_compound` (stored verdict, else evaluated on the
    fly); None when there is none."""
    v = verdict_for_compound(compound)
    if not v or v.get("verdict") not in er.VERDICT_LABELS:
        return None
    code = v["verdict"]
    return {
        "verdict": code,
        "label": _(er.VERDICT_LABELS[code]),
        "summary": _reason_line(code, v.get("reasons") or []),
        "evaluated_at": v.get("evaluated_at"),
        "policy": v.get("policy"),
    }


def _reason_line(code: str, reasons: list) -> str:
    """One line for residents: the reasons that decided the verdict (failed
    ones for 不符合, undecided ones for 待核实, the met ones for 符合), at most
    three. Reasons are recorded zh-Hans text (docs/i18n.md), shown as stored."""
    want = {"ineligible": False, "review": None, "eligible": True}.get(code)
    texts = []
    for r in reasons:
        if isinstance(r, dict):
            passed, text = r.get("passed"), r.get("detail") or r.get("label") or ""
        else:
            passed = getattr(r, "passed", None)
            text = getattr(r, "detail", "") or getattr(r, "label", "")
        if passed is want and text and text not in texts:
            texts.append(str(text))
    if not texts:
        return ""
    line = "；".join(texts[:3])
    return line + ("等" if len(texts) > 3 else "")


def home_totals(user) -> dict:
    """The home page's figures over the compounds the user may see, and the
    same grouped by the level below the user's area. For a scope made of
    whole streets (a street office up to the country) they add up the kept
    per-street tallies (eligibility.tally: one row a street and verdict);
    other scopes (a community, an organisation) count their compounds."""
    area = getattr(user, "area", None) if user.role in AREA_ROLES else None
    path, level = breakdown_of(area)
    kept = tally.for_user(user) if not path or path.startswith("street") else None
    if kept is not None:
        qs, count, surveyed = kept.order_by(), Sum("n"), Sum("surveyed")
        area_sum, households = Sum("floor_area"), Sum("households")
    else:
        qs, count = compounds_for_user(user).order_by(), Count("id")
        surveyed = Count("id", filter=Q(facts__surveyed=True))
        area_sum, households = Sum("floor_area"), Sum("households")
    totals = qs.aggregate(n=count, area=area_sum, households=households, surveyed=surveyed)
    totals["n"] = totals["n"] or 0
    totals["surveyed"] = totals["surveyed"] or 0
    # One level below the user's area (regions.scope.breakdown_of); the
    # path from a compound and from a street's tally both start at `street`.
    rows = []
    if path:
        rows = list(
            qs.values(area_name=F(f"{path}__name"), area_code=F(f"{path}__code"))
            .annotate(n=count, area=area_sum)
            .order_by("area_code")
        )
    return {
        "totals": totals,
        "surveyed": totals["surveyed"],
        "by_area": rows,
        "by_area_label": Area.Level(level).label if level else "",
    }


# Who reads the trail: the offices that answer for the record, each for its
# own jurisdiction (issue 9 #5). District offices also see the entries that
# belong to no compound (accounts, tokens, policies).
AUDIT_ROLES = {Role.LEADERSHIP, Role.HOUSING_BUREAU, Role.STREET_OFFICE, Role.COMMUNITY}
AUDIT_DISTRICT_ROLES = {Role.LEADERSHIP, Role.HOUSING_BUREAU}


def may_read_audit(user) -> bool:
    return user.is_superuser or user.role in AUDIT_ROLES


def audit_entries(user, *, model: str | None = None, source: str | None = None, q: str = ""):
    """The audit trail the user may read, newest first, filtered."""
    qs = AuditEntry.objects.select_related("actor")
    if not user.is_superuser:
        visible = Q(compound_id__in=compounds_for_user(user).values("pk"))
        if user.role in AUDIT_DISTRICT_ROLES:
            visible |= Q(compound_id__isnull=True)
        qs = qs.filter(visible)
    if model:
        qs = qs.filter(model=model)
    if source:
        qs = qs.filter(source=source)
    if q:
        qs = qs.filter(
            Q(object_repr__icontains=q)
            | Q(actor__username__icontains=q)
            | Q(actor__display_name__icontains=q)
        )
    return qs


def audit_models() -> list[tuple[str, str]]:
    """(model, label) of every model named in the trail, by label."""
    return sorted(
        {
            m: audit.model_label(m)
            for m in AuditEntry.objects.values_list("model", flat=True).distinct()
        }.items(),
        key=lambda kv: kv[1],
    )


def resident_portal(user) -> dict:
    """Everything the resident portal shows for the resident's own unit."""
    unit = Unit.objects.select_related(
        "building__compound__street", "building__compound__community"
    ).get(pk=user.unit_id)
    compound = unit.building.compound
    surveys = list(consultation_selectors.open_consultations(compound.pk))
    answered = set(
        ConsultationResponse.objects.filter(consultation__in=surveys, unit=unit).values_list(
            "consultation_id", flat=True
        )
    )
    for s in surveys:
        s.answered = s.pk in answered
    votes = list(consultation_selectors.resident_votes(compound.pk)[:10])
    mine = dict(unit.ballots.filter(vote__in=votes).values_list("vote_id", "choice"))
    for v in votes:
        v.my_choice = mine.get(v.pk)
        v.can_cast = v.accepts_online() and v.my_choice is None
    return {
        "unit": unit,
        "compound": compound,
        "surveys": surveys,
        "votes": votes,
        "open_votes": [v for v in votes if v.status == Vote.Status.OPEN],
        "latest_survey": consultation_selectors.latest_consultation(compound.pk),
        "my_objections": list(consultation_selectors.my_objections(user, compound.pk)[:10]),
        "plan": plan_summary(compound),
        "verdict": verdict_summary(compound),
        # "问题解决了吗?" is asked on the feedback list; the portal points there.
        "awaiting_answer": feedback_selectors.awaiting_my_answer(user).count(),
        # The satisfaction evaluation, while open, is asked here too (not
        # only under 我的反映).
        "evaluations": feedback_selectors.open_evaluations_with_answer(user),
        # Progress and photos of the compound's works; defects against an item.
        "works": works_selectors.resident_works(user, compound),
    }
