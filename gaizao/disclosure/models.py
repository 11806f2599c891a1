"""The kept summary behind the dashboard, the one map, the portal and the
home totals (issue 14, STYLE.md habit 18): one narrow row per compound with
its public figures, re-derived by `disclosure.facts.refresh` whenever a write
changes one of them (gaizao.core.summaries). A compound with no row yet has
nothing to show beyond its own fields: every flag reads as false, which is
what a freshly imported compound is."""

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
    feedback_n = models.PositiveIntegerField(_("反馈数"), default=0)
    feedback_closed = models.PositiveIntegerField(_("已确认解决"), default=0)
    satisfaction_n = models.PositiveIntegerField(_("满意度评价数"), default=0)
    # Sum of the 1–5 star answers: the average is sum / n, exact.
    satisfaction_sum = models.PositiveIntegerField(_("满意度星级合计"), default=0)
    refreshed_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("小区进度汇总")
        verbose_name_plural = verbose_name
        indexes = [
            models.Index(fields=["plan_status"]),
            models.Index(fields=["next_due_on"]),
        ]

    def __str__(self) -> str:
        return f"facts:{self.compound_id}"
