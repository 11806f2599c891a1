"""plans writes (STYLE.md habit 1): validated, in one transaction, audited.
Every failure is a DomainError with a Chinese message and nothing written."""

from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Max, Sum
from django.utils import timezone

from gaizao.core import audit
from gaizao.core.errors import DomainError
from gaizao.inventory import facilities
from gaizao.inventory.models import Compound

from . import drafting, selectors
from .costs import CostLine, item_cost, summarise
from .funding import SOURCE_LABELS, FundingFacts, FundingRules, fmt, split_funding
from .models import (
    CatalogItem,
    Cluster,
    ClusterMember,
    FundingLine,
    FundingRule,
    FundingSource,
    ItemSource,
    Plan,
    PlanItem,
    PlanStatus,
)
from .selectors import (
    catalogue_for_compound,
    catalogue_for_plan,
    current_plan_for_cluster,
    current_plan_for_compound,
    funding_rule_for,
    latest_survey,
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


def _refresh(plan: Plan, *, recompute: bool = False) -> None:
    """Recompute the total; funding by rules, or (if staff set it by hand)
    move the difference to 区级财政, recomputing if that would go negative."""
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
            return
    shares = split_funding(
        summary.by_tier, plan_funding_facts(plan, items), rules_of(plan_rule(plan))
    )
    plan.funding_lines.all().delete()
    FundingLine.objects.bulk_create(
        [FundingLine(plan=plan, source=s.source, amount=s.amount, basis=s.basis) for s in shares]
    )
    plan.funding_manual = False
    plan.save(update_fields=["total_cost", "funding_manual", "updated_at"])


def _lock(plan: Plan) -> Plan:
    return Plan.objects.select_for_update().get(pk=plan.pk)


def _parse_quantity(value, *, label: str = "工程量") -> Decimal:
    try:
        q = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError, AttributeError):
        raise DomainError(f"{label}“{value}”不是有效的数字")
    if not q.is_finite():
        raise DomainError(f"{label}“{value}”不是有效的数字")
    if q <= 0:
        raise DomainError(f"{label}必须大于 0(填写的是 {value})")
    if q > MAX_QUANTITY:
        raise DomainError(f"{label} {value} 过大,请核实")
    return q.quantize(Decimal("0.01"))


def _editable(plan: Plan, actor, source: str) -> Plan:
    """The plan to change: a draft or consulted plan itself; an approved plan
    gets a new version first (the approved one is superseded)."""
    plan = _lock(plan)
    if plan.status == PlanStatus.SUPERSEDED:
        raise DomainError(f"第{plan.version}版已被新版本替代,不能修改;请打开当前版本")
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


# ---- drafting ---------------------------------------------------------------


def _draft_lines(compound: Compound, year: int):
    survey = latest_survey(compound)
    if survey is None:
        raise DomainError(f"{compound.name}尚无摸底调查记录,不能生成方案草稿;请先完成摸底调查")
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
        raise DomainError("该对象已有当前方案,请刷新页面后在现有方案上修改")
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
        raise DomainError(f"{compound.name}已纳入片区“{membership.cluster.name}”,请编制片区方案")
    with transaction.atomic():
        Compound.objects.select_for_update().filter(pk=compound.pk).first()
        current = current_plan_for_compound(compound)
        if current is not None:
            raise DomainError(
                f"{compound.name}已有改造方案(第{current.version}版),请在现有方案上修改"
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
                f"片区“{cluster.name}”已有改造方案(第{current.version}版),请在现有方案上修改"
            )
        members = [
            m.compound
            for m in cluster.members.select_related("compound__street", "compound__community")
        ]
        if not members:
            raise DomainError("片区没有成员小区")
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
            raise DomainError("以下小区尚无摸底调查记录,不能生成片区方案草稿:" + "、".join(missing))
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


# ---- items --------------------------------------------------------------------


def plan_item_set(
    *,
    actor,
    plan: Plan,
    item_id,
    quantity=None,
    note: str | None = None,
    estimate: str | None = None,
    source: str = "web",
) -> tuple[Plan, PlanItem]:
    """Change an item's quantity (and note). On an approved plan this makes a
    new version first; returns the plan and item actually changed."""
    q = _parse_quantity(quantity) if quantity is not None else None
    with transaction.atomic():
        target = _editable(plan, actor, source)
        try:
            old_item = PlanItem.objects.get(pk=item_id, plan_id=plan.pk)
        except (PlanItem.DoesNotExist, ValueError, TypeError):
            raise DomainError("方案中没有这一项目")
        item = target.items.get(code=old_item.code)
        before = audit.snapshot(item, ["quantity", "note", "estimate"])
        if q is not None:
            item.quantity = q
        if note is not None:
            item.note = note.strip()[:300]
        if estimate is not None:
            item.estimate = estimate.strip()
        item.save()
        _refresh(target)
        changes = audit.diff(before, audit.snapshot(item, ["quantity", "note", "estimate"]))
        audit.record(
            actor=actor,
            instance=target,
            action="update",
            source=source,
            changes={f"{item.code}.{k}": v for k, v in changes.items()},
        )
    return target, item


def plan_item_add(
    *,
    actor,
    plan: Plan,
    code: str,
    quantity,
    item_source: str = ItemSource.STAFF,
    note: str = "",
    estimate: str = "",
    source: str = "web",
) -> tuple[Plan, PlanItem]:
    q = _parse_quantity(quantity)
    if item_source not in ItemSource.values:
        raise DomainError(f"项目来源“{item_source}”无效")
    with transaction.atomic():
        target = _editable(plan, actor, source)
        entry = catalogue_for_plan(target).filter(code=code).first()
        if entry is None:
            raise DomainError(f"改造内容目录中没有编码为“{code}”的项目")
        if target.items.filter(code=code).exists():
            raise DomainError(f"“{entry.name}”已在方案中,请直接修改其工程量")
        item = PlanItem.objects.create(
            plan=target,
            catalog_item=entry,
            code=entry.code,
            name=entry.name,
            tier=entry.tier,
            unit=entry.unit,
            unit_cost=entry.unit_cost,
            quantity=q,
            estimate=estimate.strip() or "工作人员录入",
            source=item_source,
            note=note.strip()[:300],
        )
        _refresh(target)
        audit.record(
            actor=actor,
            instance=target,
            action="update",
            source=source,
            changes={f"{code}.quantity": [None, str(q)]},
        )
    return target, item


def plan_item_remove(*, actor, plan: Plan, item_id, source: str = "web") -> Plan:
    with transaction.atomic():
        target = _editable(plan, actor, source)
        try:
            code = PlanItem.objects.get(pk=item_id, plan_id=plan.pk).code
        except (PlanItem.DoesNotExist, ValueError, TypeError):
            raise DomainError("方案中没有这一项目")
        item = target.items.get(code=code)
        item.delete()
        _refresh(target)
        audit.record(
            actor=actor,
            instance=target,
            action="update",
            source=source,
            changes={f"{code}.quantity": [str(item.quantity), None]},
        )
    return target


def plan_add_menu_results(*, actor, plan: Plan, results: list[dict], source: str = "web") -> int:
    """Add the residents' chosen items (居民点单) not yet in the plan: those
    picked by at least half of the households (when the share is known)."""
    added = 0
    for r in results:
        code = r.get("code")
        if r.get("share") is not None and Decimal(str(r["share"])) < Decimal("0.5"):
            continue
        if not code or plan.items.filter(code=code).exists():
            continue
        try:
            plan, _ = plan_item_add(
                actor=actor,
                plan=plan,
                code=code,
                quantity=r.get("quantity") or 1,
                item_source=ItemSource.RESIDENT,
                estimate="居民点单选定,工程量待核定",
                source=source,
            )
            added += 1
        except DomainError:
            continue
    return added


# ---- funding ----------------------------------------------------------------


def plan_funding_set(*, actor, plan: Plan, amounts: dict, source: str = "web") -> Plan:
    """Staff set the funding lines by hand. Refused unless they sum exactly
    to the total; nothing is written then."""
    parsed: dict[str, Decimal] = {}
    for key, value in amounts.items():
        if key not in FundingSource.values:
            raise DomainError(f"资金来源“{key}”无效")
        if value in (None, ""):
            continue
        label = SOURCE_LABELS[key]
        try:
            amt = Decimal(str(value).strip().replace(",", ""))
        except (InvalidOperation, ValueError):
            raise DomainError(f"{label}金额“{value}”不是有效的数字")
        if not amt.is_finite() or amt < 0:
            raise DomainError(f"{label}金额不能为负数(填写的是 {value})")
        if amt != amt.quantize(Decimal("0.01")):
            raise DomainError(f"{label}金额最多保留两位小数(填写的是 {value})")
        parsed[key] = amt.quantize(Decimal("0.01"))
    with transaction.atomic():
        target = _editable(plan, actor, source)
        total = plan_cost_summary(target).total
        got = sum(parsed.values(), Decimal("0.00"))
        if got != total:
            raise DomainError(
                f"资金合计 {fmt(got)} 元,与总造价 {fmt(total)} 元不符,差额 {fmt(total - got)} 元",
                code="funding_mismatch",
            )
        before = {fl.source: str(fl.amount) for fl in target.funding_lines.all()}
        old_basis = {fl.source: fl.basis for fl in target.funding_lines.all()}
        target.funding_lines.all().delete()
        FundingLine.objects.bulk_create(
            [
                FundingLine(
                    plan=target,
                    source=k,
                    amount=v,
                    basis=old_basis.get(k, "") if before.get(k) == str(v) else "工作人员手工调整",
                )
                for k, v in sorted(parsed.items(), key=lambda kv: FundingSource.values.index(kv[0]))
                if v > 0 or k == FundingSource.DISTRICT
            ]
        )
        target.funding_manual = True
        target.total_cost = total
        target.save(update_fields=["funding_manual", "total_cost", "updated_at"])
        after = {k: str(v) for k, v in parsed.items()}
        audit.record(
            actor=actor,
            instance=target,
            action="update",
            source=source,
            changes={
                f"funding.{k}": [before.get(k), after.get(k)]
                for k in set(before) | set(after)
                if before.get(k) != after.get(k)
            },
        )
    return target


def plan_funding_recompute(*, actor, plan: Plan, source: str = "web") -> Plan:
    with transaction.atomic():
        target = _editable(plan, actor, source)
        _refresh(target, recompute=True)
        audit.record(
            actor=actor,
            instance=target,
            action="update",
            source=source,
            changes={"funding": ["manual", "rules"]},
        )
    return target


def plan_update(
    *,
    actor,
    plan: Plan,
    notes: str | None = None,
    maintenance_fund_balance=None,
    source: str = "web",
) -> Plan:
    bal = None
    if maintenance_fund_balance not in (None, ""):
        try:
            bal = Decimal(str(maintenance_fund_balance).replace(",", "").strip())
        except (InvalidOperation, ValueError):
            raise DomainError(f"可用专项维修资金“{maintenance_fund_balance}”不是有效的数字")
        if not bal.is_finite() or bal < 0:
            raise DomainError("可用专项维修资金不能为负数")
    with transaction.atomic():
        target = _editable(plan, actor, source)
        before = audit.snapshot(target, ["notes", "maintenance_fund_balance"])
        if notes is not None:
            target.notes = notes.strip()
        if bal is not None:
            target.maintenance_fund_balance = bal.quantize(Decimal("0.01"))
        target.save()
        _refresh(target)
        audit.record(
            actor=actor,
            instance=target,
            action="update",
            source=source,
            changes=audit.diff(
                before, audit.snapshot(target, ["notes", "maintenance_fund_balance"])
            ),
        )
    return target


# ---- workflow -----------------------------------------------------------------


def approval_blockers(plan: Plan) -> list[str]:
    """Why the plan cannot be approved yet (empty list: it can)."""
    from gaizao.stewardship.models import ManagementArrangement

    out = []
    if plan.status != PlanStatus.CONSULTED:
        out.append("方案须先征询居民意见(状态为“居民已征询”)才能审批")
    if not plan.items.exists():
        out.append("方案没有改造项目,不能审批")
    compounds = plan_compounds(plan)
    arranged = set(
        ManagementArrangement.objects.filter(compound__in=compounds).values_list(
            "compound_id", flat=True
        )
    )
    for c in compounds:
        if c.pk not in arranged:
            out.append(f"{c.name}尚未登记改造后的长效管理安排(以管定建),不能审批方案")
    rule = plan_rule(plan)
    if rule is None or rule.vote_required:
        for c in compounds:
            if not selectors.compound_vote_passed(c.pk):
                out.append(
                    f"{c.name}的业主表决(民法典第二百七十八条,改建建筑物及其附属设施)"
                    "尚未通过,不能审批方案"
                )
    lines_sum = plan.funding_lines.aggregate(s=Sum("amount"))["s"] or Decimal("0")
    if lines_sum != plan.total_cost:
        out.append(f"资金合计 {fmt(lines_sum)} 元,与总造价 {fmt(plan.total_cost)} 元不符")
    return out


def plan_mark_consulted(*, actor, plan: Plan, source: str = "web") -> Plan:
    with transaction.atomic():
        plan = _lock(plan)
        if plan.status != PlanStatus.DRAFT:
            raise DomainError(
                f"只有草稿可以登记为“居民已征询”(当前状态:{plan.get_status_display()})"
            )
        if not plan.items.exists():
            raise DomainError("方案没有改造项目,不能征询居民意见")
        plan.status = PlanStatus.CONSULTED
        plan.consulted_at = timezone.now()
        plan.save(update_fields=["status", "consulted_at", "updated_at"])
        audit.record(
            actor=actor,
            instance=plan,
            action="update",
            source=source,
            changes={"status": ["draft", "consulted"]},
        )
    return plan


def plan_approve(*, actor, plan: Plan, source: str = "web") -> Plan:
    with transaction.atomic():
        plan = _lock(plan)
        blockers = approval_blockers(plan)
        if blockers:
            raise DomainError(
                blockers[0] if len(blockers) == 1 else ";".join(blockers), code="approval_blocked"
            )
        plan.status = PlanStatus.APPROVED
        plan.approved_at = timezone.now()
        plan.approved_by = actor
        plan.save(update_fields=["status", "approved_at", "approved_by", "updated_at"])
        audit.record(
            actor=actor,
            instance=plan,
            action="update",
            source=source,
            changes={"status": ["consulted", "approved"]},
        )
    return plan


def plan_revise(*, actor, plan: Plan, source: str = "web") -> Plan:
    """修订已审批方案: a new draft version; the approved one is superseded."""
    with transaction.atomic():
        locked = _lock(plan)
        if locked.status != PlanStatus.APPROVED:
            raise DomainError("只有已审批的方案需要生成新版本;草稿可直接修改")
        return _new_version(locked, actor, source)


# ---- clusters -------------------------------------------------------------------


def cluster_create(
    *, actor, name: str, compounds: list[Compound], note: str = "", source: str = "web"
) -> Cluster:
    """片区: two or more compounds of one street — or of neighbouring streets of
    one district — planned, built and managed as one."""
    name = (name or "").strip()
    if not name:
        raise DomainError("请填写片区名称")
    if len(compounds) < 2:
        raise DomainError("片区至少需要两个小区")
    districts = {c.street.prefix[:6] for c in compounds}
    if len(districts) > 1:
        raise DomainError("片区内的小区须在同一区内相邻(同一街道或相邻街道)")
    streets = {c.street_id for c in compounds}
    with transaction.atomic():
        taken = ClusterMember.objects.filter(compound__in=compounds).select_related(
            "compound", "cluster"
        )
        if taken:
            raise DomainError(
                "以下小区已属于其他片区:"
                + "、".join(f"{m.compound.name}(片区“{m.cluster.name}”)" for m in taken)
            )
        planned = [c.name for c in compounds if current_plan_for_compound(c) is not None]
        if planned:
            raise DomainError("以下小区已有单独的改造方案,不能再纳入片区:" + "、".join(planned))
        area = compounds[0].street if len(streets) == 1 else compounds[0].street.parent
        cluster = Cluster.objects.create(
            name=name[:128], area=area, created_by=actor, note=note.strip()
        )
        ClusterMember.objects.bulk_create(
            [ClusterMember(cluster=cluster, compound=c) for c in compounds]
        )
        audit.record(
            actor=actor,
            instance=cluster,
            action="create",
            source=source,
            changes={"members": [None, [c.pk for c in compounds]]},
        )
    return cluster


# ---- catalogue and rules --------------------------------------------------------

CATALOGUE_FIELDS = [
    "name",
    "name_en",
    "tier",
    "unit",
    "unit_cost",
    "facility",
    "funding_sources",
    "estimate_basis",
    "estimate_factor",
    "description",
    "active",
]


def catalogue_item_save(
    *,
    actor,
    base: CatalogItem | None,
    data: dict,
    jurisdiction=None,
    year: int | None = None,
    source: str = "web",
) -> CatalogItem:
    """Save a catalogue item for `jurisdiction` and `year`. Editing an item of
    a wider area (e.g. the national default) creates the override for the
    actor's own jurisdiction instead of changing it for everybody."""
    code = (data.get("code") or (base.code if base else "")).strip()
    if not code:
        raise DomainError("请填写项目编码")
    if Decimal(data.get("unit_cost", 0)) < 0:
        raise DomainError("单价不能为负数")
    with transaction.atomic():
        item = (
            CatalogItem.objects.select_for_update()
            .filter(code=code, jurisdiction=jurisdiction, year=year)
            .first()
        )
        created = item is None
        if item is None:
            item = CatalogItem(code=code, jurisdiction=jurisdiction, year=year)
            if base is not None:
                for f in CATALOGUE_FIELDS:
                    setattr(item, f, getattr(base, f))
        before = {} if created else audit.snapshot(item, CATALOGUE_FIELDS)
        for f in CATALOGUE_FIELDS:
            if f in data:
                setattr(item, f, data[f])
        item.save()
        audit.record(
            actor=actor,
            instance=item,
            action="create" if created else "update",
            source=source,
            changes=audit.diff(before, audit.snapshot(item, CATALOGUE_FIELDS)),
        )
    return item


def funding_rule_save(*, actor, area, year: int, data: dict, source: str = "web") -> FundingRule:
    with transaction.atomic():
        rule, created = FundingRule.objects.select_for_update().get_or_create(area=area, year=year)
        before = {} if created else audit.snapshot(rule)
        for k, v in data.items():
            setattr(rule, k, v)
        rule.save()
        audit.record(
            actor=actor,
            instance=rule,
            action="create" if created else "update",
            source=source,
            changes=audit.diff(before, audit.snapshot(rule)),
        )
    return rule


def item_cost_of(item: PlanItem) -> Decimal:
    return item_cost(item.quantity, item.unit_cost)
