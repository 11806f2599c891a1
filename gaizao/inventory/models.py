from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gaizao.core.models import TimeStamped

from . import facilities


class ManagementStatus(models.TextChoices):
    PROPERTY_COMPANY = "property_company", _("物业服务企业")
    PROPERTY_RIGHTS_UNIT = "property_rights_unit", _("产权单位管理")
    SELF_GOVERNANCE = "self_governance", _("居民自治")
    NONE = "none", _("无人管理")


class Compound(TimeStamped):
    """老旧小区 / 院: may be a single residential building (单栋住宅楼)."""

    name = models.CharField(_("小区名称"), max_length=128)
    street = models.ForeignKey(
        "regions.Area",
        verbose_name=_("所属街道"),
        on_delete=models.PROTECT,
        related_name="street_compounds",
        limit_choices_to={"level": "street"},
    )
    community = models.ForeignKey(
        "regions.Area",
        verbose_name=_("所属社区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="community_compounds",
        limit_choices_to={"level": "community"},
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    # The scope rules need the build date; many records know only the year.
    built_year = models.PositiveSmallIntegerField(_("建成年份"), null=True, blank=True)
    built_date = models.DateField(_("建成日期"), null=True, blank=True)
    # "2000年左右", "约1999": the year is a round figure, not a fact. The scope
    # rules then treat it as a window of years and give 待核实 when the window
    # straddles a policy's cut-off (eligibility.rules.built_within).
    built_year_approximate = models.BooleanField(
        _("建成年份为约数"), default=False, help_text=_("如“2000年左右”“约1999年”")
    )
    floor_area = models.DecimalField(
        _("建筑面积(㎡)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    building_count = models.PositiveIntegerField(_("楼栋数"), null=True, blank=True)
    households = models.PositiveIntegerField(_("户数"), null=True, blank=True)
    # Kept: the score of the latest survey (inventory.latest), for lists that
    # sort, filter and colour by it over a whole jurisdiction.
    latest_score = models.DecimalField(
        _("最近状况评分"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        editable=False,
        db_index=True,
    )
    is_single_building = models.BooleanField(_("单栋住宅楼"), default=False)
    in_main_urban_area = models.BooleanField(_("位于主城区"), null=True, blank=True)
    management_status = models.CharField(
        _("管理状况"), max_length=32, choices=ManagementStatus.choices, blank=True
    )
    property_company = models.ForeignKey(
        "regions.Organisation",
        verbose_name=_("物业服务企业"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_compounds",
    )
    property_rights_unit = models.ForeignKey(
        "regions.Organisation",
        verbose_name=_("产权单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_compounds",
    )
    owners_committee = models.ForeignKey(
        "regions.Organisation",
        verbose_name=_("业主委员会"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="committee_compounds",
    )
    # Exclusion facts of the scope rules (seed: 不属于老旧小区改造范畴).
    in_shantytown_plan = models.BooleanField(_("已纳入棚户区改造计划"), null=True, blank=True)
    # 是/否 as recorded; empty = not yet checked, which the scope rules read as
    # 待核实 like every other blank exclusion fact (not as "no plan").
    demolition_planned = models.BooleanField(
        _("拟拆除新建或改扩翻建"),
        null=True,
        blank=True,
        help_text=_("是否有拆除新建或改、扩、翻建计划;留空表示尚未核实"),
    )
    demolition_within_years = models.PositiveSmallIntegerField(
        _("拟拆除新建或改扩翻建(年内)"),
        validators=[MaxValueValidator(100)],
        null=True,
        blank=True,
        help_text=_("计划在几年内拆除新建或改、扩、翻建;无计划或年限不明留空"),
    )
    self_built_area = models.DecimalField(
        _("居民自建住房面积(㎡)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    is_urban_village = models.BooleanField(_("城中村"), null=True, blank=True)
    investment_yuan = models.DecimalField(
        _("投资(元)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    latitude = models.DecimalField(
        _("纬度"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("-90")), MaxValueValidator(Decimal("90"))],
    )
    longitude = models.DecimalField(
        _("经度"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("-180")), MaxValueValidator(Decimal("180"))],
    )
    note = models.TextField(_("备注"), blank=True)

    class Meta:
        verbose_name = _("老旧小区")
        verbose_name_plural = _("老旧小区")
        ordering = ["street__code", "name"]
        constraints = [
            # Re-importing a street's spreadsheet updates, never duplicates.
            models.UniqueConstraint(
                fields=["street", "name"], name="compound_unique_name_in_street"
            ),
            models.CheckConstraint(
                condition=Q(floor_area__isnull=True) | Q(floor_area__gt=0),
                name="compound_floor_area_positive",
            ),
            models.CheckConstraint(
                condition=Q(self_built_area__isnull=True) | Q(self_built_area__gte=0),
                name="compound_self_built_area_nonnegative",
            ),
            models.CheckConstraint(
                condition=Q(built_year__isnull=True)
                | Q(built_year__gte=1900, built_year__lte=2100),
                name="compound_built_year_plausible",
            ),
            models.CheckConstraint(
                condition=Q(investment_yuan__isnull=True) | Q(investment_yuan__gte=0),
                name="compound_investment_nonnegative",
            ),
            models.CheckConstraint(
                condition=Q(demolition_within_years__isnull=True)
                | Q(demolition_within_years__lte=100),
                name="compound_demolition_years_plausible",
            ),
            models.CheckConstraint(
                condition=(Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90))
                & (Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180)),
                name="compound_coordinates_on_earth",
            ),
        ]
        indexes = [
            models.Index(fields=["built_year"]),
            models.Index(fields=["name"]),
            # A compound's street read from its id alone (an index-only scan):
            # the figures grouped by area over rows that reach a compound
            # (late milestones, works, entries) join it without reading the
            # wide compound rows (issue 14: 0.17 → 0.05 s for the dashboard's
            # overdue items at 220,000 compounds).
            models.Index(fields=["id", "street"], name="compound_id_street_idx"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        # A number of years is a plan: keep the 是/否 fact in step with it.
        if self.demolition_within_years is not None and self.demolition_planned is None:
            self.demolition_planned = True
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "demolition_planned"}
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        if (
            self.self_built_area is not None
            and self.floor_area is not None
            and self.self_built_area > self.floor_area
        ):
            raise ValidationError({"self_built_area": _("居民自建住房面积不能大于小区建筑面积")})
        if self.demolition_within_years is not None and self.demolition_planned is False:
            raise ValidationError(
                {"demolition_planned": _("填写了拟拆除的年数,“拟拆除新建或改扩翻建”应为“是”")}
            )


class Building(TimeStamped):
    compound = models.ForeignKey(
        Compound, verbose_name=_("小区"), on_delete=models.CASCADE, related_name="buildings"
    )
    number = models.CharField(_("楼栋号"), max_length=32)
    floors = models.PositiveSmallIntegerField(_("层数"), null=True, blank=True)
    entrances = models.PositiveSmallIntegerField(_("单元数"), null=True, blank=True)
    floor_area = models.DecimalField(
        _("建筑面积(㎡)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    built_year = models.PositiveSmallIntegerField(_("建成年份"), null=True, blank=True)
    has_elevator = models.BooleanField(_("有电梯"), default=False)

    class Meta:
        verbose_name = _("楼栋")
        verbose_name_plural = _("楼栋")
        ordering = ["compound_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["compound", "number"], name="building_unique_number"),
            models.CheckConstraint(
                condition=Q(floor_area__isnull=True) | Q(floor_area__gt=0),
                name="building_floor_area_positive",
            ),
        ]

    def __str__(self):
        return f"{self.compound.name} {self.number}" if self.compound_id else self.number


class Owner(TimeStamped):
    """业主. One owner may hold several units of a compound; the developer's
    unsold or undelivered units are held by one owner with is_developer set
    (they count as one owner in a vote: 建筑物区分所有权司法解释 第九条)."""

    # No index of its own: the (compound, name) index below starts with it.
    compound = models.ForeignKey(
        Compound,
        verbose_name=_("小区"),
        on_delete=models.CASCADE,
        related_name="owners",
        db_index=False,
    )
    name = models.CharField(_("业主姓名"), max_length=128)
    phone = models.CharField(_("联系电话"), max_length=32, blank=True)
    id_number = models.CharField(_("证件号码"), max_length=32, blank=True)
    is_developer = models.BooleanField(_("开发建设单位(未售出)"), default=False)

    class Meta:
        verbose_name = _("业主")
        verbose_name_plural = _("业主")
        ordering = ["compound_id", "name"]
        indexes = [models.Index(fields=["compound", "name"])]

    def __str__(self):
        return self.name


class Unit(TimeStamped):
    """户 / 专有部分, with the exclusive area registered (不动产登记)."""

    # No index of its own: the unique (building, entrance, number) starts with it.
    building = models.ForeignKey(
        Building,
        verbose_name=_("楼栋"),
        on_delete=models.CASCADE,
        related_name="units",
        db_index=False,
    )
    entrance = models.CharField(_("单元"), max_length=16, blank=True, default="")
    number = models.CharField(_("房号"), max_length=32)
    floor = models.SmallIntegerField(_("楼层"), null=True, blank=True)
    exclusive_area = models.DecimalField(_("专有部分面积(㎡)"), max_digits=9, decimal_places=2)
    owner = models.ForeignKey(
        Owner,
        verbose_name=_("业主"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="units",
    )

    class Meta:
        verbose_name = _("房屋(户)")
        verbose_name_plural = _("房屋(户)")
        ordering = ["building_id", "entrance", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["building", "entrance", "number"], name="unit_unique_number_in_building"
            ),
            models.CheckConstraint(
                condition=Q(exclusive_area__gt=0), name="unit_exclusive_area_positive"
            ),
        ]

    def __str__(self):
        entrance = f"{self.entrance}单元" if self.entrance else ""
        return f"{entrance}{self.number}"


class Rating(models.TextChoices):
    GOOD = "good", _("完好")
    WORN = "worn", _("老化")
    BROKEN = "broken", _("损坏")
    MISSING = "missing", _("缺失")
    NOT_APPLICABLE = "na", _("不适用")


# Share of a facility's weight a rating keeps in the condition score.
RATING_VALUE = {
    "good": Decimal("1"),
    "worn": Decimal("0.6"),
    "broken": Decimal("0.2"),
    "missing": Decimal("0"),
}


class Survey(TimeStamped):
    """摸底调查: one visit to a compound, facility by facility."""

    compound = models.ForeignKey(
        Compound, verbose_name=_("小区"), on_delete=models.CASCADE, related_name="surveys"
    )
    surveyor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("调查人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="surveys",
    )
    surveyed_on = models.DateField(_("调查日期"))
    note = models.TextField(_("总体情况"), blank=True)
    # 0–100, derived from the conditions when the survey is saved (see
    # inventory.scoring); kept on the survey because a survey is a record of
    # one visit and does not change afterwards.
    score = models.DecimalField(
        _("状况评分"), max_digits=5, decimal_places=1, null=True, blank=True
    )

    class Meta:
        verbose_name = _("摸底调查")
        verbose_name_plural = _("摸底调查")
        ordering = ["-surveyed_on", "-id"]
        indexes = [models.Index(fields=["compound", "-surveyed_on"])]

    def __str__(self):
        return f"{self.compound} {self.surveyed_on}"


class Condition(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="conditions")
    facility = models.CharField(_("设施"), max_length=32, choices=facilities.CHOICES)
    rating = models.CharField(_("状况"), max_length=8, choices=Rating.choices)
    note = models.CharField(_("说明"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("设施状况")
        verbose_name_plural = _("设施状况")
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "facility"], name="condition_unique_facility"
            ),
        ]

    def __str__(self):
        return f"{self.get_facility_display()}: {self.get_rating_display()}"


class ConditionPhoto(models.Model):
    condition = models.ForeignKey(Condition, on_delete=models.CASCADE, related_name="photos")
    # FileField, not ImageField: no Pillow dependency; the upload form checks
    # the content type and size.
    image = models.FileField(_("照片"), upload_to="surveys/%Y/%m/")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("现场照片")
        verbose_name_plural = _("现场照片")

    def __str__(self):
        return self.image.name
