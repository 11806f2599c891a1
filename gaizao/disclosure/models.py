"""The kept summary behind the dashboard, the one map, the portal and the
home totals (issue 14, STYLE.md habit 18): one narrow row per compound with
its public figures, re-derived by `disclosure.facts.refresh` whenever a write
changes one of them (gaizao.core.summaries). A compound with no row yet has
nothing to show beyond its own fields: every flag reads as false, which is
what a freshly imported compound is."""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class CompoundFacts(models.Model):
    compound = models.OneToOneField(
        "inventory.Compound",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="facts",
        verbose_name=_("小区"),
    )
    surveyed = models.BooleanField(_("已摸底调查"), default=False)
    verdict = models.CharField(_("改造范围结论"), max_length=16, blank=True, default="")
    plan_id = models.BigIntegerField(_("当前方案"), null=True, blank=True)
    plan_status = models.CharField(_("方案状态"), max_length=16, blank=True, default="")
    plan_cost = models.DecimalField(
        _("方案总造价(元)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    plan_shared = models.BooleanField(_("片区方案"), default=False)
    vote_id = models.BigIntegerField(_("已公示表决"), null=True, blank=True)
    vote_title = models.CharField(_("表决标题"), max_length=200, blank=True, default="")
    vote_result = models.JSONField(_("计票结果"), null=True, blank=True)
    vote_passed = models.BooleanField(_("表决通过"), null=True, blank=True)
    started = models.BooleanField(_("已开工"), default=False)
    completed = models.BooleanField(_("已竣工"), default=False)
    accepted = models.BooleanField(_("已验收"), default=False)
    managed = models.BooleanField(_("已移交管理"), default=False)
    # The earliest planned date among the open milestones of its works (own
    # or cluster's): "late" is `next_due_on < today`, so the row needs no
    # refresh when a day passes.
    next_due_on = models.DateField(_("最早未办节点计划日期"), null=True, blank=True)
    # The earliest actual 开工 / 竣工 date of its works (own or cluster's): the
    # statistical report counts by them per period (disclosure.report), so it
    # reads the started compounds' rows instead of every milestone.
    started_on = models.DateField(_("开工日期"), null=True, blank=True)
    completed_on = models.DateField(_("竣工日期"), null=True, blank=True)
    feedback_n = models.PositiveIntegerField(_("反馈数"), default=0)
    feedback_closed = models.PositiveIntegerField(_("已确认解决"), default=0)
    satisfaction_n = models.PositiveIntegerField(_("满意度评价数"), default=0)
    # Sum of the 1–5 star answers: the average is sum / n, exact.
    satisfaction_sum = models.PositiveIntegerField(_("满意度星级合计"), default=0)
    # Answers of 4 or 5 stars (the dashboard's and portal's "满意" count).
    satisfaction_ok = models.PositiveIntegerField(_("满意评价数"), default=0)
    refreshed_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("小区进度汇总")
        verbose_name_plural = verbose_name
        indexes = [
            models.Index(fields=["plan_status"]),
            models.Index(fields=["next_due_on"]),
            models.Index(fields=["started_on"]),
            models.Index(fields=["completed_on"]),
        ]

    def __str__(self) -> str:
        return f"facts:{self.compound_id}"


class StreetTally(models.Model):
    """Kept per-street totals (STYLE.md habit 18): the compounds of one
    street with one default verdict ("" = not evaluated), their floor area
    and households, and how many reached each stage of the dashboard's
    funnel (from their `CompoundFacts`). The home page, the reserve's cards
    and the dashboard add these rows up over a scope (at most one row a
    street and verdict: about 5,500 streets × 4 for the country) instead of
    scanning every compound. Re-derived by disclosure.tally inside the
    writer's transaction whenever a compound or its summary row changes."""

    street = models.ForeignKey(
        "regions.Area", verbose_name=_("街道"), on_delete=models.CASCADE, related_name="+"
    )
    verdict = models.CharField(_("结论"), max_length=16, blank=True, default="")
    n = models.PositiveIntegerField(_("小区数"), default=0)
    floor_area = models.DecimalField(
        _("建筑面积(㎡)"), max_digits=16, decimal_places=2, default=Decimal(0)
    )
    households = models.PositiveBigIntegerField(_("户数"), default=0)
    surveyed = models.PositiveIntegerField(_("已摸底调查"), default=0)
    planned = models.PositiveIntegerField(_("已编制方案"), default=0)
    voted = models.PositiveIntegerField(_("业主表决通过"), default=0)
    approved = models.PositiveIntegerField(_("方案已审批"), default=0)
    started = models.PositiveIntegerField(_("已开工"), default=0)
    completed = models.PositiveIntegerField(_("已竣工"), default=0)
    accepted = models.PositiveIntegerField(_("已验收"), default=0)
    managed = models.PositiveIntegerField(_("已移交管理"), default=0)
    # The satisfaction answers of these compounds (sums of their kept rows).
    satisfaction_n = models.PositiveIntegerField(_("满意度评价数"), default=0)
    satisfaction_sum = models.PositiveBigIntegerField(_("满意度星级合计"), default=0)
    satisfaction_ok = models.PositiveIntegerField(_("满意评价数"), default=0)

    class Meta:
        verbose_name = _("街道汇总")
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(fields=["street", "verdict"], name="street_tally_once"),
        ]

    def __str__(self) -> str:
        return f"tally:{self.street_id}:{self.verdict}"


class StreetFunding(models.Model):
    """Kept per-street money (STYLE.md habit 18): by funding source, the
    planned amounts of the current (not superseded) plans of the street's
    compounds and the paid cost entries (已拨付) of their works. Only a
    compound's own plans and works: a cluster's shared plan or works can
    span streets, so the pages add those up live (few rows, bounded by the
    cluster members in scope) and a shared plan is never counted twice.
    Re-derived with the street's tallies (disclosure.tally)."""

    street = models.ForeignKey(
        "regions.Area", verbose_name=_("街道"), on_delete=models.CASCADE, related_name="+"
    )
    source = models.CharField(_("资金来源"), max_length=24)
    planned = models.DecimalField(
        _("计划资金(元)"), max_digits=16, decimal_places=2, default=Decimal(0)
    )
    paid = models.DecimalField(_("已拨付(元)"), max_digits=16, decimal_places=2, default=Decimal(0))

    class Meta:
        verbose_name = _("街道资金汇总")
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(fields=["street", "source"], name="street_funding_once"),
        ]

    def __str__(self) -> str:
        return f"funding:{self.street_id}:{self.source}"


class EntryTally(models.Model):
    """Kept totals of a programme's entries (STYLE.md habit 18), one row a
    (programme, batch, street): how many compounds, their households, m² and
    cost, the extension window's households, the estimated and locked ones,
    and how many have started / completed works (their `CompoundFacts`).
    The programme board's columns, its progress page, the dashboard's
    targets and the portal's batches add these rows up over a scope made of
    whole streets instead of grouping every entry (44,000 at 220,000
    compounds). Re-derived by disclosure.entrytally with the street's tallies
    and, after a bulk write of entries, for the whole programme."""

    programme = models.ForeignKey("programme.Programme", on_delete=models.CASCADE, related_name="+")
    batch = models.ForeignKey(
        "programme.Batch", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    street = models.ForeignKey(
        "regions.Area", verbose_name=_("街道"), on_delete=models.CASCADE, related_name="+"
    )
    n = models.PositiveIntegerField(_("小区数"), default=0)
    households = models.PositiveBigIntegerField(_("户数"), default=0)
    area = models.DecimalField(_("建筑面积(㎡)"), max_digits=16, decimal_places=2, default=0)
    cost = models.DecimalField(_("费用(元)"), max_digits=18, decimal_places=2, default=0)
    ext_households = models.PositiveBigIntegerField(_("扩展范围户数"), default=0)
    estimated = models.PositiveIntegerField(_("按单价估算"), default=0)
    locked = models.PositiveIntegerField(_("锁定"), default=0)
    started = models.PositiveIntegerField(_("已开工"), default=0)
    started_households = models.PositiveBigIntegerField(_("已开工户数"), default=0)
    started_area = models.DecimalField(
        _("已开工面积(㎡)"), max_digits=16, decimal_places=2, default=0
    )
    completed = models.PositiveIntegerField(_("已竣工"), default=0)
    completed_households = models.PositiveBigIntegerField(_("已竣工户数"), default=0)
    completed_area = models.DecimalField(
        _("已竣工面积(㎡)"), max_digits=16, decimal_places=2, default=0
    )

    class Meta:
        verbose_name = _("计划小区汇总")
        verbose_name_plural = verbose_name
        indexes = [models.Index(fields=["programme", "batch"])]

    def __str__(self) -> str:
        return f"entries:{self.programme_id}:{self.batch_id}:{self.street_id}"
