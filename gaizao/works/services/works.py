"""Works, milestones in order, progress, inspections, change orders, costs."""

from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gaizao.core import audit, summaries
from gaizao.core.errors import DomainError
from gaizao.core.uploads import check_document
from gaizao.plans.models import FundingSource, PlanStatus

from .. import permissions as perms
from ..models import (
    STAGE_ORDER,
    ChangeOrder,
    CostEntry,
    CostKind,
    Inspection,
    Milestone,
    PhotoPhase,
    ProgressLine,
    ProgressReport,
    Stage,
    Works,
    WorksItem,
    WorksPhoto,
)
from .common import as_date, as_money, as_percent

MAX_PHOTOS = 9


def _require(actor, action):
    if not perms.can_do(actor, action):
        raise PermissionDenied(_("您的角色无权执行此操作"))


def works_create(
    *,
    actor,
    plan,
    contractor=None,
    designer=None,
    supervisor=None,
    implementer=None,
    contract_amount=None,
    planned: dict | None = None,
    source: str = "web",
) -> Works:
    """A works for an approved plan: one milestone per stage, one item per plan item."""
    _require(actor, "works.create")
    if plan.status != PlanStatus.APPROVED:
        raise DomainError(_("方案尚未审批,不能建立施工项目"))
    if Works.objects.filter(plan=plan).exists():
        raise DomainError(_("该方案已有施工项目"))
    planned = planned or {}
    with transaction.atomic():
        name = str(plan.compound.name if plan.compound_id else plan.cluster.name) + "改造工程"
        w = Works.objects.create(
            plan=plan,
            compound=plan.compound if plan.compound_id else None,
            cluster=plan.cluster if plan.cluster_id else None,
            name=name,
            contractor=contractor,
            designer=designer,
            supervisor=supervisor,
            implementer=implementer,
            contract_amount=contract_amount or plan.total_cost or Decimal("0"),
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        Milestone.objects.bulk_create(
            Milestone(
                works=w,
                seq=i,
                stage=s,
                planned_on=as_date(planned.get(s), Stage(s).label, required=False),
            )
            for i, s in enumerate(STAGE_ORDER)
        )
        # bulk_create sends no signal: the planned dates make "late" (kept summary).
        summaries.touch(
            [w.compound_id]
            if w.compound_id
            else plan.cluster.members.values_list("compound_id", flat=True)
        )
        WorksItem.objects.bulk_create(
            WorksItem(
                works=w,
                plan_item=pi,
                name=pi.name,
                unit=pi.unit,
                quantity=pi.quantity,
                budget=(pi.unit_cost * pi.quantity).quantize(Decimal("0.01")),
            )
            for pi in plan.items.all()
        )
        audit.record(
            actor=actor, instance=w, action="create", source=source, changes={"plan": plan.pk}
        )
    return w


def milestone_plan(
    *,
    actor,
    milestone: Milestone,
    planned_on=None,
    responsible_org=None,
    responsible_person=None,
    source="web",
) -> Milestone:
    _require(actor, "works.edit")
    before = audit.snapshot(milestone)
    with transaction.atomic():
        milestone.planned_on = as_date(planned_on, _("计划日期"), required=False)
        milestone.responsible_org = responsible_org
        milestone.responsible_person = responsible_person
        milestone.save()
        audit.record(
            actor=actor,
            instance=milestone,
            action="update",
            source=source,
            changes=audit.diff(before, audit.snapshot(milestone)),
        )
    return milestone


def stage_blockers(works: Works, stage: str, milestones: dict) -> list[str]:
    """Why `stage` may not be marked done yet (empty: it may). Stages go in
    order 方案设计 → 招标 → 开工 → 竣工 → 验收 → 移交; a start needs a
    contractor; acceptance needs every item accepted and a residents'
    representatives' sign-off (居民代表签字); handover needs the compound's
    management arrangement (以管定建)."""
    out = []
    idx = STAGE_ORDER.index(stage)
    for prev in STAGE_ORDER[:idx]:
        if milestones[prev].actual_on is None:
            out.append(_("“%(prev)s”尚未完成") % {"prev": Stage(prev).label})
            break
    if stage == Stage.START and works.contractor_id is None:
        out.append(_("尚未确定施工单位,不能开工"))
    if stage == Stage.ACCEPTANCE:
        if works.items.filter(accepted=False).exists():
            out.append(_("还有改造内容未通过验收检查"))
        if not works.signoffs.filter(agrees=True).exists():
            out.append(_("尚无居民代表签字同意验收"))
    return out


def milestone_done(*, actor, works: Works, stage: str, on, source="web") -> Milestone:
    action = "works.accept" if stage == Stage.ACCEPTANCE else "works.edit"
    if stage == Stage.START and perms.can_do(actor, "works.report"):
        action = "works.report"  # the contractor reports its own start
    _require(actor, action)
    if stage not in STAGE_ORDER:
        raise DomainError(_("阶段“%(s)s”无效") % {"s": stage})
    if stage == Stage.HANDOVER:
        raise DomainError(_("移交请在验收页办理(须指定长效管理安排)"))
    on = as_date(on, _("实际日期"), not_future=True)
    with transaction.atomic():
        ms = {m.stage: m for m in Milestone.objects.select_for_update().filter(works=works)}
        m = ms[stage]
        if m.actual_on is not None:
            raise DomainError(
                _("“%(s)s”已于 %(d)s 完成") % {"s": m.get_stage_display(), "d": m.actual_on}
            )
        problems = stage_blockers(works, stage, ms)
        if problems:
            raise DomainError("; ".join(problems))
        idx = STAGE_ORDER.index(stage)
        if idx and ms[STAGE_ORDER[idx - 1]].actual_on > on:
            raise DomainError(_("日期不能早于上一阶段的完成日期"))
        m.actual_on = on
        m.save(update_fields=["actual_on"])
        works.stage = STAGE_ORDER[min(idx + 1, len(STAGE_ORDER) - 1)]
        works.save(update_fields=["stage", "updated_at"])
        audit.record(
            actor=actor,
            instance=m,
            action="update",
            source=source,
            changes={"actual_on": [None, str(on)]},
        )
    return m


def _check_photos(photos) -> list:
    if len(photos) > MAX_PHOTOS:
        raise DomainError(_("一次最多上传 %(n)s 张照片") % {"n": MAX_PHOTOS})
    out = []
    for f in photos:
        ext, err = check_document(f, allow_pdf=False)
        if err:
            raise DomainError(err)
        out.append((f, ext))
    return out


def photos_add(*, actor, works, photos, phase: str, item=None, source="web") -> list[WorksPhoto]:
    """Before/after/progress photos (checked by their first bytes, core.uploads)."""
    _require(actor, "works.report")
    if phase not in PhotoPhase.values:
        raise DomainError(_("照片阶段无效"))
    checked = _check_photos(list(photos))
    if not checked:
        raise DomainError(_("请选择照片"))
    saved = []
    with transaction.atomic():
        for f, ext in checked:
            p = WorksPhoto(works=works, item=item, phase=phase)
            p.image.save(f"w{works.pk}{ext}", f, save=True)
            saved.append(p)
        audit.record(
            actor=actor,
            instance=works,
            action="update",
            source=source,
            changes={"photos": len(saved), "phase": phase},
        )
    return saved


def progress_report(
    *, actor, works: Works, text: str, percents: dict, photos=(), source="web"
) -> ProgressReport:
    """The contractor's report: a text, percent complete per item, photos."""
    _require(actor, "works.report")
    text = (text or "").strip()
    if not text:
        raise DomainError(_("请填写进度说明"))
    if works.milestones.filter(stage=Stage.START, actual_on__isnull=True).exists():
        raise DomainError(_("项目尚未开工,不能填报进度"))
    items = {i.pk: i for i in works.items.all()}
    clean = {}
    for key, value in percents.items():
        if value in (None, ""):
            continue
        try:
            item = items[int(key)]
        except (KeyError, ValueError, TypeError):
            raise DomainError(_("改造内容“%(k)s”不属于本项目") % {"k": key})
        clean[item] = as_percent(value, item.name)
    checked = _check_photos(list(photos))
    with transaction.atomic():
        r = ProgressReport.objects.create(works=works, author=actor, text=text[:4000])
        ProgressLine.objects.bulk_create(
            ProgressLine(report=r, item=i, percent=p) for i, p in clean.items()
        )
        for item, pct in clean.items():
            item.percent_done = pct
            item.save(update_fields=["percent_done"])
        for f, ext in checked:
            p = WorksPhoto(works=works, report=r, phase=PhotoPhase.PROGRESS)
            p.image.save(f"w{works.pk}{ext}", f, save=True)
        audit.record(
            actor=actor,
            instance=r,
            action="create",
            source=source,
            changes={"items": {i.name: str(p) for i, p in clean.items()}, "photos": len(checked)},
        )
    return r


def cost_record(
    *, actor, works: Works, item_id, source_key: str, kind: str, amount, on, source="web"
) -> CostEntry:
    _require(actor, "works.cost")
    item = works.items.filter(pk=item_id).first() if str(item_id).isdigit() else None
    if item is None:
        raise DomainError(_("请选择本项目的改造内容"))
    if source_key not in FundingSource.values:
        raise DomainError(_("资金来源“%(s)s”无效") % {"s": source_key})
    if kind not in CostKind.values:
        raise DomainError(_("资金类型“%(s)s”无效") % {"s": kind})
    amount = as_money(amount, _("金额"))
    on = as_date(on, _("日期"))
    with transaction.atomic():
        e = CostEntry.objects.create(
            works=works,
            item=item,
            source=source_key,
            kind=kind,
            amount=amount,
            on=on,
            recorded_by=actor,
        )
        audit.record(
            actor=actor,
            instance=e,
            action="create",
            source=source,
            changes={"kind": kind, "amount": str(amount)},
        )
    return e


def final_account_record(*, actor, works: Works, on, amount, source="web") -> Works:
    """结算: only after completion (竣工)."""
    _require(actor, "works.edit")
    if works.milestones.filter(stage=Stage.COMPLETION, actual_on__isnull=True).exists():
        raise DomainError(_("竣工之后才能办理结算"))
    before = audit.snapshot(works)
    with transaction.atomic():
        works.final_account_on = as_date(on, _("结算日期"), not_future=True)
        works.final_account_amount = as_money(amount, _("结算金额"))
        works.save()
        audit.record(
            actor=actor,
            instance=works,
            action="update",
            source=source,
            changes=audit.diff(before, audit.snapshot(works)),
        )
    return works


def inspection_record(
    *, actor, works: Works, on, findings: str, rectify_by=None, item_id=None, source="web"
) -> Inspection:
    _require(actor, "works.inspect")
    findings = (findings or "").strip()
    if not findings:
        raise DomainError(_("请填写检查发现"))
    on = as_date(on, _("检查日期"), not_future=True)
    rectify_by = as_date(rectify_by, _("整改期限"), required=False)
    if rectify_by and rectify_by < on:
        raise DomainError(_("整改期限不能早于检查日期"))
    item = works.items.filter(pk=item_id).first() if item_id and str(item_id).isdigit() else None
    with transaction.atomic():
        i = Inspection.objects.create(
            works=works,
            item=item,
            inspector=actor,
            on=on,
            findings=findings[:4000],
            rectify_by=rectify_by,
            status="open" if rectify_by else "passed",
        )
        audit.record(
            actor=actor, instance=i, action="create", source=source, changes={"status": i.status}
        )
    return i


def inspection_reinspect(
    *, actor, inspection: Inspection, on, passed: bool, note: str = "", source="web"
) -> Inspection:
    _require(actor, "works.inspect")
    if inspection.status != "open":
        raise DomainError(_("该检查无需复查"))
    on = as_date(on, _("复查日期"), not_future=True)
    if on < inspection.on:
        raise DomainError(_("复查日期不能早于检查日期"))
    with transaction.atomic():
        inspection.reinspected_on = on
        inspection.reinspection_note = (note or "").strip()[:300]
        if passed:
            inspection.status = "rectified"
        inspection.save()
        audit.record(
            actor=actor,
            instance=inspection,
            action="update",
            source=source,
            changes={"passed": passed},
        )
    return inspection


def change_order_propose(
    *, actor, works: Works, reason: str, amount, item_id=None, source="web"
) -> ChangeOrder:
    _require(actor, "works.change.propose")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("请填写变更原因"))
    amount = as_money(amount, _("金额增减"), allow_negative=True)
    item = works.items.filter(pk=item_id).first() if item_id and str(item_id).isdigit() else None
    with transaction.atomic():
        co = ChangeOrder.objects.create(
            works=works, item=item, reason=reason[:2000], amount=amount, proposed_by=actor
        )
        audit.record(
            actor=actor,
            instance=co,
            action="create",
            source=source,
            changes={"amount": str(amount)},
        )
    return co


def change_order_decide(*, actor, order: ChangeOrder, approve: bool, source="web") -> ChangeOrder:
    _require(actor, "works.change.approve")
    if order.status != "proposed":
        raise DomainError(_("该变更已审批"))
    with transaction.atomic():
        order.status = "approved" if approve else "rejected"
        order.decided_by, order.decided_at = actor, timezone.now()
        order.save()
        audit.record(
            actor=actor,
            instance=order,
            action="update",
            source=source,
            changes={"status": ["proposed", order.status]},
        )
    return order
