"""works: from an approved plan to the handover (设计 招标 开工 竣工 验收 移交),
with the responsibility for each stage (层层压实责任) and the programme's
organisation (领导小组, 联席会议). Organisations themselves live in regions;
the leadership group, meetings and tasks are here because they exist to
drive the works (docs/works.md)."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gaizao.core.models import TimeStamped, user_ref
from gaizao.plans.models import FundingSource


class Stage(models.TextChoices):
    DESIGN = "design", _("方案设计")
    TENDER = "tender", _("招标")
    START = "start", _("开工")
    COMPLETION = "completion", _("竣工")
    ACCEPTANCE = "acceptance", _("验收")
    HANDOVER = "handover", _("移交")


STAGE_ORDER = [s.value for s in Stage]


def _org(verbose):
    return models.ForeignKey(
        "regions.Organisation",
        verbose_name=verbose,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )


class Works(TimeStamped):
    """施工项目: the works for one approved plan (a compound's or a cluster's)."""

    plan = models.OneToOneField(
        "plans.Plan", verbose_name=_("改造方案"), on_delete=models.PROTECT, related_name="works"
    )
    compound = models.ForeignKey(
        "inventory.Compound",
        verbose_name=_("小区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="works",
    )
    cluster = models.ForeignKey(
        "plans.Cluster",
        verbose_name=_("片区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="works",
    )
    name = models.CharField(_("项目名称"), max_length=160)
    implementer = _org(_("实施单位"))
    designer = _org(_("设计单位"))
    contractor = _org(_("施工单位"))
    supervisor = _org(_("监理单位"))
    contract_amount = models.DecimalField(
        _("合同金额(元)"), max_digits=14, decimal_places=2, default=Decimal("0")
    )
    stage = models.CharField(_("当前阶段"), max_length=16, choices=Stage.choices, default="design")
    warranty_months = models.PositiveSmallIntegerField(_("保修期(月)"), default=24)
    final_account_on = models.DateField(_("结算日期"), null=True, blank=True)
    final_account_amount = models.DecimalField(
        _("结算金额(元)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    created_by = user_ref(_("创建人"), blank=True)

    class Meta:
        verbose_name = _("施工项目")
        verbose_name_plural = _("施工项目")
        ordering = ["-id"]

    def __str__(self):
        return self.name


class Milestone(models.Model):
    """One stage of one works: planned and actual dates, and who answers for it."""

    works = models.ForeignKey(Works, on_delete=models.CASCADE, related_name="milestones")
    stage = models.CharField(_("阶段"), max_length=16, choices=Stage.choices)
    seq = models.PositiveSmallIntegerField()
    planned_on = models.DateField(_("计划日期"), null=True, blank=True)
    actual_on = models.DateField(_("实际日期"), null=True, blank=True)
    responsible_org = _org(_("责任单位"))
    responsible_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField(_("备注"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("节点")
        verbose_name_plural = _("节点")
        ordering = ["works_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["works", "stage"], name="milestone_unique_stage"),
        ]
        indexes = [models.Index(fields=["actual_on", "planned_on"])]

    def __str__(self):
        return f"{self.works} · {self.get_stage_display()}"


class WorksItem(models.Model):
    """One item of the plan as built: its budget, progress and acceptance."""

    works = models.ForeignKey(Works, on_delete=models.CASCADE, related_name="items")
    plan_item = models.ForeignKey(
        "plans.PlanItem", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(_("改造内容"), max_length=128)
    unit = models.CharField(_("计量单位"), max_length=8, blank=True)
    quantity = models.DecimalField(_("工程量"), max_digits=12, decimal_places=2, default=0)
    budget = models.DecimalField(_("预算(元)"), max_digits=14, decimal_places=2, default=0)
    percent_done = models.DecimalField(_("完成比例(%)"), max_digits=5, decimal_places=2, default=0)
    accepted = models.BooleanField(_("验收合格"), default=False)
    acceptance_note = models.CharField(_("验收意见"), max_length=300, blank=True)
    accepted_by = user_ref(_("验收人"), blank=True)

    class Meta:
        verbose_name = _("施工内容")
        verbose_name_plural = _("施工内容")
        ordering = ["works_id", "id"]

    def __str__(self):
        return self.name


class CostKind(models.TextChoices):
    COMMITTED = "committed", _("已签约")
    PAID = "paid", _("已拨付")
    SPENT = "spent", _("已支出")


class CostEntry(models.Model):
    """Money against one item from one funding source: committed (contract),
    paid (progress payment to the contractor) or spent."""

    works = models.ForeignKey(Works, on_delete=models.CASCADE, related_name="costs")
    item = models.ForeignKey(WorksItem, on_delete=models.CASCADE, related_name="costs")
    source = models.CharField(_("资金来源"), max_length=24, choices=FundingSource.choices)
    kind = models.CharField(_("类型"), max_length=12, choices=CostKind.choices)
    amount = models.DecimalField(_("金额(元)"), max_digits=14, decimal_places=2)
    on = models.DateField(_("日期"))
    recorded_by = user_ref(_("登记人"), blank=True)

    class Meta:
        verbose_name = _("资金记录")
        verbose_name_plural = _("资金记录")
        ordering = ["on", "id"]

    def __str__(self):
        return f"{self.item} {self.kind} {self.amount}"


class ProgressReport(TimeStamped):
    works = models.ForeignKey(Works, on_delete=models.CASCADE, related_name="reports")
    author = user_ref(_("填报人"), blank=True)
    text = models.TextField(_("进度说明"))

    class Meta:
        verbose_name = _("进度报告")
        verbose_name_plural = _("进度报告")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.works} {self.created_at:%Y-%m-%d}"


class ProgressLine(models.Model):
    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(WorksItem, on_delete=models.CASCADE, related_name="+")
    percent = models.DecimalField(_("完成比例(%)"), max_digits=5, decimal_places=2)

    def __str__(self):
        return f"{self.item_id} {self.percent}%"


class PhotoPhase(models.TextChoices):
    BEFORE = "before", _("改造前")
    PROGRESS = "progress", _("施工中")
    AFTER = "after", _("改造后")


class WorksPhoto(models.Model):
    works = models.ForeignKey(Works, on_delete=models.CASCADE, related_name="photos")
    report = models.ForeignKey(
        ProgressReport, null=True, blank=True, on_delete=models.CASCADE, related_name="photos"
    )
    item = models.ForeignKey(
        WorksItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="photos"
    )
    phase = models.CharField(_("阶段"), max_length=12, choices=PhotoPhase.choices)
    image = models.FileField(_("照片"), upload_to="works/%Y/%m/")
    caption = models.CharField(_("说明"), max_length=120, blank=True)
    taken_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.works_id} {self.phase} {self.image.name}"


class Inspection(TimeStamped):
    class Status(models.TextChoices):
        OPEN = "open", _("待整改")
        PASSED = "passed", _("合格")
        RECTIFIED = "rectified", _("复查合格")

    works = models.ForeignKey(Works, on_delete=models.CASCADE, related_name="inspections")
    item = models.ForeignKey(
        WorksItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    inspector = user_ref(_("检查人"), blank=True)
    on = models.DateField(_("检查日期"))
    findings = models.TextField(_("检查发现"))
    rectify_by = models.DateField(_("整改期限"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default="open")
    reinspected_on = models.DateField(_("复查日期"), null=True, blank=True)
    reinspection_note = models.CharField(_("复查意见"), max_length=300, blank=True)

    class Meta:
        ordering = ["-on", "-id"]

    def __str__(self):
        return f"{self.works} {self.on}"


class ChangeOrder(TimeStamped):
    class Status(models.TextChoices):
        PROPOSED = "proposed", _("待审批")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("已驳回")

    works = models.ForeignKey(Works, on_delete=models.CASCADE, related_name="change_orders")
    item = models.ForeignKey(
        WorksItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(_("变更原因"))
    amount = models.DecimalField(_("金额增减(元)"), max_digits=14, decimal_places=2)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default="proposed")
    proposed_by = user_ref(_("提出人"), blank=True)
    decided_by = user_ref(_("审批人"), blank=True)
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self):
        return f"{self.works} {self.amount}"


class Signoff(TimeStamped):
    """Residents' representatives sign the acceptance (居民代表签字)."""

    works = models.ForeignKey(Works, on_delete=models.CASCADE, related_name="signoffs")
    representative = models.CharField(_("居民代表"), max_length=64)
    agrees = models.BooleanField(_("同意验收"), default=True)
    opinion = models.CharField(_("意见"), max_length=300, blank=True)
    recorded_by = user_ref(_("登记人"), blank=True)

    class Meta:
        ordering = ["id"]


class Handover(TimeStamped):
    works = models.OneToOneField(Works, on_delete=models.CASCADE, related_name="handover")
    arrangement = models.ForeignKey(
        "stewardship.ManagementArrangement",
        verbose_name=_("长效管理安排"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    handed_over_on = models.DateField(_("移交日期"))
    warranty_until = models.DateField(_("保修期至"))
    recorded_by = user_ref(_("登记人"), blank=True)


class Defect(TimeStamped):
    """A defect reported in the warranty period: it goes to the contractor."""

    class Status(models.TextChoices):
        OPEN = "open", _("待维修")
        FIXED = "fixed", _("已修复")

    works = models.ForeignKey(Works, on_delete=models.CASCADE, related_name="defects")
    item = models.ForeignKey(WorksItem, on_delete=models.CASCADE, related_name="defects")
    text = models.TextField(_("问题描述"))
    reported_by = user_ref(_("报告人"), blank=True)
    in_warranty = models.BooleanField(_("保修期内"), default=True)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default="open")

    class Meta:
        ordering = ["-id"]

    def __str__(self):
        return f"{self.works} {self.item}"


# The programme's organisation (领导小组, 联席会议, tasks) lives in its own
# module of this app; imported here so Django registers its models.
from .organisation.models import (  # noqa: E402, F401
    CompoundLink,
    Decision,
    GroupMember,
    LeadershipGroup,
    Meeting,
    Task,
)
