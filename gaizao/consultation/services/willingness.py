"""Willingness surveys (意愿征询) and item menus (居民点单): open one, answer it."""

import unicodedata
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gaizao.accounts.models import Role
from gaizao.catalogue import selectors as catalogue_selectors
from gaizao.core import audit
from gaizao.core.errors import DomainError, ErrorDetail
from gaizao.inventory.models import Compound, Unit

from ..models import (
    Consultation,
    ConsultationResponse,
    MenuChoice,
    Willingness,
)
from ._common import _require

# ------------------------------------------------------ surveys and item menu


def consultation_create(
    *,
    actor,
    compound,
    title: str,
    opens_at,
    closes_at,
    description: str = "",
    with_menu: bool = True,
) -> Consultation:
    _require(actor, "consultation.manage", _("您的角色无权发起意愿征询"))
    title = (title or "").strip()
    if not title:
        raise DomainError(_("请填写征询标题"))
    if not opens_at or not closes_at or closes_at <= opens_at:
        raise DomainError(_("截止时间应晚于开始时间"))
    with transaction.atomic():
        # The compound row lock makes two simultaneous creations queue here,
        # so the second one sees the first.
        Compound.objects.select_for_update().filter(pk=compound.pk).first()
        _refuse_overlapping_consultation(compound, opens_at, closes_at)
        c = Consultation.objects.create(
            compound=compound,
            title=title[:200],
            description=description or "",
            opens_at=opens_at,
            closes_at=closes_at,
            with_menu=with_menu,
            created_by=actor,
        )
        audit.record(actor=actor, instance=c, action="create", changes={"compound": compound.pk})
    return c


def _refuse_overlapping_consultation(compound, opens_at, closes_at) -> None:
    """A second survey while one runs would become the "latest" survey and
    reset the willingness evidence (selectors.latest_consultation) with a few
    early answers. One survey of a compound at a time: refuse a new one whose
    period overlaps one that has not closed yet."""
    now = timezone.now()
    other = (
        Consultation.objects.filter(
            compound=compound, closes_at__gt=max(now, opens_at), opens_at__lt=closes_at
        )
        .order_by("opens_at", "id")
        .first()
    )
    if other is None:
        return
    fmt = {
        "title": other.title,
        "opens": f"{timezone.localtime(other.opens_at):%Y-%m-%d %H:%M}",
        "closes": f"{timezone.localtime(other.closes_at):%Y-%m-%d %H:%M}",
    }
    if other.opens_at <= now:
        raise DomainError(
            _(
                "本小区已有正在进行的意愿征询:“%(title)s”(截止 %(closes)s),"
                "请待其结束后再发起新的征询"
            )
            % fmt
        )
    raise DomainError(
        _("本小区已安排意愿征询:“%(title)s”(%(opens)s 至 %(closes)s),与本次时间重叠,请调整时间")
        % fmt
    )


def _decimal(value, label: str, *, max_value: Decimal) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        d = Decimal(unicodedata.normalize("NFKC", str(value)).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise DomainError(_("%(label)s应为数字") % {"label": label})
    if not d.is_finite() or d < 0:
        raise DomainError(_("%(label)s不能为负数") % {"label": label})
    if d > max_value:
        raise DomainError(
            _("%(label)s过大,请核对(最多 %(max_value)s)") % {"label": label, "max_value": max_value}
        )
    return d.quantize(Decimal("0.01"))


def consultation_respond(
    *,
    actor,
    consultation: Consultation,
    unit: Unit,
    willingness: str,
    contribution_yuan=None,
    contribution_per_m2=None,
    item_ids=(),
    note: str = "",
    assisted: bool = False,
) -> ConsultationResponse:
    """One household's answer (create or change while the survey is open).
    assisted: community staff fill it in for a resident who cannot."""
    if assisted:
        _require(actor, "ballot.enter", _("您的角色无权代居民填写"))
    elif actor.role != Role.RESIDENT or actor.unit_id != unit.pk:
        raise DomainError(_("只能为本户填写"))
    if unit.building.compound_id != consultation.compound_id:
        raise DomainError(_("该房屋不属于本次征询的小区"))
    if not consultation.is_open():
        raise DomainError(_("本次征询不在填写时间内(已截止或尚未开始)"))
    if willingness not in Willingness.values:
        raise DomainError(_("请选择是否同意改造"))
    yuan = _decimal(contribution_yuan, _("愿意出资金额"), max_value=Decimal("10000000"))
    per_m2 = _decimal(contribution_per_m2, _("每平方米出资"), max_value=Decimal("100000"))
    if yuan is not None and per_m2 is not None:
        # The form asks for one or the other (元 或 元/㎡): both would be
        # counted twice in the contribution totals.
        raise DomainError(
            _("出资金额请只填一种:按户出资(元)或按每平方米出资(元/㎡)"),
            errors=[ErrorDetail(_("出资金额请只填一种"), field="contribution_per_m2")],
        )
    wanted = []
    try:
        ids = sorted({int(i) for i in item_ids or ()})
    except (TypeError, ValueError):
        raise DomainError(_("点单项目无效"))
    if ids:
        if not consultation.with_menu:
            raise DomainError(_("本次征询不含居民点单"))
        menu = {m["id"]: m for m in catalogue_selectors.menu_items(consultation.compound)}
        unknown = [i for i in ids if i not in menu]
        if unknown:
            raise DomainError(_("所选项目不在本小区的点单目录中,请刷新页面后重选"))
        wanted = [menu[i] for i in ids]
    with transaction.atomic():
        resp, created = ConsultationResponse.objects.update_or_create(
            consultation=consultation,
            unit=unit,
            defaults={
                "willingness": willingness,
                "contribution_yuan": yuan,
                "contribution_per_m2": per_m2,
                "note": (note or "").strip()[:500],
                "entered_by": actor,
                "assisted_by": actor if assisted else None,
            },
        )
        resp.choices.all().delete()
        MenuChoice.objects.bulk_create(
            [
                MenuChoice(
                    response=resp,
                    catalog_item_id=m["id"],
                    code=m["code"][:32],
                    name=m["name"][:200],
                    tier=m["tier"][:16],
                    unit=(m["unit"] or "")[:16],
                    unit_cost=m["unit_cost"],
                )
                for m in wanted
            ]
        )
        audit.record(
            actor=actor,
            instance=resp,
            action="create" if created else "update",
            changes={"willingness": willingness, "items": ids, "assisted": assisted},
        )
    return resp
