"""Programme (改造计划), its batches (批次) with targets, the compounds taken in
from the reserve (entries, with cost and priority score), and optimiser runs
with per-compound assignments and explanations (issue 15)."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gaizao.core.models import TimeStamped

# The criteria of the priority score and their default weights (points out of
# 100). Each criterion is a value in [0, 1] (scoring.py); the score is
# Σ weight × value. A programme may set its own weights.
DEFAULT_WEIGHTS = {
    "condition": 30,  # condition deficit from the latest survey (100 − score)
    "age": 15,  # years since built, capped at 40
    "willingness": 20,  # share of households in favour (latest willingness survey)
    "vote": 10,  # art. 278 renovation vote passed
    "contribution": 10,  # residents' contribution pledged in the plan's funding
    "management": 5,  # long-term management arrangement settled
    "cluster": 10,  # part of a cluster (片区) renovated together
}


class Programme(TimeStamped):
    name = models.CharField(_("计划名称"), max_length=128)
    area = models.ForeignKey(
        "regions.Area",
        verbose_name=_("辖区"),
        on_delete=models.PROTECT,
        related_name="programmes",
    )
    weights = models.JSONField(_("优先级权重"), default=dict, blank=True)
    cost_per_m2 = models.DecimalField(
        _("无方案时估算单价(元/㎡)"), max_digits=10, decimal_places=2, default=Decimal("300")
    )
    max_concurrent_per_street = models.PositiveIntegerField(
        _("每个街道同时施工小区上限"), null=True, blank=True
    )
    note = models.TextField(_("说明"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("改造计划")
        verbose_name_plural = _("改造计划")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.name

    def weight_table(self) -> dict:
        return {
            **DEFAULT_WEIGHTS,
            **{k: v for k, v in (self.weights or {}).items() if k in DEFAULT_WEIGHTS},
        }


class Batch(TimeStamped):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="batches")
    name = models.CharField(_("批次名称"), max_length=64)
    position = models.PositiveSmallIntegerField(_("顺序"), default=1)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    area_target_m2 = models.DecimalField(
        _("面积目标(㎡)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    households_target = models.PositiveIntegerField(_("户数目标"), null=True, blank=True)
    # Budget by funding source (plans.models.FundingSource value → yuan, as text).
    budget = models.JSONField(_("预算(按资金来源)"), default=dict, blank=True)
    extension_cap_share = models.DecimalField(
        _("扩展范围户数占比上限"), max_digits=5, decimal_places=4, null=True, blank=True
    )
    weight = models.DecimalField(
        _("优先权重"),
        max_digits=6,
        decimal_places=3,
        default=Decimal("1"),
        help_text=_("越早的批次权重越大，高优先级小区因而排得更早"),
    )

    class Meta:
        verbose_name = _("批次")
        verbose_name_plural = _("批次")
        ordering = ["programme_id", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="batch_period_order"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def budget_total(self) -> Decimal | None:
        if not self.budget:
            return None
        return sum((Decimal(str(v)) for v in self.budget.values()), Decimal(0))


class Entry(models.Model):
    """A compound of the reserve taken into the programme, its cost, its
    priority score (criterion by criterion) and its current batch."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="entries")
    compound = models.ForeignKey(
        "inventory.Compound", on_delete=models.CASCADE, related_name="programme_entries"
    )
    batch = models.ForeignKey(
        Batch, on_delete=models.SET_NULL, null=True, blank=True, related_name="entries"
    )
    locked = models.BooleanField(_("锁定"), default=False)
    cost_yuan = models.DecimalField(_("费用(元)"), max_digits=14, decimal_places=2)
    cost_estimated = models.BooleanField(_("按单价估算"), default=False)
    area_m2 = models.DecimalField(_("建筑面积(㎡)"), max_digits=12, decimal_places=2)
    households = models.PositiveIntegerField(_("户数"), default=0)
    extension = models.BooleanField(_("扩展范围"), default=False)
    cluster_id_ref = models.PositiveIntegerField(_("片区"), null=True, blank=True)
    score = models.DecimalField(_("优先级得分"), max_digits=7, decimal_places=2, default=0)
    score_parts = models.JSONField(_("得分明细"), default=dict, blank=True)
    explanation = models.JSONField(_("说明"), default=dict, blank=True)

    class Meta:
        verbose_name = _("计划小区")
        verbose_name_plural = _("计划小区")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "compound"], name="entry_once_per_programme"
            ),
        ]
        indexes = [models.Index(fields=["programme", "batch"])]

    def __str__(self):
        return f"{self.programme_id}:{self.compound_id}"


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("计算中")
    DONE = "done", _("已完成")
    CANCELLED = "cancelled", _("已取消")
    FAILED = "failed", _("失败")


# The optimiser's status words (optimiser/run.py) as the page says them.
SOLVER_STATUS_LABELS = {
    "optimal": _("最优"),
    "feasible": _("可行(已给出与上界的差距)"),
    "time-limit": _("到达时间上限(已给出与上界的差距)"),
    "infeasible-with-shortfall": _("目标无法全部满足(见缺口)"),
}


class Run(TimeStamped):
    """One optimiser run: parameters, progress, result and its figures."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="runs")
    status = models.CharField(
        _("状态"), max_length=12, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    time_limit = models.FloatField(_("时间上限(秒)"), default=10)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    progress = models.PositiveSmallIntegerField(_("进度(%)"), default=0)
    cancel_requested = models.BooleanField(_("已请求取消"), default=False)
    solver_status = models.CharField(_("求解状态"), max_length=32, blank=True)
    objective = models.FloatField(_("目标值"), null=True, blank=True)
    bound = models.FloatField(_("上界"), null=True, blank=True)
    gap = models.FloatField(_("差距"), null=True, blank=True)
    seconds = models.FloatField(_("用时(秒)"), null=True, blank=True)
    bound_method = models.CharField(_("上界方法"), max_length=80, blank=True)
    shortfalls = models.JSONField(_("未达目标"), default=list, blank=True)
    error = models.TextField(_("错误"), blank=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("优化运行")
        verbose_name_plural = _("优化运行")
        ordering = ["-id"]

    def __str__(self):
        return f"#{self.pk}"

    @property
    def solver_status_label(self) -> str:
        return str(SOLVER_STATUS_LABELS.get(self.solver_status, self.solver_status))

    @property
    def gap_pct(self) -> str | None:
        return None if self.gap is None else f"{self.gap * 100:.4f}"

    @property
    def active(self) -> bool:
        return self.status in (RunStatus.QUEUED, RunStatus.RUNNING)


class Assignment(models.Model):
    """A run's decision for one entry: its batch (null: left out) and why."""

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="assignments")
    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="assignments")
    batch = models.ForeignKey(
        Batch, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    explanation = models.JSONField(_("说明"), default=dict, blank=True)

    class Meta:
        verbose_name = _("分配结果")
        verbose_name_plural = _("分配结果")
        constraints = [
            models.UniqueConstraint(fields=["run", "entry"], name="assignment_once_per_run"),
        ]

    def __str__(self):
        return f"{self.run_id}:{self.entry_id}→{self.batch_id}"
