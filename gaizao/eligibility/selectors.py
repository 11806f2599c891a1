"""Reads: the facts the rules need (in bulk, a constant number of queries for
any number of compounds), which policy applies where, and the reserve."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from gaizao.consultation.models import Consultation
from gaizao.consultation.selectors import willingness_summaries
from gaizao.core.errors import DomainError
from gaizao.inventory.models import Compound, Condition, Survey
from gaizao.inventory.permissions import compounds_for_user
from gaizao.regions.models import Area

from . import decisions, extension, rules
from .models import Determination, Policy, Verdict
from .permissions import area_within_user

CHUNK = 2000  # ids per IN (...) query; keeps SQLite under its variable limit


def _chunks(seq, n=CHUNK):
    seq = list(seq)
    for i in range(0, len(seq), n):
        yield seq[i : i + n]


# --- willingness (consultation app) --------------------------------------------


def _share(summary: dict | None) -> Fraction | None:
    """Share of households in favour, 0–1, from a willingness summary, as an
    exact fraction (2 of 3 is 2/3, not 0.6667)."""
    if not summary:
        return None
    total, yes = summary.get("households_total"), summary.get("households_yes")
    if total:
        return Fraction(int(yes or 0), int(total))
    share = summary.get("share_households")
    if share is None:
        return None
    share = Fraction(Decimal(str(share)))
    return share / 100 if share > 1 else share  # accept a percentage too


def willingness_shares(compound_ids) -> dict[int, Fraction | None]:
    """compound id → share of households willing (0–1), None when no
    willingness survey exists (consultation's bulk summaries)."""
    ids = list(compound_ids)
    out = dict.fromkeys(ids)
    for part in _chunks(ids):
        got = willingness_summaries(part)
        out.update({cid: _share(got.get(cid)) for cid in part})
    return out


def willingness_open(compound_ids) -> set[int]:
    """Compounds whose latest willingness survey is still open: households may
    still answer or change their answer, so a share below the threshold is
    not yet a "no" (the rules then say "review", not "ineligible")."""
    now = timezone.now()
    latest: dict[int, object] = {}
    for part in _chunks(compound_ids):
        for cid, closes in (
            Consultation.objects.filter(compound_id__in=part, opens_at__lte=now)
            .order_by("compound_id", "-opens_at", "-id")
            .values_list("compound_id", "closes_at")
        ):
            latest.setdefault(cid, closes)
    return {cid for cid, closes in latest.items() if closes > now}


# --- facts -------------------------------------------------------------------

FACT_FIELDS = [
    "id",
    "name",
    "street_id",
    "community_id",
    "built_date",
    "built_year",
    "built_year_approximate",
    "in_main_urban_area",
    "management_status",
    "in_shantytown_plan",
    "demolition_planned",
    "demolition_within_years",
    "self_built_area",
    "floor_area",
    "is_urban_village",
    "is_single_building",
    "households",
]


def facts_for(compounds) -> dict[int, rules.CompoundFacts]:
    """compound id → CompoundFacts. `compounds` is a queryset or a list of
    Compound objects. Queries: compounds (if a queryset), latest surveys,
    their conditions, willingness — independent of how many compounds."""
    if hasattr(compounds, "values"):
        rows = list(compounds.values(*FACT_FIELDS))
    else:
        rows = [{f: getattr(c, f) for f in FACT_FIELDS} for c in compounds]
    ids = [r["id"] for r in rows]
    latest: dict[int, tuple[int, Decimal | None]] = {}
    for part in _chunks(ids):
        for s in (
            Survey.objects.filter(compound_id__in=part)
            .order_by("compound_id", "-surveyed_on", "-id")
            .values_list("compound_id", "id", "score")
        ):
            latest.setdefault(s[0], (s[1], s[2]))
    ratings: dict[int, dict[str, str]] = {}
    survey_to_compound = {sid: cid for cid, (sid, _) in latest.items()}
    for part in _chunks(survey_to_compound):
        for sid, fac, rating in Condition.objects.filter(survey_id__in=part).values_list(
            "survey_id", "facility", "rating"
        ):
            ratings.setdefault(survey_to_compound[sid], {})[fac] = rating
    will = willingness_shares(ids)
    still_open = willingness_open([cid for cid, share in will.items() if share is not None])
    out = {}
    for r in rows:
        cid = r["id"]
        survey = latest.get(cid)
        out[cid] = rules.CompoundFacts(
            name=r["name"],
            built_date=r["built_date"],
            built_year=r["built_year"],
            built_year_approximate=bool(r["built_year_approximate"]),
            in_main_urban_area=r["in_main_urban_area"],
            management_status=r["management_status"] or "",
            latest_score=survey[1] if survey else None,
            surveyed=survey is not None,
            facility_ratings=ratings.get(cid, {}),
            in_shantytown_plan=r["in_shantytown_plan"],
            demolition_planned=r["demolition_planned"],
            demolition_within_years=r["demolition_within_years"],
            self_built_area=r["self_built_area"],
            floor_area=r["floor_area"],
            is_urban_village=r["is_urban_village"],
            is_single_building=bool(r["is_single_building"]),
            households=r["households"],
            willingness=will.get(cid),
            willingness_open=cid in still_open,
        )
    return out


# --- policies ------------------------------------------------------------------


def policies():
    return Policy.objects.select_related("area").order_by("area__code", "name", "-version")


def get_policy(name_or_code: str | int | None) -> Policy | None:
    """A policy by code, exact name (latest version) or id; None if none."""
    if name_or_code in (None, ""):
        return None
    key = str(name_or_code).strip()
    qs = Policy.objects.select_related("area")
    p = qs.filter(code=key).first() or qs.filter(name=key).order_by("-version").first()
    if p is None and key.isdigit():
        p = qs.filter(pk=int(key)).first()
    return p


class DefaultPolicies:
    """Which policy is the default where: the nearest area up the tree with a
    default policy, else the nationwide default. Loads the (few) default
    policies once; areas are matched by their code prefix, no tree walk."""

    def __init__(self):
        self.by_prefix: list[tuple[str, Policy]] = []
        self.national: Policy | None = None
        for p in Policy.objects.filter(is_default=True).select_related("area"):
            if p.area_id is None or p.area.level == Area.Level.COUNTRY:
                if self.national is None or p.is_builtin:
                    self.national = p
            else:
                self.by_prefix.append((p.area.prefix, p))
        self.by_prefix.sort(key=lambda t: -len(t[0]))  # nearest (longest prefix) first
        if self.national is None:
            self.national = (
                Policy.objects.filter(area__isnull=True).order_by("-is_builtin", "-version").first()
            )

    def for_prefix(self, prefix: str | None) -> Policy | None:
        if prefix:
            for pre, p in self.by_prefix:
                if prefix.startswith(pre):
                    return p
        return self.national

    def for_area(self, area: Area | None) -> Policy | None:
        if area is None or area.level == Area.Level.COUNTRY:
            return self.national
        return self.for_prefix(area.prefix)


def default_policy_for(compound: Compound) -> Policy | None:
    area = compound.community if compound.community_id else compound.street
    return DefaultPolicies().for_area(area)


# --- the reserve ---------------------------------------------------------------


def reserve_verdicts(
    user,
    *,
    policy: Policy | None = None,
    street=None,
    community=None,
    verdict: str = "",
    q: str = "",
):
    """The stored verdicts of the compounds `user` may see: under `policy`, or
    (None) under each compound's own default policy."""
    qs = Verdict.objects.filter(compound__in=compounds_for_user(user))
    qs = qs.filter(policy=policy) if policy is not None else qs.filter(by_default=True)
    if street is not None:
        qs = qs.filter(compound__street=street)
    if community is not None:
        qs = qs.filter(compound__community=community)
    if verdict:
        qs = qs.filter(verdict=verdict)
    if q:
        qs = qs.filter(compound__name__icontains=q)
    return qs


def reserve_rows(qs):
    return qs.select_related("compound__street", "compound__community", "policy").order_by(
        "compound__street__code", "compound__name", "id"
    )


def reserve_totals(qs) -> dict:
    """Counts, floor area and households per verdict, and overall."""
    by = {k: {"n": 0, "area": Decimal(0), "households": 0} for k in rules.VERDICT_LABELS}
    for row in (
        qs.order_by()
        .values("verdict")
        .annotate(
            n=Count("id"), area=Sum("compound__floor_area"), households=Sum("compound__households")
        )
    ):
        by[row["verdict"]] = {
            "n": row["n"],
            "area": row["area"] or Decimal(0),
            "households": row["households"] or 0,
        }
    return by


# The kept per-street tallies live above (disclosure.tally) and come down
# through this hook: fn(user) → a queryset of rows (street, verdict, n,
# floor_area, households) over the user's scope, or None (not whole streets).
_kept_tallies = None


def register_kept_tallies(fn) -> None:
    global _kept_tallies
    _kept_tallies = fn


def _tallies(user):
    return _kept_tallies(user) if _kept_tallies is not None else None


def kept_reserve_totals(user, *, street=None) -> dict | None:
    """The reserve's cards under each compound's default policy, added up
    from the kept per-street tallies (disclosure.tally): the same figures
    as `reserve_totals` of the default verdicts, from one row a street and
    verdict instead of every verdict in scope. None when the user's scope is
    not made of whole streets (the caller then counts the verdicts)."""
    qs = _tallies(user)
    if qs is None:
        return None
    if street is not None:
        qs = qs.filter(street=street)
    by = {k: {"n": 0, "area": Decimal(0), "households": 0} for k in rules.VERDICT_LABELS}
    for row in (
        qs.filter(verdict__in=list(by))
        .order_by()
        .values("verdict")
        .annotate(n=Sum("n"), area=Sum("floor_area"), households=Sum("households"))
    ):
        by[row["verdict"]] = {
            "n": row["n"] or 0,
            "area": row["area"] or Decimal(0),
            "households": row["households"] or 0,
        }
    return by


def unevaluated_count(user, policy: Policy | None = None) -> int:
    if policy is None and (kept := _tallies(user)) is not None:
        # The compounds with no default verdict, from the kept tallies.
        return kept.filter(verdict="").aggregate(n=Sum("n"))["n"] or 0
    qs = compounds_for_user(user)
    if policy is None:
        qs = qs.exclude(eligibility_verdicts__by_default=True)
    else:
        qs = qs.exclude(eligibility_verdicts__policy=policy)
    return qs.count()


def stored_verdict(compound, policy: Policy) -> Verdict | None:
    return (
        Verdict.objects.filter(compound=compound, policy=policy)
        .select_related("evaluated_by")
        .first()
    )


def compound_verdict_summary(compound_ids) -> dict[int, str]:
    """compound id → verdict under its default policy (for other apps' lists)."""
    return dict(
        Verdict.objects.filter(compound_id__in=list(compound_ids), by_default=True).values_list(
            "compound_id", "verdict"
        )
    )


def verdict_for_compound(compound: Compound) -> dict | None:
    """The compound's verdict under its default policy, for the resident portal:
    the stored reserve record if there is one, else evaluated now without
    storing. None when no policy is installed. Scoping is the caller's job
    (gaizao.inventory.permissions.get_compound_for_user)."""
    policy = default_policy_for(compound)
    if policy is None:
        return None
    stored = Verdict.objects.filter(compound=compound, policy=policy).first()
    if stored is not None:
        verdict, reasons, at = stored.verdict, list(stored.reasons), stored.evaluated_at
    else:
        ((_c, _p, live, _d),) = compute(Compound.objects.filter(pk=compound.pk), policy, cap=False)
        verdict, reasons, at = live.verdict, [r.as_dict() for r in live.reasons], timezone.now()
    return {
        "verdict": verdict,
        "label": _(rules.VERDICT_LABELS[verdict]),
        "policy": str(policy),
        "evaluated_at": at,
        "stored": stored is not None,
        "reasons": reasons,
    }


def _built_sort(f: rules.CompoundFacts) -> tuple:
    if f.built_date:
        return (f.built_date.year, f.built_date)
    return (f.built_year or 9999, date((f.built_year or 9999), 12, 31))


def compute_raw(compounds, policy: Policy | None = None, *, defaults=None) -> list[tuple]:
    """The rules' verdicts before the extension cap and people's decisions:
    list of (compound id, Policy, rules.Verdict, by_default, CapItem).
    `compounds` is a queryset; a constant number of queries for any size."""
    defaults = defaults or DefaultPolicies()
    meta = {
        cid: (com or st)
        for cid, com, st in compounds.values_list("id", "community__prefix", "street__prefix")
    }
    out = []
    for cid, f in facts_for(compounds).items():
        default = defaults.for_prefix(meta.get(cid))
        p = policy or default
        if p is None:
            raise DomainError(
                _("系统中没有可用的改造政策,请先运行 gaizao eligibility --install-policies")
            )
        v = rules.evaluate(f, p.rules())
        item = extension.CapItem(cid, v, f.households, _built_sort(f))
        out.append((cid, p, v, default is not None and p.pk == default.pk, item))
    return out


def with_decisions(results) -> list[tuple]:
    """(compound id, Policy, verdict, by_default) rows with the latest 核实
    and leadership decisions applied (one query per chunk of compounds)."""
    made = latest_decisions([r[0] for r in results])
    return [
        (cid, p, decisions.apply_decisions(v, *made.get((cid, p.pk), (None, None))), d)
        for cid, p, v, d in results
    ]


def compute(
    compounds,
    policy: Policy | None = None,
    *,
    cap: bool = True,
    defaults: DefaultPolicies | None = None,
):
    """A read: evaluate without storing (the services store the results):
    list of (compound id, Policy, rules.Verdict, by_default). `compounds` is
    a queryset. With `cap`, the extension-window cap is applied across the
    compounds evaluated together (a whole area in chunks: evaluation.py)."""
    raw = compute_raw(compounds, policy, defaults=defaults)
    if cap:
        groups: dict[int, tuple] = {}
        for _cid, p, _v, _d, item in raw:
            groups.setdefault(p.pk, (p, []))[1].append(item)
        for p, items in groups.values():
            extension.apply_extension_cap(items, p.extension_cap_pct)
    return with_decisions([(cid, p, v, d) for cid, p, v, d, _i in raw])


def _decision(d: Determination) -> decisions.Decision:
    who = str(d.decided_by) if d.decided_by_id else ""
    return decisions.Decision(
        kind=d.kind,
        outcome=d.outcome,
        reason=d.reason,
        by=who,
        on=f"{timezone.localtime(d.decided_at):%Y-%m-%d}",
    )


def latest_decisions(compound_ids) -> dict[tuple[int, int], tuple]:
    """(compound id, policy id) → (latest 核实, latest override), each a
    decisions.Decision or None. One query per chunk of compounds."""
    out: dict[tuple[int, int], list] = {}
    for part in _chunks(compound_ids):
        for d in (
            Determination.objects.filter(compound_id__in=part)
            .select_related("decided_by")
            .order_by("-decided_at", "-id")
        ):
            slot = out.setdefault((d.compound_id, d.policy_id), [None, None])
            i = 0 if d.kind == Determination.Kind.VERIFY else 1
            if slot[i] is None:
                slot[i] = _decision(d)
    return {k: tuple(v) for k, v in out.items()}


def determinations(compound):
    """Every 核实 and decision on a compound, newest first (the record)."""
    return (
        Determination.objects.filter(compound=compound)
        .select_related("policy", "decided_by")
        .order_by("-decided_at", "-id")
    )


def approval_blocker(compound) -> str | None:
    """Why a renovation plan for this compound cannot be approved on scope
    grounds, or None. 国办发〔2020〕23号 and the Panlong seed limit renovation
    to compounds within the scope: the compound must be 符合改造范围 under its
    jurisdiction's default policy (the rules, a 核实, or a recorded decision
    of the leadership office with its reason). Issue 8 item 4."""
    # Live, not the stored reserve record: the facts may have changed since.
    policy = default_policy_for(compound)
    if policy is None:
        return None
    ((_c, _p, v, _d),) = compute(Compound.objects.filter(pk=compound.pk), policy, cap=False)
    if v.verdict == rules.ELIGIBLE:
        return None
    return _(
        "%(name)s的改造范围结论为“%(verdict)s”(%(policy)s):须核实为符合改造范围,"
        "或由领导小组办公室记录决定及理由后,才能审批方案"
    ) % {"name": compound.name, "verdict": _(v.label), "policy": str(policy)}


# ---- what the pages look up ------------------------------------------------------


def area_by_code(code: str):
    return Area.objects.filter(code=code).first() if code else None


def area_from_code(code, user):
    """The area with this code if it lies in the user's jurisdiction."""
    if not code:
        return None
    area = area_by_code(code)
    if area is None or not (user.is_superuser or area_within_user(user, area)):
        return None
    return area


def compute_one(compound, policy):
    """The live evaluation of one compound: (compound, policy, live, detail)."""
    (row,) = compute(type(compound).objects.filter(pk=compound.pk), policy, cap=False)
    return row


def fresh_policy(policy):
    """A fresh instance for the edit form (the fetched one is not mutated)."""
    return Policy.objects.get(pk=policy.pk)
