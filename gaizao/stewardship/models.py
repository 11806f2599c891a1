"""stewardship: the management arrangement after the works (长效管理, 以管定建)."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gaizao.core.models import TimeStamped


class ManagementModel(models.TextChoices):
    PROPERTY_COMPANY = "property_company", _("物业服务企业")
    PROPERTY_RIGHTS_UNIT = "property_rights_unit", _("产权单位管理")
    SELF_GOVERNANCE = "self_governance", _("居民自治管理")
    COMMUNITY_TRUSTEE = "community_trustee", _("社区托管")
    STATE_OWNED = "state_owned", _("国有企业兜底管理")


# Which kind of registered organisation may manage under each model (以管定建:
# the manager must be the kind of body the model names). Self-governance may
# also be a residents' group that is not registered: give its name instead.
MANAGER_KINDS: dict[str, tuple[str, ...]] = {
    ManagementModel.PROPERTY_COMPANY: ("property_company",),
    ManagementModel.PROPERTY_RIGHTS_UNIT: ("property_rights_unit",),
    ManagementModel.SELF_GOVERNANCE: ("owners_committee",),
    ManagementModel.COMMUNITY_TRUSTEE: ("community_committee",),
    # 国有企业兜底: a state-owned property company or the state-owned rights holder.
    ManagementModel.STATE_OWNED: ("property_company", "property_rights_unit"),
}


class ManagementArrangement(TimeStamped):
    """Who manages the compound after the works, on what rules and fee.
    The seed: 先自治、后整治、立长效, 突出“以管定建” — a plan is approved only
    once this is recorded (plans.services.plan_approve)."""

    compound = models.OneToOneField(
        "inventory.Compound",
        verbose_name=_("小区"),
        on_delete=models.CASCADE,
        related_name="management_arrangement",
    )
    model = models.CharField(_("管理模式"), max_length=32, choices=ManagementModel.choices)
    manager = models.ForeignKey(
        "regions.Organisation",
        verbose_name=_("管理单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    manager_name = models.CharField(
        _("管理单位名称"),
        max_length=128,
        blank=True,
        help_text=_("未登记为单位时填写名称,如“××小区居民自管小组”"),
    )
    rules_adopted = models.BooleanField(_("已制定管理规约"), default=False)
    rules_adopted_on = models.DateField(_("管理规约通过日期"), null=True, blank=True)
    fee_per_m2_month = models.DecimalField(
        _("物业费(元/㎡·月)"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    starts_on = models.DateField(_("开始日期"), null=True, blank=True)
    note = models.TextField(_("备注"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("长效管理安排")
        verbose_name_plural = _("长效管理安排")
        ordering = ["compound__street__code", "compound__name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(fee_per_m2_month__isnull=True) | Q(fee_per_m2_month__gte=0),
                name="arrangement_fee_nonnegative",
            ),
        ]

    def __str__(self):
        return f"{self.compound} · {self.get_model_display()}"

    @property
    def manager_label(self) -> str:
        return self.manager.name if self.manager_id else self.manager_name


class MaintenanceOrder(TimeStamped):
    """A repair to be done after the works (维修工单), from residents'
    feedback, an inspection or a warranty defect. `source_ref` names the
    originating record ("defect:12", "feedback:7") without importing its app."""

    class Source(models.TextChoices):
        FEEDBACK = "feedback", _("居民反馈")
        INSPECTION = "inspection", _("巡查")
        WARRANTY = "warranty", _("保修期缺陷")
        OTHER = "other", _("其他")

    class Status(models.TextChoices):
        OPEN = "open", _("待处理")
        DONE = "done", _("已完成")

    compound = models.ForeignKey(
        "inventory.Compound", on_delete=models.CASCADE, related_name="maintenance_orders"
    )
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices)
    source_ref = models.CharField(_("来源记录"), max_length=64, blank=True)
    text = models.TextField(_("维修内容"))
    assignee = models.ForeignKey(
        "regions.Organisation",
        verbose_name=_("承办单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default="open")
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("维修工单")
        verbose_name_plural = _("维修工单")
        ordering = ["-id"]

    def __str__(self):
        return f"{self.compound} · {self.get_source_display()}"


class FundEntry(TimeStamped):
    """The compound's maintenance fund (专项维修资金): contributions and draws.
    A draw needs the owners' decision (《民法典》第二百七十八条: 使用建筑物及其
    附属设施的维修资金 is decided by the owners jointly)."""

    class Kind(models.TextChoices):
        CONTRIBUTION = "contribution", _("缴存")
        DRAW = "draw", _("使用")

    compound = models.ForeignKey(
        "inventory.Compound", on_delete=models.CASCADE, related_name="fund_entries"
    )
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    amount = models.DecimalField(
        _("金额(元)"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)]
    )
    on = models.DateField(_("日期"))
    decision = models.CharField(_("业主表决依据"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("维修资金记录")
        verbose_name_plural = _("维修资金记录")
        ordering = ["on", "id"]


# The quarterly rating's checklist (季度考评), one point each.
RATING_CHECKLIST = [
    ("cleaning", _("环境卫生整洁")),
    ("greenery", _("绿化养护到位")),
    ("facilities", _("公共设施完好")),
    ("parking", _("停车秩序规范")),
    ("security", _("安防设施运行")),
    ("fees", _("物业费正常收缴")),
    ("feedback", _("居民诉求及时回应")),
    ("rules", _("执行管理规约")),
]


class Rating(TimeStamped):
    compound = models.ForeignKey(
        "inventory.Compound", on_delete=models.CASCADE, related_name="ratings"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(_("季度"))
    checklist = models.JSONField(_("考评项"), default=dict)
    score = models.PositiveSmallIntegerField(_("得分"))
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("季度考评")
        verbose_name_plural = _("季度考评")
        ordering = ["compound_id", "year", "quarter"]
        constraints = [
            models.UniqueConstraint(fields=["compound", "year", "quarter"], name="rating_unique"),
        ]

    def __str__(self):
        return f"{self.compound} {self.year}Q{self.quarter}"

    @property
    def label(self) -> str:
        return f"{self.year}Q{self.quarter}"
