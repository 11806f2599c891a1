"""consultation: household access and participation (willingness survey and
item menu).

Access codes are stored hashed (HMAC-SHA256 keyed with a pepper derived from
SECRET_KEY): the raw code exists only in the printed letter.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gaizao.core.models import TimeStamped, user_ref

__all__ = [
    "AccessCode",
    "AccessAttempt",
    "Consultation",
    "ConsultationResponse",
    "MenuChoice",
    "Willingness",
]


class AccessCode(TimeStamped):
    """One-time household code (入户码) for one unit. Issuing a new code for a
    unit revokes the unit's earlier unused codes."""

    unit = models.ForeignKey(
        "inventory.Unit",
        verbose_name=_("房屋"),
        on_delete=models.CASCADE,
        related_name="access_codes",
    )
    code_hash = models.CharField(max_length=64, unique=True)
    issued_by = user_ref(_("发放人"))
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)
    used_by = user_ref(_("使用者"), blank=True)
    revoked_at = models.DateTimeField(_("作废时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("入户码")
        verbose_name_plural = _("入户码")
        ordering = ["-created_at"]
        constraints = [
            # At most one live (unused, unrevoked) code per unit: re-issuing
            # must revoke the old one in the same transaction.
            models.UniqueConstraint(
                fields=["unit"],
                condition=Q(used_at__isnull=True, revoked_at__isnull=True),
                name="accesscode_one_live_per_unit",
            ),
        ]

    def __str__(self):
        return f"入户码 {self.unit_id} {self.state_label}"

    @property
    def state(self) -> str:
        if self.revoked_at:
            return "revoked"
        if self.used_at:
            return "used"
        return "live"

    @property
    def state_label(self) -> str:
        return {"revoked": _("已作废"), "used": _("已使用"), "live": _("未使用")}[self.state]


class AccessAttempt(models.Model):
    """A failed code or PIN entry, for rate limiting by client address
    (kept in the database so that every server worker sees the same count)."""

    ip = models.CharField(max_length=64)
    kind = models.CharField(max_length=8, default="code")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["ip", "at"])]

    def __str__(self):
        return f"{self.kind} {self.ip} {self.at:%Y-%m-%d %H:%M}"


class Willingness(models.TextChoices):
    YES = "yes", _("同意改造")
    NO = "no", _("不同意")
    INDIFFERENT = "indifferent", _("无所谓")


class Consultation(TimeStamped):
    """意愿征询 (and, with_menu, 居民点单) for one compound."""

    compound = models.ForeignKey(
        "inventory.Compound",
        verbose_name=_("小区"),
        on_delete=models.CASCADE,
        related_name="consultations",
    )
    title = models.CharField(_("标题"), max_length=200)
    description = models.TextField(_("说明"), blank=True)
    opens_at = models.DateTimeField(_("开始时间"))
    closes_at = models.DateTimeField(_("截止时间"))
    with_menu = models.BooleanField(_("包含居民点单"), default=True)
    created_by = user_ref(_("发起人"))

    class Meta:
        verbose_name = _("意愿征询")
        verbose_name_plural = _("意愿征询")
        ordering = ["-opens_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")),
                name="consultation_closes_after_opens",
            ),
        ]

    def __str__(self):
        return self.title

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.opens_at <= now < self.closes_at

    @property
    def state_label(self) -> str:
        now = timezone.now()
        if now < self.opens_at:
            return _("未开始")
        return _("进行中") if now < self.closes_at else _("已截止")


class ConsultationResponse(TimeStamped):
    """One household's answer; changeable until the consultation closes."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="responses"
    )
    unit = models.ForeignKey(
        "inventory.Unit",
        verbose_name=_("房屋"),
        on_delete=models.CASCADE,
        related_name="consultation_responses",
    )
    willingness = models.CharField(_("改造意愿"), max_length=16, choices=Willingness.choices)
    contribution_yuan = models.DecimalField(
        _("愿意出资(元)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    contribution_per_m2 = models.DecimalField(
        _("愿意出资(元/㎡)"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    note = models.CharField(_("意见建议"), max_length=500, blank=True)
    entered_by = user_ref(_("填写人"))
    # Set when community staff filled it in for a resident who could not (代填).
    assisted_by = user_ref(_("代填人"), blank=True)

    class Meta:
        verbose_name = _("征询答复")
        verbose_name_plural = _("征询答复")
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "unit"], name="consultation_one_response_per_unit"
            ),
            models.CheckConstraint(
                condition=Q(contribution_yuan__isnull=True) | Q(contribution_yuan__gte=0),
                name="response_contribution_nonnegative",
            ),
            models.CheckConstraint(
                condition=Q(contribution_per_m2__isnull=True) | Q(contribution_per_m2__gte=0),
                name="response_contribution_m2_nonnegative",
            ),
        ]

    def __str__(self):
        return f"{self.consultation_id}/{self.unit_id} {self.willingness}"


class MenuChoice(models.Model):
    """An item a household picked from the catalogue (居民点单). The item is
    snapshotted (code, name, tier, unit cost) as shown when it was picked, so
    the result does not move if the catalogue is revised afterwards."""

    response = models.ForeignKey(
        ConsultationResponse, on_delete=models.CASCADE, related_name="choices"
    )
    catalog_item_id = models.PositiveBigIntegerField(_("改造内容编号"))
    code = models.CharField(_("编码"), max_length=32)
    name = models.CharField(_("改造内容"), max_length=200)
    tier = models.CharField(_("类别"), max_length=16)
    unit = models.CharField(_("单位"), max_length=16, blank=True)
    unit_cost = models.DecimalField(
        _("单价(元)"), max_digits=12, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = _("点单项目")
        verbose_name_plural = _("点单项目")
        constraints = [
            models.UniqueConstraint(
                fields=["response", "catalog_item_id"], name="menuchoice_unique_item"
            ),
        ]

    def __str__(self):
        return self.name
