"""Shared pieces of the plan services: plain-data adapters, totals and funding kept in step, versions."""

from decimal import Decimal, InvalidOperation

from django.db.models import Max, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gaizao.catalogue import drafting
from gaizao.catalogue.costs import CostLine, summarise
from gaizao.catalogue.models import CatalogItem
from gaizao.core import audit, summaries
from gaizao.core.errors import DomainError
from gaizao.inventory import facilities
from gaizao.inventory.models import Compound

from ..funding import FundingFacts, FundingRules, split_funding
from ..models import (
    FundingLine,
    FundingRule,
    FundingSource,
    Plan,
    PlanItem,
    PlanStatus,
)
from ..selectors import (
    funding_rule_for,
    plan_compounds,
)

BASIC_FACILITIES = {f.code for f in facilities.FACILITIES if f.group == "basic"}
MAX_QUANTITY = Decimal("9999999999")


# ---- plain-data adapters ---------------------------------------------------


def compound_facts(compound: Compound) -> drafting.CompoundFacts:
    entrances = compound.buildings.aggregate(n=Sum("entrances"))["n"]
    buildings = compound.building_count or compound.buildings.count() or None
    return drafting.CompoundFacts(
        name=compound.name,
        floor_area=compound.floor_area,
        building_count=buildings,
        households=compound.households,
        entrances=entrances or None,
    )


def catalog_entries(items) -> list[drafting.CatalogEntry]:
    return [
        drafting.CatalogEntry(
            code=i.code,
            name=i.name,
            unit=i.unit,
            tier=i.tier,
            facility=i.facility,
            basis=i.estimate_basis,
            factor=i.estimate_factor,
        )
        for i in items
    ]


def rules_of(rule: FundingRule | None) -> FundingRules:
    if rule is None:
        return FundingRules()

    def dec_map(d):
        out = {}
        for k, v in (d or {}).items():
            try:
                out[k] = Decimal(str(v))
            except (InvalidOperation, ValueError):
                continue
        return out

    return FundingRules(
        central_per_m2=dec_map(rule.central_per_m2),
        provincial_per_m2=dec_map(rule.provincial_per_m2),
        subsidy_cap_share=rule.subsidy_cap_share,
        resident_per_m2=rule.resident_per_m2,
        resident_per_household=rule.resident_per_household,
        resident_tiers=list(rule.resident_tiers or []),
        resident_cap_share=rule.resident_cap_share,
        maintenance_fund_share=rule.maintenance_fund_share,
        property_unit_share=rule.property_unit_share,
        utility_share=rule.utility_share,
        social_capital_share=rule.social_capital_share,
    )


def plan_rule(plan: Plan) -> FundingRule | None:
    compounds = plan_compounds(plan)
    return funding_rule_for(compounds[0], plan.year) if compounds else None


def plan_cost_summary(plan: Plan, items=None):
    items = list(plan.items.all()) if items is None else items
    compounds = plan_compounds(plan)
    area = sum((c.floor_area or 0 for c in compounds), Decimal(0))
    hh = sum((c.households or 0 for c in compounds), 0)
    return summarise([CostLine(i.tier, i.quantity, i.unit_cost) for i in items], area, hh)


def plan_funding_facts(plan: Plan, items) -> FundingFacts:
    compounds = plan_compounds(plan)
    sources = dict(
        CatalogItem.objects.filter(pk__in=[i.catalog_item_id for i in items]).values_list(
            "pk", "funding_sources"
        )
    )
    utility: dict[str, Decimal] = {}
    social: dict[str, Decimal] = {}
    for i in items:
        srcs = sources.get(i.catalog_item_id) or []
        if "utility" in srcs:
            utility[i.tier] = utility.get(i.tier, Decimal(0)) + i.cost
        if "social_capital" in srcs:
            social[i.tier] = social.get(i.tier, Decimal(0)) + i.cost
    return FundingFacts(
        floor_area=sum((c.floor_area or 0 for c in compounds), Decimal(0)),
        households=sum((c.households or 0 for c in compounds), 0),
        utility_by_tier=utility,
        social_by_tier=social,
        maintenance_fund_balance=plan.maintenance_fund_balance,
        has_property_unit=any(c.property_rights_unit_id for c in compounds),
    )


# ---- keeping totals and funding in step ------------------------------------


def _refresh(plan: Plan, *, recompute: bool = False) -> bool:
    """Recompute the total; funding by rules, or (if staff set it by hand)
    move the difference to 区级财政, recomputing if that would go negative.

    Returns True when hand-set lines were dropped for the rules' split, and
    marks `plan.funding_reset` so the page can say so (the user must not lose
    a manual split without a word)."""
    dropped = plan.funding_manual and not recompute
    items = list(plan.items.all())
    summary = plan_cost_summary(plan, items)
    plan.total_cost = summary.total
    lines = {fl.source: fl for fl in plan.funding_lines.all()}
    if plan.funding_manual and not recompute:
        other = sum(
            (fl.amount for s, fl in lines.items() if s != FundingSource.DISTRICT), Decimal(0)
        )
        district = summary.total - other
        if district >= 0:
            fl = lines.get(FundingSource.DISTRICT) or FundingLine(
                plan=plan, source=FundingSource.DISTRICT
            )
            fl.amount = district
            fl.basis = "手工调整后,总造价与其他来源之差由区级财政承担"
            fl.save()
            plan.save(update_fields=["total_cost", "updated_at"])
            return False
    shares = split_funding(
        summary.by_tier, plan_funding_facts(plan, items), rules_of(plan_rule(plan))
    )
    # The lines' deletes and the plan's save refresh the kept summaries once
    # (at the block's end), not once a line (core.summaries.suspended).
    with summaries.suspended():
        plan.funding_lines.all().delete()
        FundingLine.objects.bulk_create(
            [
                FundingLine(plan=plan, source=s.source, amount=s.amount, basis=s.basis)
                for s in shares
            ]
        )
        plan.funding_manual = False
        plan.save(update_fields=["total_cost", "funding_manual", "updated_at"])
    if dropped:
        plan.funding_reset = True
    return dropped


def _lock(plan: Plan) -> Plan:
    return Plan.objects.select_for_update().get(pk=plan.pk)


def _parse_quantity(value, *, label: str = gettext_lazy("工程量")) -> Decimal:
    try:
        q = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError, AttributeError):
        raise DomainError(
            _("%(label)s“%(value)s”不是有效的数字") % {"label": label, "value": value}
        )
    if not q.is_finite():
        raise DomainError(
            _("%(label)s“%(value)s”不是有效的数字") % {"label": label, "value": value}
        )
    if q <= 0:
        raise DomainError(
            _("%(label)s必须大于 0(填写的是 %(value)s)") % {"label": label, "value": value}
        )
    if q > MAX_QUANTITY:
        raise DomainError(_("%(label)s %(value)s 过大,请核实") % {"label": label, "value": value})
    q = q.quantize(Decimal("0.01"))
    if q <= 0:
        # 0.001 or 4e-35 is "greater than 0" but is stored as 0.00, which the
        # database refuses (a 500 found by the API fuzzer).
        raise DomainError(
            _("%(label)s %(value)s 太小:最小为 0.01") % {"label": label, "value": value}
        )
    return q


def _editable(plan: Plan, actor, source: str) -> Plan:
    """The plan to change: a draft or consulted plan itself; an approved plan
    gets a new version first (the approved one is superseded)."""
    plan = _lock(plan)
    if plan.status == PlanStatus.SUPERSEDED:
        raise DomainError(
            _("第%(version)s版已被新版本替代,不能修改;请打开当前版本") % {"version": plan.version}
        )
    if plan.status == PlanStatus.APPROVED:
        return _new_version(plan, actor, source)
    return plan


def _next_version(plan_or_subject_kw: dict) -> int:
    v = Plan.objects.filter(**plan_or_subject_kw).aggregate(v=Max("version"))["v"]
    return (v or 0) + 1


def _new_version(old: Plan, actor, source: str) -> Plan:
    subject = (
        {"compound_id": old.compound_id} if old.compound_id else {"cluster_id": old.cluster_id}
    )
    old.status = PlanStatus.SUPERSEDED
    old.save(update_fields=["status", "updated_at"])
    new = Plan.objects.create(
        **subject,
        version=_next_version(subject),
        year=old.year,
        status=PlanStatus.DRAFT,
        created_by=actor,
        survey=old.survey,
        funding_manual=old.funding_manual,
        maintenance_fund_balance=old.maintenance_fund_balance,
        total_cost=old.total_cost,
        notes=old.notes,
    )
    PlanItem.objects.bulk_create(
        [
            PlanItem(
                plan=new,
                catalog_item_id=i.catalog_item_id,
                code=i.code,
                name=i.name,
                tier=i.tier,
                unit=i.unit,
                unit_cost=i.unit_cost,
                quantity=i.quantity,
                estimate=i.estimate,
                source=i.source,
                note=i.note,
            )
            for i in old.items.all()
        ]
    )
    FundingLine.objects.bulk_create(
        [
            FundingLine(plan=new, source=f.source, amount=f.amount, basis=f.basis)
            for f in old.funding_lines.all()
        ]
    )
    # The street's kept money counts the new version's lines (disclosure.tally).
    summaries.touch([new.compound_id])
    audit.record(
        actor=actor,
        instance=old,
        action="update",
        source=source,
        changes={"status": ["approved", "superseded"]},
    )
    audit.record(
        actor=actor,
        instance=new,
        action="create",
        source=source,
        changes={"version": [old.version, new.version]},
    )
    return new
