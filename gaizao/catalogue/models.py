"""catalogue: the renovation items (改造内容) a plan may use, their tiers and
units, and how a quantity is estimated from a compound's data."""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gaizao.core.models import TimeStamped
from gaizao.inventory import facilities


class Tier(models.TextChoices):
    # 国办发〔2020〕23号: 基础类 / 完善类 / 提升类; the seed's 基础项目 is the basic
    # tier, its 提升项目 spreads over improvement and enhancement. Some cities
    # add 安全类 (safety) as a tier of its own.
    BASIC = "basic", _("基础类")
    IMPROVEMENT = "improvement", _("完善类")
    ENHANCEMENT = "enhancement", _("提升类")
    SAFETY = "safety", _("安全类")


TIER_ORDER = ["basic", "safety", "improvement", "enhancement"]


class ItemUnit(models.TextChoices):
    M = "m", "m"
    M2 = "m²", "m²"
    PIECE = "个", "个"
    SET = "套", "套"
    PLACE = "处", "处"
    ITEM = "项", "项"
    UNIT = "部", "部"


class EstimateBasis(models.TextChoices):
    """How a drafted quantity is estimated from the compound's data (drafting.py)."""

    NONE = "", _("不自动估算")
    FLOOR_AREA = "floor_area", _("按建筑面积")
    BUILDING = "building", _("按楼栋数")
    ENTRANCE = "entrance", _("按单元数")
    HOUSEHOLD = "household", _("按户数")
    ROAD_LENGTH = "road_length", _("按道路长度")
    ROAD_AREA = "road_area", _("按道路面积")
    LAMP = "lamp", _("按路灯间距")
    COMPOUND = "compound", _("每小区一项")


class CatalogItem(TimeStamped):
    """改造内容. jurisdiction null = the national default; an area's item with the
    same code overrides it for compounds inside the area (the most specific
    area wins, a year-specific item beats an all-years item)."""

    code = models.CharField(_("编码"), max_length=48)
    name = models.CharField(_("名称"), max_length=128)
    name_en = models.CharField(_("英文名称"), max_length=128, blank=True)
    tier = models.CharField(_("类别"), max_length=16, choices=Tier.choices)
    unit = models.CharField(_("计量单位"), max_length=8, choices=ItemUnit.choices)
    unit_cost = models.DecimalField(_("单价(元)"), max_digits=12, decimal_places=2)
    facility = models.CharField(
        _("对应设施"), max_length=32, choices=facilities.CHOICES, blank=True, null=True
    )
    funding_sources = models.JSONField(_("可用资金来源"), default=list, blank=True)
    jurisdiction = models.ForeignKey(
        "regions.Area",
        verbose_name=_("适用辖区"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="catalogue_items",
    )
    year = models.PositiveSmallIntegerField(_("适用年度"), null=True, blank=True)
    estimate_basis = models.CharField(
        _("工程量估算依据"), max_length=16, choices=EstimateBasis.choices, blank=True, default=""
    )
    estimate_factor = models.DecimalField(
        _("估算系数"), max_digits=10, decimal_places=4, default=Decimal("1")
    )
    description = models.CharField(_("说明"), max_length=300, blank=True)
    # Why the item sits in its tier: the document (23号, the Panlong seed).
    source = models.CharField(_("分类依据"), max_length=200, blank=True)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        db_table = "plans_catalogitem"  # the table kept its name when the model moved from plans
        verbose_name = _("改造内容")
        verbose_name_plural = _("改造内容")
        ordering = ["code", "jurisdiction_id", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"],
                condition=Q(jurisdiction__isnull=True, year__isnull=True),
                name="catalog_unique_default",
            ),
            models.UniqueConstraint(
                fields=["code", "year"],
                condition=Q(jurisdiction__isnull=True, year__isnull=False),
                name="catalog_unique_default_year",
            ),
            models.UniqueConstraint(
                fields=["code", "jurisdiction"],
                condition=Q(jurisdiction__isnull=False, year__isnull=True),
                name="catalog_unique_area",
            ),
            models.UniqueConstraint(
                fields=["code", "jurisdiction", "year"],
                condition=Q(jurisdiction__isnull=False, year__isnull=False),
                name="catalog_unique_area_year",
            ),
            models.CheckConstraint(
                condition=Q(unit_cost__gte=0), name="catalog_unit_cost_nonnegative"
            ),
        ]

    def __str__(self):
        return f"{self.name}({self.code})"
