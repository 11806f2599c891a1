"""Drafting a plan from the latest survey (基础类应改尽改), for a compound or a cluster."""

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gaizao.catalogue import drafting
from gaizao.core import audit
from gaizao.core.errors import DomainError
from gaizao.inventory.models import Compound

from ..models import (
    Cluster,
    ClusterMember,
    ItemSource,
    Plan,
    PlanItem,
)
from ..selectors import (
    catalogue_for_compound,
    current_plan_for_cluster,
    current_plan_for_compound,
    latest_survey,
    plan_compounds,
)
from ._base import BASIC_FACILITIES, _next_version, _refresh, catalog_entries, compound_facts

# ---- drafting ---------------------------------------------------------------


def _draft_lines(compound: Compound, year: int):
    survey = latest_survey(compound)
    if survey is None:
        raise DomainError(
            _("%(name)s尚无摸底调查记录,不能生成方案草稿;请先完成摸底调查")
            % {"name": compound.name}
        )
    ratings = {c.facility: c.rating for c in survey.conditions.all()}
    catalogue = list(catalogue_for_compound(compound, year))
    items, _suggestions = drafting.draft(
        compound_facts(compound), ratings, catalog_entries(catalogue), BASIC_FACILITIES
    )
    return survey, items, {c.code: c for c in catalogue}


def _create_plan(*, actor, subject: dict, year: int, survey, lines, catalogue, source: str) -> Plan:
    try:
        with transaction.atomic():
            plan = Plan.objects.create(
                **subject,
                version=_next_version(subject),
                year=year,
                created_by=actor,
                survey=survey,
            )
    except IntegrityError:
        raise DomainError(_("该对象已有当前方案,请刷新页面后在现有方案上修改"))
    PlanItem.objects.bulk_create(
        [
            PlanItem(
                plan=plan,
                catalog_item=catalogue[ln.code],
                code=ln.code,
                name=catalogue[ln.code].name,
                tier=catalogue[ln.code].tier,
                unit=catalogue[ln.code].unit,
                unit_cost=catalogue[ln.code].unit_cost,
                quantity=ln.quantity,
                estimate=ln.estimate,
                source=ItemSource.SURVEY,
            )
            for ln in lines
        ]
    )
    _refresh(plan, recompute=True)
    audit.record(
        actor=actor,
        instance=plan,
        action="create",
        source=source,
        changes={"items": [None, len(lines)], "total_cost": [None, str(plan.total_cost)]},
    )
    return plan


def plan_draft_from_survey(
    *, actor, compound: Compound, year: int | None = None, source: str = "web"
) -> Plan:
    """根据摸底调查生成方案草稿 (一院一策)."""
    year = year or timezone.localdate().year
    membership = ClusterMember.objects.filter(compound=compound).select_related("cluster").first()
    if membership:
        raise DomainError(
            _("%(name)s已纳入片区“%(name2)s”,请编制片区方案")
            % {"name": compound.name, "name2": membership.cluster.name}
        )
    with transaction.atomic():
        Compound.objects.select_for_update().filter(pk=compound.pk).first()
        current = current_plan_for_compound(compound)
        if current is not None:
            raise DomainError(
                _("%(name)s已有改造方案(第%(version)s版),请在现有方案上修改")
                % {"name": compound.name, "version": current.version}
            )
        survey, lines, catalogue = _draft_lines(compound, year)
        return _create_plan(
            actor=actor,
            subject={"compound": compound},
            year=year,
            survey=survey,
            lines=lines,
            catalogue=catalogue,
            source=source,
        )


def plan_draft_for_cluster(
    *, actor, cluster: Cluster, year: int | None = None, source: str = "web"
) -> Plan:
    """片区方案: the members' drafts, quantities summed item by item."""
    year = year or timezone.localdate().year
    with transaction.atomic():
        Cluster.objects.select_for_update().filter(pk=cluster.pk).first()
        current = current_plan_for_cluster(cluster)
        if current is not None:
            raise DomainError(
                _("片区“%(name)s”已有改造方案(第%(version)s版),请在现有方案上修改")
                % {"name": cluster.name, "version": current.version}
            )
        members = [
            m.compound
            for m in cluster.members.select_related("compound__street", "compound__community")
        ]
        if not members:
            raise DomainError(_("片区没有成员小区"))
        per_member, catalogue, missing = [], {}, []
        for c in sorted(members, key=lambda c: c.name):
            try:
                _survey, lines, cat = _draft_lines(c, year)
            except DomainError:
                missing.append(c.name)
                continue
            per_member.append((c.name, lines))
            catalogue.update(cat)
        if missing:
            raise DomainError(
                _("以下小区尚无摸底调查记录,不能生成片区方案草稿:") + "、".join(missing)
            )
        return _create_plan(
            actor=actor,
            subject={"cluster": cluster},
            year=year,
            survey=None,
            lines=drafting.merge(per_member),
            catalogue=catalogue,
            source=source,
        )


def plan_suggestions(plan: Plan) -> list[dict]:
    """Worn basic and broken/missing 提升项目 facilities not yet in the plan."""
    present = set(plan.items.values_list("code", flat=True))
    out: dict[str, dict] = {}
    for c in plan_compounds(plan):
        survey = latest_survey(c)
        if survey is None:
            continue
        ratings = {x.facility: x.rating for x in survey.conditions.all()}
        catalogue = {i.code: i for i in catalogue_for_compound(c, plan.year)}
        _items, sugg = drafting.draft(
            compound_facts(c), ratings, catalog_entries(catalogue.values()), BASIC_FACILITIES
        )
        for s in sugg:
            if s.code in present:
                continue
            row = out.setdefault(
                s.code,
                {
                    "item": catalogue[s.code],
                    "quantity": Decimal(0),
                    "estimate": [],
                    "rating": s.rating,
                },
            )
            row["quantity"] += s.quantity
            row["estimate"].append(f"{c.name}:{s.estimate}" if plan.cluster_id else s.estimate)
    for row in out.values():
        row["estimate"] = ";".join(row["estimate"])
    return sorted(out.values(), key=lambda r: (r["item"].tier != "basic", r["item"].code))
