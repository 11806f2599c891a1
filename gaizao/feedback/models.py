"""feedback: residents' feedback and complaints during and after the works
(过程共建) and the satisfaction evaluation after completion (成果共享).

A feedback item is routed, when it is made, to the organisation responsible
for its category in its compound (services.route); it carries a due
date from its category's time limit and a timeline of events, one per
transition. Residents are asked "问题解决了吗?" once it is marked fixed.

The models moved here from consultation (issue 7) with their tables: each
Meta names its old `db_table`, so no data was copied."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gaizao.core.models import TimeStamped, user_ref

__all__ = [
    "FeedbackCategory",
    "FeedbackStatus",
    "ResponsibleParty",
    "Feedback",
    "FeedbackPhoto",
    "FeedbackEvent",
    "SatisfactionEvaluation",
    "SatisfactionResponse",
    "SATISFACTION_ASPECTS",
]


class FeedbackCategory(models.TextChoices):
    CONSTRUCTION_QUALITY = "construction_quality", _("施工质量")
    CONSTRUCTION_SAFETY = "construction_safety", _("施工安全")
    NOISE_DUST = "noise_dust", _("噪音扬尘")
    PROGRESS = "progress", _("施工进度")
    CIVILISED = "civilised", _("文明施工")
    UTILITIES = "utilities", _("水电气管线")
    PROPERTY_SERVICE = "property_service", _("物业服务")
    FACILITY_DAMAGE = "facility_damage", _("设施损坏")
    OTHER = "other", _("其他")


class FeedbackStatus(models.TextChoices):
    OPEN = "open", _("待受理")
    ACCEPTED = "accepted", _("处理中")
    FIXED = "fixed", _("已整改,待确认")
    CONFIRMED = "confirmed", _("已解决")
    REOPENED = "reopened", _("未解决,重新处理")


class ResponsibleParty(TimeStamped):
    """Who answers for a compound's feedback of one kind: the contractor doing
    the works, the utility for pipes, power and gas. There is no works app
    yet, so the assignment is kept here, per compound."""

    class Kind(models.TextChoices):
        CONTRACTOR = "contractor", _("施工单位")
        UTILITY = "utility", _("专营单位(水电气)")

    compound = models.ForeignKey(
        "inventory.Compound",
        verbose_name=_("小区"),
        on_delete=models.CASCADE,
        related_name="responsible_parties",
    )
    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices)
    organisation = models.ForeignKey(
        "regions.Organisation",
        verbose_name=_("责任单位"),
        on_delete=models.PROTECT,
        related_name="responsible_for",
    )

    class Meta:
        db_table = "consultation_responsibleparty"
        verbose_name = _("反馈责任单位")
        verbose_name_plural = _("反馈责任单位")
        constraints = [
            models.UniqueConstraint(fields=["compound", "kind"], name="responsible_party_unique"),
        ]

    def __str__(self):
        return f"{self.compound_id} {self.get_kind_display()}: {self.organisation}"


class Feedback(TimeStamped):
    compound = models.ForeignKey(
        "inventory.Compound",
        verbose_name=_("小区"),
        on_delete=models.CASCADE,
        related_name="feedback",
    )
    # The resident who reported it; null when staff recorded it for a
    # resident without an account (assisted, see recorded_by).
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("反映人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="feedback",
    )
    unit = models.ForeignKey(
        "inventory.Unit",
        verbose_name=_("住户"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Assisted: a community worker recorded it for a resident (phone call,
    # visit). The worker may then also record the resident's answer.
    assisted = models.BooleanField(_("代为登记"), default=False)
    recorded_by = user_ref(_("登记人"), blank=True)
    reporter_name = models.CharField(_("反映人姓名"), max_length=64, blank=True)
    reporter_phone = models.CharField(_("联系电话"), max_length=32, blank=True)
    category = models.CharField(_("类别"), max_length=32, choices=FeedbackCategory.choices)
    text = models.TextField(_("问题描述"))
    place = models.CharField(_("位置"), max_length=200, blank=True)
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=FeedbackStatus.choices,
        default=FeedbackStatus.OPEN,
    )
    responsible_org = models.ForeignKey(
        "regions.Organisation",
        verbose_name=_("责任单位"),
        on_delete=models.PROTECT,
        related_name="feedback_items",
    )
    due_on = models.DateField(_("办理期限"))
    fixed_at = models.DateTimeField(_("整改时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    auto_confirmed = models.BooleanField(_("逾期未答自动确认"), default=False)

    class Meta:
        db_table = "consultation_feedback"
        verbose_name = _("居民反馈")
        verbose_name_plural = _("居民反馈")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["compound", "status"]),
            models.Index(fields=["responsible_org", "status"]),
            models.Index(fields=["status", "due_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(reporter__isnull=False) | Q(assisted=True),
                name="feedback_reporter_or_assisted",
            ),
        ]

    def __str__(self):
        return f"反馈#{self.pk} {self.get_category_display()}"


class FeedbackPhoto(models.Model):
    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="photos")
    # FileField, not ImageField: no Pillow dependency; the service checks the
    # file's signature and size.
    image = models.FileField(_("照片"), upload_to="feedback/%Y/%m/")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    # Set for an after-photo (整改后照片) taken with 整改完成: the event it shows.
    event = models.ForeignKey(
        "FeedbackEvent",
        verbose_name=_("整改记录"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="photos",
    )

    class Meta:
        db_table = "consultation_feedbackphoto"
        verbose_name = _("反馈照片")
        verbose_name_plural = _("反馈照片")
        ordering = ["id"]

    def __str__(self):
        return self.image.name


class FeedbackEvent(models.Model):
    """One line of a feedback item's timeline: who did what, when, and why.

    This is the resident-visible timeline (the detail page and the API's
    `events`, shown with organisations rather than people to residents),
    kept because the audit trail is staff-only and names fields, not steps.
    It is not the record of changes: every write also goes through the
    shared audit trail (gaizao.core.audit.record) in the same transaction."""

    class Action(models.TextChoices):
        CREATE = "create", _("提交反馈")
        ACCEPT = "accept", _("受理")
        FIX = "fix", _("整改完成")
        CONFIRM = "confirm", _("确认已解决")
        REOPEN = "reopen", _("反映未解决")
        AUTO_CONFIRM = "auto_confirm", _("逾期未答,自动确认")

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    actor = user_ref(_("操作人"), blank=True)
    action = models.CharField(_("操作"), max_length=16, choices=Action.choices)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    comment = models.TextField(_("说明"), blank=True)
    # Staff recorded the resident's answer on their behalf.
    assisted = models.BooleanField(_("代为登记"), default=False)
    # For an answer staff recorded (assisted): the household (owner's unit)
    # who gave it, so an objection (没解决) says which owner objected.
    unit = models.ForeignKey(
        "inventory.Unit",
        verbose_name=_("答复的住户"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        db_table = "consultation_feedbackevent"
        verbose_name = _("反馈处理记录")
        verbose_name_plural = _("反馈处理记录")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.feedback_id} {self.get_action_display()}"


# (field name, label) of the aspects a household rates, besides "overall".
SATISFACTION_ASPECTS = [
    ("quality", _("施工质量")),
    ("content", _("改造内容")),
    ("civility", _("施工过程文明")),
    ("management", _("后续管理")),
]


class SatisfactionEvaluation(TimeStamped):
    """成果共享: after completion, every household of the compound rates it."""

    class Status(models.TextChoices):
        OPEN = "open", _("进行中")
        CLOSED = "closed", _("已结束")

    compound = models.ForeignKey(
        "inventory.Compound",
        verbose_name=_("小区"),
        on_delete=models.CASCADE,
        related_name="satisfaction_evaluations",
    )
    title = models.CharField(_("标题"), max_length=128)
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.OPEN)
    opened_by = user_ref(_("发起人"), blank=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    closed_by = user_ref(_("结束人"), blank=True)

    class Meta:
        db_table = "consultation_satisfactionevaluation"
        verbose_name = _("满意度评价")
        verbose_name_plural = _("满意度评价")
        ordering = ["-created_at", "-id"]
        constraints = [
            # One evaluation open per compound at a time.
            models.UniqueConstraint(
                fields=["compound"],
                condition=Q(status="open"),
                name="satisfaction_one_open_per_compound",
            ),
        ]

    def __str__(self):
        return self.title


def _stars(label):
    return models.PositiveSmallIntegerField(label)


class SatisfactionResponse(TimeStamped):
    """One per household (unit); changeable while the evaluation is open."""

    evaluation = models.ForeignKey(
        SatisfactionEvaluation,
        on_delete=models.CASCADE,
        related_name="responses",
    )
    unit = models.ForeignKey(
        "inventory.Unit", verbose_name=_("住户"), on_delete=models.CASCADE, related_name="+"
    )
    respondent = user_ref(_("填写人"), blank=True)
    overall = _stars(_("总体评价"))
    quality = _stars(_("施工质量"))
    content = _stars(_("改造内容"))
    civility = _stars(_("施工过程文明"))
    management = _stars(_("后续管理"))
    comment = models.TextField(_("意见建议"), blank=True)

    class Meta:
        db_table = "consultation_satisfactionresponse"
        verbose_name = _("满意度评价答卷")
        verbose_name_plural = _("满意度评价答卷")
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "unit"], name="satisfaction_one_response_per_unit"
            ),
        ] + [
            models.CheckConstraint(
                condition=Q(**{f"{f}__gte": 1, f"{f}__lte": 5}), name=f"satisfaction_{f}_1_to_5"
            )
            for f in ["overall", "quality", "content", "civility", "management"]
        ]
