"""plans reads: the catalogue that applies to a compound, plans in a user's
jurisdiction, the funding rules in force, and small adapters to other apps."""

from django.db.models import Prefetch, Q
from django.utils import timezone

from gaizao.inventory.models import Survey
from gaizao.inventory.permissions import compound_q
from gaizao.regions.models import Area
from gaizao.regions.scope import ancestor_prefixes

from .models import TIER_ORDER, CatalogItem, Cluster, FundingRule, Plan, PlanItem, PlanStatus


def compound_prefixes(compound) -> list[str]:
    area = compound.community if compound.community_id else compound.street
    return ancestor_prefixes(area)


def _effective_items(prefixes: list[str], year: int) -> list[int]:
    """Pick one CatalogItem per code: the deepest jurisdiction wins, and in a
    jurisdiction a year-specific item beats an all-years item."""
    rows = (
        CatalogItem.objects.filter(
            Q(jurisdiction__isnull=True) | Q(jurisdiction__prefix__in=prefixes)
        )
        .filter(Q(year__isnull=True) | Q(year=year))
        .values_list("pk", "code", "jurisdiction__prefix", "year", "active")
    )
    best: dict[str, tuple] = {}
    for pk, code, prefix, yr, active in rows:
        rank = (len(prefix or ""), 1 if yr is not None else 0)
        if code not in best or rank > best[code][0]:
            best[code] = (rank, pk, active)
    return [pk for _rank, pk, active in best.values() if active]


def _tier_ordered(qs):
    from django.db.models import Case, IntegerField, Value, When

    return qs.annotate(
        tier_rank=Case(
            *[When(tier=t, then=Value(i)) for i, t in enumerate(TIER_ORDER)],
            default=Value(99),
            output_field=IntegerField(),
        )
    ).order_by("tier_rank", "code")


def catalogue_for_compound(compound, year: int | None = None):
    """QuerySet[CatalogItem]: the items a plan for `compound` may use in `year`
    (default this year), one per code, ordered by tier then code.

    Stable interface: the consultation app's item menu (居民点单) uses it."""
    year = year or timezone.localdate().year
    ids = _effective_items(compound_prefixes(compound), year)
    return _tier_ordered(CatalogItem.objects.filter(pk__in=ids))


def catalogue_for_area(area: Area | None, year: int | None = None):
    year = year or timezone.localdate().year
    return _tier_ordered(
        CatalogItem.objects.filter(pk__in=_effective_items(ancestor_prefixes(area), year))
    )


def catalogue_for_plan(plan: Plan):
    if plan.compound_id:
        return catalogue_for_compound(plan.compound, plan.year)
    members = list(plan.cluster.members.select_related("compound__street", "compound__community"))
    return (
        catalogue_for_compound(members[0].compound, plan.year)
        if members
        else CatalogItem.objects.none()
    )


def funding_rule_for(compound, year: int) -> FundingRule | None:
    """The rule of the most specific area above the compound, for `year` or
    else the latest earlier year."""
    prefixes = compound_prefixes(compound)
    rules = list(
        FundingRule.objects.filter(area__prefix__in=prefixes, year__lte=year).select_related("area")
    )
    if not rules:
        return None
    rules.sort(key=lambda r: (len(r.area.prefix), r.year), reverse=True)
    return rules[0]


def latest_survey(compound) -> Survey | None:
    return compound.surveys.prefetch_related("conditions").order_by("-surveyed_on", "-id").first()


def plans_for_user(user):
    """Current-or-past plans whose compound (or a member of whose cluster) the user sees."""
    visible_clusters = Cluster.objects.filter(compound_q(user, "members__compound__")).values("pk")
    return Plan.objects.filter(
        Q(compound_q(user, "compound__")) | Q(cluster__in=visible_clusters)
    ).distinct()


def current_plans_for_user(user):
    return (
        plans_for_user(user)
        .exclude(status=PlanStatus.SUPERSEDED)
        .select_related("compound__street", "compound__community", "cluster__area")
        .order_by("-updated_at", "-id")
    )


def current_plan_for_compound(compound) -> Plan | None:
    return compound.plans.exclude(status=PlanStatus.SUPERSEDED).first()


def current_plan_for_cluster(cluster) -> Plan | None:
    return cluster.plans.exclude(status=PlanStatus.SUPERSEDED).first()


def cluster_of(compound) -> Cluster | None:
    # The reverse one-to-one raises RelatedObjectDoesNotExist (an AttributeError).
    m = getattr(compound, "cluster_membership", None)
    return m.cluster if m else None


def plan_versions(plan: Plan):
    qs = (
        Plan.objects.filter(compound_id=plan.compound_id)
        if plan.compound_id
        else Plan.objects.filter(cluster_id=plan.cluster_id)
    )
    return qs.select_related("created_by", "approved_by").order_by("-version")


def plan_with_items(plan_pk):
    return (
        Plan.objects.select_related(
            "compound__street", "compound__community", "cluster__area", "created_by", "approved_by"
        )
        .prefetch_related(
            Prefetch("items", queryset=PlanItem.objects.order_by("code")), "funding_lines"
        )
        .get(pk=plan_pk)
    )


def plan_compounds(plan: Plan) -> list:
    """The compounds a plan covers: its compound, or every member of its cluster."""
    if plan.compound_id:
        return [plan.compound]
    return [
        m.compound
        for m in plan.cluster.members.select_related("compound").order_by("compound__name")
    ]


# ---- from the consultation app (imported late: consultation imports plans) ---

ART_278_RENOVATION = 7  # matter 7: 改建、重建建筑物及其附属设施 (民法典第二百七十八条)


def compound_vote_passed(compound_id: int, matter: int = ART_278_RENOVATION) -> bool:
    from gaizao.consultation.selectors import compound_vote_passed as passed

    return bool(passed(compound_id, matter))


def menu_results(compound_id: int) -> list:
    """Item menu results (居民点单): a list of dicts with at least "code"."""
    from gaizao.consultation.selectors import menu_results as results

    return list(results(compound_id))
