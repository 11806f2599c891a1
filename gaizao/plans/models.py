"""plans: one plan per compound or
cluster (一院一策), its items and its funding split, and the jurisdiction's
funding rules."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gaizao.catalogue.costs import item_cost
from gaizao.catalogue.models import CatalogItem, Tier
from gaizao.core.models import TimeStamped


class FundingSource(models.TextChoices):
    CENTRAL = "central_subsidy", _("中央补助")
    PROVINCIAL = "provincial_subsidy", _("省市补助")
    DISTRICT = "district_budget", _("区级财政")
    RESIDENT = "resident", _("居民出资")
    MAINTENANCE_FUND = "maintenance_fund", _("专项维修资金")
    PROPERTY_UNIT = "property_unit", _("产权单位")
    UTILITY = "utility", _("专营单位")
    SOCIAL_CAPITAL = "social_capital", _("社会资本")


SOURCE_ORDER = [s.value for s in FundingSource]


class FundingRule(TimeStamped):
    """The jurisdiction's plan and funding rules for a year. Amounts are
    元/m² of floor area (or 元/户); shares are 0–1. split_funding() in
    funding.py applies them; whatever they do not cover is 区级财政."""

    area = models.ForeignKey(
        "regions.Area",
        verbose_name=_("辖区"),
        on_delete=models.CASCADE,
        related_name="funding_rules",
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    # {"basic": "120", "improvement": "60", ...} 元/m² per tier
    central_per_m2 = models.JSONField(_("中央补助(元/㎡,按类别)"), default=dict, blank=True)
    provincial_per_m2 = models.JSONField(_("省市补助(元/㎡,按类别)"), default=dict, blank=True)
    subsidy_cap_share = models.DecimalField(
        _("补助占该类造价上限"), max_digits=5, decimal_places=4, default=Decimal("0.8")
    )
    resident_per_m2 = models.DecimalField(
        _("居民出资(元/㎡)"), max_digits=10, decimal_places=2, default=Decimal("0")
    )
    resident_per_household = models.DecimalField(
        _("居民出资(元/户)"), max_digits=10, decimal_places=2, default=Decimal("0")
    )
    resident_tiers = models.JSONField(_("居民出资适用类别"), default=list, blank=True)
    resident_cap_share = models.DecimalField(
        _("居民出资占适用类别造价上限"), max_digits=5, decimal_places=4, default=Decimal("0.3")
    )
    maintenance_fund_share = models.DecimalField(
        _("维修资金可用比例"), max_digits=5, decimal_places=4, default=Decimal("0")
    )
    property_unit_share = models.DecimalField(
        _("产权单位分担比例"), max_digits=5, decimal_places=4, default=Decimal("0")
    )
    utility_share = models.DecimalField(
        _("专营单位承担其管线比例"), max_digits=5, decimal_places=4, default=Decimal("1")
    )
    social_capital_share = models.DecimalField(
        _("社会资本承担比例"), max_digits=5, decimal_places=4, default=Decimal("0")
    )
    # 民法典第二百七十八条: renovating buildings and their facilities is an
    # owners' joint decision; the jurisdiction decides whether approval waits for it.
    vote_required = models.BooleanField(_("审批前须业主表决通过"), default=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("资金筹措规则")
        verbose_name_plural = _("资金筹措规则")
        ordering = ["area__code", "-year"]
        constraints = [models.UniqueConstraint(fields=["area", "year"], name="funding_rule_unique")]

    def __str__(self):
        return f"{self.area} {self.year}年资金规则"


class Cluster(TimeStamped):
    """片区: adjacent compounds designed, renovated and managed as one (打破小区分割)."""

    name = models.CharField(_("片区名称"), max_length=128)
    area = models.ForeignKey(
        "regions.Area",
        verbose_name=_("所在辖区"),
        on_delete=models.PROTECT,
        related_name="clusters",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("片区")
        verbose_name_plural = _("片区")
        ordering = ["area__code", "name"]

    def __str__(self):
        return self.name


class ClusterMember(models.Model):
    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="members")
    # A compound belongs to at most one cluster.
    compound = models.OneToOneField(
        "inventory.Compound", on_delete=models.CASCADE, related_name="cluster_membership"
    )

    class Meta:
        verbose_name = _("片区成员")
        verbose_name_plural = _("片区成员")

    def __str__(self):
        return f"{self.cluster_id}:{self.compound_id}"


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    CONSULTED = "consulted", _("居民已征询")
    APPROVED = "approved", _("已审批")
    SUPERSEDED = "superseded", _("已被新版本替代")


class Plan(TimeStamped):
    """一院一策: the plan of one compound, or the shared plan of a cluster.
    Versions: the current plan of a subject is the one not superseded."""

    compound = models.ForeignKey(
        "inventory.Compound",
        verbose_name=_("小区"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="plans",
    )
    cluster = models.ForeignKey(
        Cluster,
        verbose_name=_("片区"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="plans",
    )
    version = models.PositiveIntegerField(_("版本"), default=1)
    year = models.PositiveSmallIntegerField(_("年度"))
    status = models.CharField(
        _("状态"), max_length=16, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    consulted_at = models.DateTimeField(_("征询时间"), null=True, blank=True)
    survey = models.ForeignKey(
        "inventory.Survey",
        verbose_name=_("依据的摸底调查"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # 专项维修资金 the compound may draw on (not kept in the inventory).
    maintenance_fund_balance = models.DecimalField(
        _("可用专项维修资金(元)"), max_digits=14, decimal_places=2, default=Decimal("0")
    )
    # True once staff set the funding lines by hand; item changes then move
    # the difference to 区级财政 instead of recomputing every line.
    funding_manual = models.BooleanField(_("资金已手工调整"), default=False)
    # Not stored: set by services._refresh when a change dropped the hand-set
    # funding lines for the rules' split, so the page can tell the user.
    funding_reset: bool = False
    # Denormalised for lists and exports; kept in step by services.
    total_cost = models.DecimalField(
        _("总造价(元)"), max_digits=14, decimal_places=2, default=Decimal("0")
    )
    notes = models.TextField(_("备注"), blank=True)

    class Meta:
        verbose_name = _("改造方案")
        verbose_name_plural = _("改造方案")
        ordering = ["-updated_at", "-id"]
        # The plan list reads the newest 50 down this index instead of
        # sorting every plan in scope (issue 14).
        indexes = [models.Index(fields=["-updated_at", "-id"], name="plan_recent_idx")]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(compound__isnull=False, cluster__isnull=True)
                    | Q(compound__isnull=True, cluster__isnull=False)
                ),
                name="plan_compound_xor_cluster",
            ),
            models.UniqueConstraint(
                fields=["compound", "version"],
                condition=Q(compound__isnull=False),
                name="plan_unique_compound_version",
            ),
            models.UniqueConstraint(
                fields=["cluster", "version"],
                condition=Q(cluster__isnull=False),
                name="plan_unique_cluster_version",
            ),
            # One current plan per subject: guards two concurrent drafts.
            models.UniqueConstraint(
                fields=["compound"],
                condition=Q(compound__isnull=False) & ~Q(status="superseded"),
                name="plan_one_current_per_compound",
            ),
            models.UniqueConstraint(
                fields=["cluster"],
                condition=Q(cluster__isnull=False) & ~Q(status="superseded"),
                name="plan_one_current_per_cluster",
            ),
        ]

    def __str__(self):
        return f"{self.subject_name} 改造方案 第{self.version}版"

    @property
    def subject_name(self) -> str:
        return self.compound.name if self.compound_id else self.cluster.name

    @property
    def editable(self) -> bool:
        return self.status in (PlanStatus.DRAFT, PlanStatus.CONSULTED)


class ItemSource(models.TextChoices):
    SURVEY = "survey", _("摸底调查")
    RESIDENT = "resident", _("居民点单")
    STAFF = "staff", _("工作人员")


class PlanItem(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="items")
    catalog_item = models.ForeignKey(
        CatalogItem, verbose_name=_("改造内容"), on_delete=models.PROTECT, related_name="plan_items"
    )
    # Copied from the catalogue when the item is added: a later price change
    # does not rewrite an approved plan.
    code = models.CharField(_("编码"), max_length=48)
    name = models.CharField(_("名称"), max_length=128)
    tier = models.CharField(_("类别"), max_length=16, choices=Tier.choices)
    unit = models.CharField(_("计量单位"), max_length=8)
    unit_cost = models.DecimalField(_("单价(元)"), max_digits=12, decimal_places=2)
    quantity = models.DecimalField(_("工程量"), max_digits=12, decimal_places=2)
    estimate = models.TextField(_("工程量估算说明"), blank=True)
    source = models.CharField(
        _("来源"), max_length=16, choices=ItemSource.choices, default=ItemSource.STAFF
    )
    note = models.CharField(_("备注"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("方案项目")
        verbose_name_plural = _("方案项目")
        ordering = ["plan_id", "code"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="planitem_unique_code"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="planitem_quantity_positive"),
            models.CheckConstraint(
                condition=Q(unit_cost__gte=0), name="planitem_unit_cost_nonnegative"
            ),
        ]

    def __str__(self):
        return f"{self.name} {self.quantity}{self.unit}"

    @property
    def cost(self) -> Decimal:
        return item_cost(self.quantity, self.unit_cost)


class FundingLine(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="funding_lines")
    source = models.CharField(_("资金来源"), max_length=24, choices=FundingSource.choices)
    amount = models.DecimalField(_("金额(元)"), max_digits=14, decimal_places=2)
    basis = models.TextField(_("测算依据"), blank=True)

    class Meta:
        verbose_name = _("资金来源")
        verbose_name_plural = _("资金来源")
        constraints = [
            models.UniqueConstraint(fields=["plan", "source"], name="funding_unique_source"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="funding_amount_nonnegative"),
        ]

    def __str__(self):
        return f"{self.get_source_display()} {self.amount}"


class PlanVoteReuse(TimeStamped):
    """A new plan version resting on the previous version's passed vote: its
    cost rose within the jurisdiction's tolerance and it adds no item, and a
    second person (not the drafter) confirmed it. The approval gate checks
    the tolerance again, so later edits cannot slip past."""

    plan = models.OneToOneField(
        Plan, verbose_name=_("方案"), on_delete=models.CASCADE, related_name="vote_reuse"
    )
    vote = models.ForeignKey(
        "consultation.Vote",
        verbose_name=_("沿用的业主表决"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    voted_cost = models.DecimalField(_("表决时总造价(元)"), max_digits=14, decimal_places=2)
    cost = models.DecimalField(_("确认时总造价(元)"), max_digits=14, decimal_places=2)
    reason = models.CharField(_("沿用理由"), max_length=500)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("沿用业主表决")
        verbose_name_plural = _("沿用业主表决")

    def __str__(self):
        return f"{self.plan} · {self.vote}"
