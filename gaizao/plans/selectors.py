"""plans reads: plans in a user's jurisdiction, the catalogue of a plan, the
funding rules in force, the gates read from consultation, and the plan
summary for the resident portal."""

from decimal import Decimal

from django.db.models import Prefetch, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from gaizao.catalogue.models import CatalogItem
from gaizao.catalogue.selectors import (  # noqa: F401 (plans' callers read the catalogue here)
    catalogue_for_area,
    catalogue_for_compound,
    compound_prefixes,
)
from gaizao.consultation import selectors as consultation_selectors
from gaizao.inventory.models import Survey
from gaizao.inventory.permissions import compound_q, compounds_for_user
from gaizao.regions.models import Area
from gaizao.regions.scope import ancestor_prefixes
from gaizao.regions.selectors import resolve_street, street_list

from . import selectors_votes as votes
from .models import Cluster, FundingRule, Plan, PlanItem, PlanStatus
from .selectors_votes import (  # noqa: F401 (re-exported for the gates)
    ART_278_COMMON_USE,
    ART_278_RAISE_FUND,
    ART_278_USE_FUND,
    common_use_items,
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


def funding_rules_for_area(area):
    """Funding rules of `area` and the areas above it (all rules for a user
    without an area)."""
    rules = FundingRule.objects.select_related("area")
    if area is not None:
        rules = rules.filter(area__prefix__in=ancestor_prefixes(area))
    return rules


def area_rule_of_year(rules, area, year: int) -> FundingRule | None:
    """The rule set for exactly `area` and `year` among `rules` (the page's
    current values); None without an area."""
    if area is None:
        return None
    return rules.filter(area=area, year=year).first()


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
    on_compound = compound_q(user, "compound__")
    if not on_compound:
        # An empty Q means "every compound" (superuser, country-level role).
        # OR-ing it with the cluster filter would drop it (Q() | q == q) and
        # leave only the cluster plans (issue 9, finding 7).
        return Plan.objects.all()
    visible_clusters = Cluster.objects.filter(compound_q(user, "members__compound__")).values("pk")
    # No DISTINCT: the compound is a foreign key and the clusters a subquery,
    # so no plan row is repeated.
    return Plan.objects.filter(on_compound | Q(cluster__in=visible_clusters))


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


# ---- from the consultation app (below plans): the gates a plan passes ----

ART_278_RENOVATION = 7  # matter 7: 改建、重建建筑物及其附属设施 (民法典第二百七十八条)


def compound_vote_passed(compound_id: int, matter: int = ART_278_RENOVATION) -> bool:
    return bool(consultation_selectors.compound_vote_passed(compound_id, matter))


def menu_results(compound_id: int) -> list:
    """Item menu results (居民点单): a list of dicts with at least "code"."""
    return list(consultation_selectors.menu_results(compound_id))


# ---- for the resident portal (above plans) ----


def plan_summary(compound) -> dict | None:
    """The compound's current plan (一院一策) for the resident portal: status,
    cost and a line on progress. None when there is no plan. The portal (its
    page and /participation/me) calls it from above plans."""
    plan = current_plan_for_compound(compound)
    if plan is None:
        return None
    status = plan.status
    label = plan.get_status_display()
    progress = {
        "draft": _("改造方案正在编制中,尚未开工。"),
        "consulted": _("改造方案已征求居民意见,等待审批,尚未开工。"),
        "approved": _("改造方案已审批。施工进度将在开工后在此公布。"),
    }.get(status) or _("改造方案办理中。")
    return {
        "plan": plan,
        "status": status,
        "status_label": label,
        "total_cost": plan.total_cost,
        "version": plan.version,
        "progress": progress,
    }


# ---- clusters: what the "new cluster" page offers -------------------------------


def unclustered_compounds(user, street_code: str = ""):
    """Compounds the user may see that belong to no cluster yet, optionally
    of one street, ordered for the picking list."""
    qs = compounds_for_user(user).select_related("street").filter(cluster_membership__isnull=True)
    if street_code:
        qs = qs.filter(street__code=street_code)
    return qs.order_by("street__code", "name")


def visible_compounds(user, pks: list[int]) -> list:
    """The picked compounds the user may see (the chokepoint decides)."""
    return list(compounds_for_user(user).select_related("street__parent").filter(pk__in=pks))


def _streets_of_visible_compounds(user):
    return Area.objects.filter(
        level=Area.Level.STREET, pk__in=compounds_for_user(user).values("street_id")
    ).order_by("code")


def cluster_streets(user):
    """The streets of the compounds the user may see, as a list, or None
    when there are too many for one (the street is typed instead)."""
    return street_list(_streets_of_visible_compounds(user))


def cluster_street_code(user, text: str) -> str:
    """The code of the street picked (a code) or typed (name or code)."""
    return cluster_street(user, text)[0]


def cluster_street(user, text: str) -> tuple[str, str]:
    """(the code of the street picked or typed, "") or ("", a Chinese
    message when the text names no street, or several, in the user's scope)."""
    street, problem = resolve_street(_streets_of_visible_compounds(user), text)
    return (street.code, "") if street else ("", problem)


# ---- the decision a plan rests on (民法典第二百七十八条) ----


def plan_vote_blockers(plan: Plan) -> list[str]:
    """Why the owners' decision does not (yet) carry this plan version:

    * a passed item-7 vote bound to THIS plan version (Vote.plan_id), not
      to an earlier one: owners decided on what they were shown;
    * its result published and the notice period over (公示期满), with no
      objection pending, and not set aside.
    """
    from_votes = list(consultation_selectors.plan_votes(plan.pk, ART_278_RENOVATION)[:5])
    done = [v for v in from_votes if v.status == "published" and v.passed and not v.overturned]
    if not done:
        # Within the jurisdiction's tolerance, confirmed by a second person,
        # the previous version's vote carries this one — checked again now.
        reuse = votes.plan_vote_reuse(plan)
        if reuse is not None:
            standing = votes.previous_vote(plan)
            if standing is None or standing.pk != reuse.vote_id:
                return [_("沿用的业主表决已不再有效(已撤销或有更新的表决),须重新表决")]
            problems = votes.reuse_problems(plan, standing)
            if problems:
                return [_("确认沿用表决后方案又有修改:") + ";".join(problems)]
            done = [standing]
    if not done:
        return [
            _(
                "本版方案(第%(v)s版)没有通过的业主表决(民法典第二百七十八条第一款第七项);"
                "方案修改后须就新版本重新表决"
            )
            % {"v": plan.version}
        ]
    v = done[0]
    out = []
    if v.notice_ends_at and v.notice_ends_at > timezone.now():
        out.append(
            _("业主表决结果公示期至 %(end)s,公示期满后才能审批")
            % {"end": f"{timezone.localtime(v.notice_ends_at):%Y-%m-%d %H:%M}"}
        )
    n = consultation_selectors.pending_objections(v)
    if n:
        out.append(_("业主表决有 %(n)s 件异议待答复,不能审批") % {"n": n})
    return out


def compound_exclusive_area(compound_id) -> Decimal:
    """The compound's total exclusive area (the proposal splits the
    residents' share by it)."""
    return consultation_selectors.compound_units(compound_id).aggregate(s=Sum("exclusive_area"))[
        "s"
    ] or Decimal("0")
