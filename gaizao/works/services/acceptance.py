"""Acceptance (竣工验收), handover (移交) and warranty defects (保修)."""

import calendar
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gaizao.accounts.models import User
from gaizao.core import audit, notify
from gaizao.core.errors import DomainError
from gaizao.stewardship.selectors import arrangement_for_compound
from gaizao.stewardship.services_care import maintenance_order_create

from .. import permissions as perms
from ..models import Defect, Handover, Milestone, Signoff, Stage, Works, WorksItem
from .common import as_date
from .works import stage_blockers


def _require(actor, action):
    if not perms.can_do(actor, action):
        raise PermissionDenied(_("您的角色无权执行此操作"))


def _completed(works) -> bool:
    return works.milestones.filter(stage=Stage.COMPLETION, actual_on__isnull=False).exists()


def item_accept(*, actor, item: WorksItem, passed: bool, note: str = "", source="web") -> WorksItem:
    """One line of the acceptance checklist; only after 竣工."""
    _require(actor, "works.accept")
    if not _completed(item.works):
        raise DomainError(_("竣工之后才能进行验收检查"))
    note = (note or "").strip()[:300]
    if not passed and not note:
        raise DomainError(_("“%(item)s”不合格时请写明验收意见") % {"item": item.name})
    with transaction.atomic():
        item.accepted, item.acceptance_note, item.accepted_by = passed, note, actor
        item.save(update_fields=["accepted", "acceptance_note", "accepted_by"])
        audit.record(
            actor=actor, instance=item, action="update", source=source, changes={"accepted": passed}
        )
    return item


def signoff_record(
    *, actor, works: Works, representative: str, agrees: bool, opinion: str = "", source="web"
) -> Signoff:
    _require(actor, "works.accept")
    if not _completed(works):
        raise DomainError(_("竣工之后才能由居民代表签字验收"))
    representative = (representative or "").strip()
    if not representative:
        raise DomainError(_("请填写居民代表姓名"))
    with transaction.atomic():
        s = Signoff.objects.create(
            works=works,
            representative=representative[:64],
            agrees=agrees,
            opinion=(opinion or "")[:300],
            recorded_by=actor,
        )
        audit.record(
            actor=actor,
            instance=works,
            action="update",
            source=source,
            changes={"signoff": representative, "agrees": agrees},
        )
    return s


def add_months(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def handover_record(*, actor, works: Works, on, source="web") -> Handover:
    """移交 to the compound's management arrangement; the warranty runs from
    here (《建设工程质量管理条例》第四十条: 保修期自竣工验收合格之日起计算 —
    we count from the handover that follows acceptance, the later date)."""
    _require(actor, "works.edit")
    on = as_date(on, _("移交日期"), not_future=True)
    compound = works.compound
    if compound is None:
        raise DomainError(_("片区项目请按小区分别移交"))
    arrangement = arrangement_for_compound(compound)
    with transaction.atomic():
        ms = {m.stage: m for m in Milestone.objects.select_for_update().filter(works=works)}
        if ms[Stage.HANDOVER].actual_on:
            raise DomainError(_("该项目已移交"))
        problems = stage_blockers(works, Stage.HANDOVER, ms)
        if arrangement is None:
            problems.append(_("小区尚未登记长效管理安排,不能移交"))
        if problems:
            raise DomainError("; ".join(problems))
        if on < ms[Stage.ACCEPTANCE].actual_on:
            raise DomainError(_("移交日期不能早于验收日期"))
        h = Handover.objects.create(
            works=works,
            arrangement=arrangement,
            handed_over_on=on,
            warranty_until=add_months(on, works.warranty_months),
            recorded_by=actor,
        )
        m = ms[Stage.HANDOVER]
        m.actual_on = on
        m.save(update_fields=["actual_on"])
        audit.record(
            actor=actor,
            instance=works,
            action="update",
            source=source,
            changes={"handover": str(on)},
        )
    return h


def defect_report(*, actor, works: Works, item_id, text: str, source="web") -> Defect:
    """A defect against one item. In the warranty period it goes to the
    contractor (notice + maintenance order assigned to it)."""
    _require(actor, "works.defect")
    item = works.items.filter(pk=item_id).first() if str(item_id or "").isdigit() else None
    if item is None:
        raise DomainError(_("请选择出问题的改造内容"))
    text = (text or "").strip()
    if not text:
        raise DomainError(_("请描述问题"))
    h = Handover.objects.filter(works=works).first()
    in_warranty = h is not None and timezone.localdate() <= h.warranty_until
    with transaction.atomic():
        d = Defect.objects.create(
            works=works, item=item, text=text[:2000], reported_by=actor, in_warranty=in_warranty
        )
        if works.compound_id:
            maintenance_order_create(
                actor=actor,
                compound=works.compound,
                source="warranty" if in_warranty else "other",
                source_ref=f"defect:{d.pk}",
                text=f"{item.name}:{text}",
                assignee=works.contractor if in_warranty else None,
                src=source,
            )
        if in_warranty and works.contractor_id:
            notify.send(
                recipients=list(
                    User.objects.filter(organisation_id=works.contractor_id, is_active=True)
                ),
                subject=f"保修期缺陷:{works.name}",
                body=f"{item.name}:{text}",
                kind="works.defect",
                ref=f"defect:{d.pk}",
            )
        audit.record(
            actor=actor,
            instance=d,
            action="create",
            source=source,
            changes={"in_warranty": in_warranty},
        )
    return d


def defect_fix(*, actor, defect: Defect, source="web") -> Defect:
    _require(actor, "works.defect.fix")
    if defect.status == "fixed":
        raise DomainError(_("该问题已修复"))
    with transaction.atomic():
        defect.status = "fixed"
        defect.save(update_fields=["status", "updated_at"])
        audit.record(
            actor=actor,
            instance=defect,
            action="update",
            source=source,
            changes={"status": ["open", "fixed"]},
        )
    return defect
