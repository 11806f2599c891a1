from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gaizao.core.models import TimeStamped, user_ref

from . import rules

PCT = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


def validate_fraction(value) -> None:
    try:
        rules.parse_fraction(value)
    except ValueError as e:
        raise ValidationError(str(e))


def fraction_str(value) -> str:
    """The stored form of a share: "2/3", "1/2"."""
    f = rules.parse_fraction(value)
    return f"{f.numerator}/{f.denominator}"


class Policy(TimeStamped):
    """改造政策: the scope rules of one jurisdiction, versioned. `area` empty
    means nationwide (the fallback). Parameters are fields so that the form,
    the admin and the database validate them; `rules()` hands them to the
    pure functions in rules.py."""

    class Willingness(models.TextChoices):
        REQUIRED = "required", _("必须征询且达到比例(未征询则待核实)")
        IF_SURVEYED = "if_surveyed", _("已征询的须达到比例(未征询不影响纳入储备)")
        OFF = "off", _("不作要求")

    code = models.SlugField(
        _("编码"), max_length=64, unique=True, help_text=_("接口和命令行里用的名称,如 panlong-2020")
    )
    name = models.CharField(_("政策名称"), max_length=128)
    area = models.ForeignKey(
        "regions.Area",
        verbose_name=_("适用区划"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="eligibility_policies",
        help_text=_("留空表示全国"),
    )
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    valid_from = models.DateField(_("施行日期"), null=True, blank=True)
    is_default = models.BooleanField(_("本辖区默认政策"), default=False)
    is_builtin = models.BooleanField(_("内置"), default=False, editable=False)
    basis = models.CharField(_("文件依据"), max_length=200, blank=True)
    description = models.TextField(_("政策原文摘要"), blank=True)

    built_cutoff = models.DateField(_("建成时间截止日期"))
    cutoff_inclusive = models.BooleanField(
        _("含截止当日"),
        default=False,
        help_text=_("不勾选:须早于该日期建成(如“2000年1月1日前”);勾选:该日及以前(如“2000年底前”)"),
    )
    extension_cutoff = models.DateField(
        _("扩展范围截止日期"), null=True, blank=True, help_text=_("如2005-12-31;留空表示不扩展")
    )
    extension_cap_pct = models.DecimalField(
        _("扩展范围户数上限(%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=PCT,
        help_text=_("扩展范围内的小区占当年符合条件总户数的上限"),
    )
    require_main_urban = models.BooleanField(_("须位于主城区"), default=False)
    single_buildings_count = models.BooleanField(_("单栋住宅楼纳入"), default=True)

    criteria = models.JSONField(_("改造需求判断项"), default=list, blank=True)
    conditions_min = models.PositiveSmallIntegerField(
        _("至少满足几项"), default=1, validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    neglect_score_below = models.DecimalField(
        _("失养失修:摸底评分低于"),
        max_digits=5,
        decimal_places=1,
        default=Decimal("60"),
        validators=PCT,
    )
    neglect_statuses = models.JSONField(_("失管:管理状况为"), default=list, blank=True)
    facilities_broken_pct = models.DecimalField(
        _("配套不完善:基础设施损坏或缺失比例达到(%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("30"),
        validators=PCT,
    )
    environment_facilities = models.JSONField(_("环境脏乱差:检查的设施"), default=list, blank=True)
    environment_min = models.PositiveSmallIntegerField(
        _("环境脏乱差:至少几项损坏或缺失"), default=1, validators=[MinValueValidator(1)]
    )
    poor_management_statuses = models.JSONField(_("管理落后:管理状况为"), default=list, blank=True)
    willingness_mode = models.CharField(
        _("居民改造意愿"), max_length=16, choices=Willingness.choices, default=Willingness.REQUIRED
    )
    # Stored as an exact fraction ("2/3"), not 66.67 %: exactly two thirds of
    # the households must pass a "≥ 2/3" rule (issue 8).
    willingness_min = models.CharField(
        _("同意改造户数比例不低于"),
        max_length=24,
        default="2/3",
        validators=[validate_fraction],
        help_text=_("分数或百分比,如 2/3、3/4、50%;按精确分数比较"),
    )
    exclusions = models.JSONField(_("排除情形"), default=list, blank=True)
    demolition_years = models.PositiveSmallIntegerField(
        _("排除:几年内拟拆除新建"),
        null=True,
        blank=True,
        help_text=_("留空表示有拆除新建计划即排除"),
    )
    self_built_pct = models.DecimalField(
        _("排除:自建住房面积占比达到(%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("50"),
        validators=PCT,
    )
    created_by = user_ref(_("创建人"), blank=True)

    class Meta:
        verbose_name = _("改造政策")
        verbose_name_plural = _("改造政策")
        ordering = ["area__code", "name", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "name", "version"], name="policy_unique_version"
            ),
            # One default per jurisdiction; the nationwide default (area NULL)
            # is kept unique by the service.
            models.UniqueConstraint(
                fields=["area"], condition=Q(is_default=True), name="policy_one_default_per_area"
            ),
            models.CheckConstraint(
                condition=Q(extension_cutoff__isnull=True)
                | Q(extension_cutoff__gt=models.F("built_cutoff")),
                name="policy_extension_after_cutoff",
            ),
        ]

    def __str__(self):
        return f"{self.name} v{self.version}" if self.version > 1 else self.name

    @property
    def willingness_min_pct(self) -> Decimal:
        """The threshold as a percentage, for display and the API (rounded to
        0.01; the rules compare the exact fraction)."""
        f = rules.parse_fraction(self.willingness_min)
        return (Decimal(f.numerator) * 100 / Decimal(f.denominator)).quantize(Decimal("0.01"))

    @property
    def willingness_min_text(self) -> str:
        return rules.fraction_text(rules.parse_fraction(self.willingness_min))

    @property
    def scope_label(self) -> str:
        return self.area.name if self.area_id else str(_("全国"))

    def rules(self) -> rules.PolicyRules:
        return rules.PolicyRules(
            name=str(self),
            built_cutoff=self.built_cutoff,
            cutoff_inclusive=self.cutoff_inclusive,
            extension_cutoff=self.extension_cutoff,
            extension_cap_pct=self.extension_cap_pct,
            require_main_urban=self.require_main_urban,
            single_buildings_count=self.single_buildings_count,
            criteria=tuple(self.criteria or ()),
            conditions_min=self.conditions_min,
            neglect_score_below=Decimal(self.neglect_score_below),
            neglect_statuses=tuple(self.neglect_statuses or ()),
            facilities_broken_pct=Decimal(self.facilities_broken_pct),
            environment_facilities=tuple(self.environment_facilities or ()),
            environment_min=self.environment_min,
            poor_management_statuses=tuple(self.poor_management_statuses or ()),
            willingness_mode=self.willingness_mode,
            willingness_min=rules.parse_fraction(self.willingness_min),
            exclusions=tuple(self.exclusions or ()),
            demolition_years=self.demolition_years,
            self_built_pct=Decimal(self.self_built_pct),
        )


class Verdict(models.Model):
    """The latest verdict of one compound under one policy, with every reason.
    Re-evaluating replaces it. `by_default` marks the verdict under the
    compound's own jurisdiction's default policy: that set is the reserve."""

    class Kind(models.TextChoices):
        ELIGIBLE = rules.ELIGIBLE, _("符合改造范围")
        REVIEW = rules.REVIEW, _("待核实")
        INELIGIBLE = rules.INELIGIBLE, _("不符合")

    compound = models.ForeignKey(
        "inventory.Compound",
        verbose_name=_("小区"),
        on_delete=models.CASCADE,
        related_name="eligibility_verdicts",
    )
    policy = models.ForeignKey(
        Policy, verbose_name=_("政策"), on_delete=models.CASCADE, related_name="verdicts"
    )
    verdict = models.CharField(_("结论"), max_length=16, choices=Kind.choices)
    reasons = models.JSONField(_("依据"), default=list)
    missing = models.JSONField(_("缺少的数据"), default=list, blank=True)
    extension = models.BooleanField(_("扩展范围"), default=False)
    by_default = models.BooleanField(_("按辖区默认政策"), default=False)
    evaluated_at = models.DateTimeField(_("评估时间"))
    evaluated_by = user_ref(_("评估人"), blank=True)

    class Meta:
        verbose_name = _("改造范围结论")
        verbose_name_plural = _("改造范围结论")
        constraints = [
            models.UniqueConstraint(fields=["compound", "policy"], name="verdict_one_per_policy"),
        ]
        indexes = [
            models.Index(fields=["policy", "verdict"]),
            models.Index(fields=["by_default", "verdict"]),
        ]

    def __str__(self):
        return f"{self.compound_id} {self.policy_id} {self.verdict}"

    def as_rule_verdict(self) -> rules.Verdict:
        return rules.Verdict.from_dict(
            {
                "verdict": self.verdict,
                "reasons": self.reasons,
                "missing": self.missing,
                "extension": self.extension,
            }
        )


class Determination(models.Model):
    """A person's decision on a compound's scope verdict, kept with its reason
    and evidence and never edited (a later one supersedes it):

    - 核实 (`verify`): staff who may evaluate settle a 待核实 verdict, i.e. the
      facts the rules lacked were checked on site or in the records. It
      applies only while the rules still say 待核实; once the data decide,
      the rules win.
    - 领导小组办公室决定 (`override`): the leadership office decides a
      compound's scope whatever the rules say (e.g. admits a compound judged
      不符合 for a reason the rules cannot see). A plan can be approved for a
      compound that is eligible or has such a decision (issue 8 item 4).
    """

    class Kind(models.TextChoices):
        VERIFY = "verify", _("核实")
        OVERRIDE = "override", _("领导小组办公室决定")

    class Outcome(models.TextChoices):
        ELIGIBLE = rules.ELIGIBLE, _("符合改造范围")
        INELIGIBLE = rules.INELIGIBLE, _("不符合")

    compound = models.ForeignKey(
        "inventory.Compound",
        verbose_name=_("小区"),
        on_delete=models.CASCADE,
        related_name="eligibility_determinations",
    )
    policy = models.ForeignKey(
        Policy, verbose_name=_("政策"), on_delete=models.PROTECT, related_name="determinations"
    )
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    outcome = models.CharField(_("结论"), max_length=16, choices=Outcome.choices)
    # The verdict the rules gave when the decision was made.
    verdict_before = models.CharField(
        _("原结论"), max_length=16, choices=Verdict.Kind.choices, blank=True
    )
    reason = models.TextField(_("理由"))
    evidence = models.FileField(
        _("证明材料"), upload_to="eligibility/%Y/%m/", blank=True, max_length=200
    )
    decided_by = user_ref(_("决定人"), blank=True)
    decided_at = models.DateTimeField(_("决定时间"))

    class Meta:
        verbose_name = _("改造范围核实与决定")
        verbose_name_plural = _("改造范围核实与决定")
        ordering = ["-decided_at", "-id"]
        indexes = [models.Index(fields=["compound", "policy", "kind", "-decided_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.compound_id} {self.outcome}"
