from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def user_ref(verbose_name, *, blank: bool = False) -> models.ForeignKey:
    """Who did something (issued, entered, replied, …): a user reference
    that outlives the account (SET_NULL) and needs no reverse accessor."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        null=True,
        blank=blank,
        on_delete=models.SET_NULL,
        related_name="+",
    )


class TimeStamped(models.Model):
    """Base model: every record knows when it was created and last changed."""

    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


class AppendOnlyError(Exception):
    """An audit entry is never changed nor deleted once written."""


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("the audit trail is append-only")

    def delete(self):
        raise AppendOnlyError("the audit trail is append-only")

    update.queryset_only = True
    delete.queryset_only = True


class AuditEntry(models.Model):
    """Who changed what, when, through which interface (web, api, cli, import).

    Append-only (issue 9 #6): the model refuses save() of an existing row and
    delete(), its queryset refuses update() and delete(), the admin offers
    neither, and on PostgreSQL a trigger (migration 0002) refuses UPDATE and
    DELETE from anything that reaches the database."""

    class Action(models.TextChoices):
        CREATE = "create", _("新增")
        UPDATE = "update", _("修改")
        DELETE = "delete", _("删除")
        IMPORT = "import", _("导入")

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    # PROTECT, not SET_NULL: deleting a user must not rewrite the trail
    # (deactivate accounts instead).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    source = models.CharField(_("来源"), max_length=16, default="web")
    action = models.CharField(_("操作"), max_length=16, choices=Action.choices)
    model = models.CharField(_("对象类型"), max_length=64)
    object_pk = models.CharField(_("对象编号"), max_length=64, db_index=True)
    object_repr = models.CharField(_("对象"), max_length=200)
    # {"field": [old, new], ...}; for imports a summary {"rows": n, ...}
    changes = models.JSONField(_("变更"), default=dict, blank=True)
    # The compound the change belongs to, for scoping the trail to the
    # reader's jurisdiction (issue 9 #5); a plain id, so that core needs no
    # inventory model and deleting a compound rewrites nothing here.
    compound_id = models.BigIntegerField(_("小区"), null=True, blank=True, db_index=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("操作记录")
        verbose_name_plural = _("操作记录")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["model", "object_pk"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError("the audit trail is append-only")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("the audit trail is append-only")


class Notice(models.Model):
    """One notice sent to one person (gaizao.core.notify.send): the in-app
    inbox, and the record of every e-mail and SMS that went out with it."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("收件人"),
        on_delete=models.CASCADE,
        related_name="notices",
    )
    subject = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    kind = models.CharField(_("类别"), max_length=48, db_index=True)
    # What the notice is about, e.g. "milestone:12:overdue:1"; with kind and
    # recipient it makes a periodic sender idempotent.
    ref = models.CharField(_("关联对象"), max_length=120, db_index=True)
    channels = models.JSONField(_("渠道"), default=list)
    # {"email": "sent" | "no address" | "error: …", "sms": …}
    deliveries = models.JSONField(_("发送结果"), default=dict, blank=True)
    created_at = models.DateTimeField(_("发送时间"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "kind", "ref"])]

    def __str__(self):
        return f"{self.recipient_id} {self.subject}"


class Job(models.Model):
    """A long piece of work started by a user (a big export, a whole
    jurisdiction's evaluation): run by `gaizao worker` off the request, in
    chunks, with its progress and, when done, its file (gaizao.core.jobs)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("进行中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        on_delete=models.CASCADE,
        related_name="jobs",
    )
    kind = models.CharField(_("类型"), max_length=48)
    title = models.CharField(_("名称"), max_length=200)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    done = models.PositiveIntegerField(_("已处理"), default=0)
    total = models.PositiveIntegerField(_("总数"), default=0)
    message = models.CharField(_("说明"), max_length=500, blank=True)
    file = models.FileField(_("结果文件"), upload_to="jobs/", blank=True)
    filename = models.CharField(_("文件名"), max_length=200, blank=True)
    # Where the result is seen (the reserve after an evaluation, the list
    # after an import, the preview with its errors after a failed import).
    link = models.CharField(_("结果页面"), max_length=300, blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(_("发起时间"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "created_at"])]

    def __str__(self):
        return self.title

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(self.done * 100 / self.total) if self.total else 0
