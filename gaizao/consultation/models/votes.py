"""consultation: owners' joint decisions (业主共同决定, 民法典 第二百七十八条).

The tally itself is pure (tally.py); these tables hold what was cast.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gaizao.core.models import TimeStamped, user_ref

from ..tally import LAW_CHOICES, MATTERS

__all__ = [
    "Vote",
    "Ballot",
    "BallotChange",
    "BallotConflict",
    "Objection",
    "Choice",
    "Channel",
    "VoteRules",
    "DEFAULT_NOTICE_DAYS_BEFORE",
    "DEFAULT_MIN_VOTING_DAYS",
]

# 《业主大会和业主委员会指导规则》第二十三条: the owners' meeting is announced
# fifteen days before it is held (会议召开15日前通知全体业主).
DEFAULT_NOTICE_DAYS_BEFORE = 15
# A vote shorter than this cannot reach owners who are away for a week.
DEFAULT_MIN_VOTING_DAYS = 7


class VoteRules(TimeStamped):
    """A jurisdiction's rules for votes (the nearest area up the tree that
    has a row applies; otherwise the defaults above)."""

    area = models.OneToOneField(
        "regions.Area", verbose_name=_("辖区"), on_delete=models.CASCADE, related_name="vote_rules"
    )
    notice_days_before = models.PositiveSmallIntegerField(
        _("开始前公告天数"), default=DEFAULT_NOTICE_DAYS_BEFORE
    )
    min_voting_days = models.PositiveSmallIntegerField(
        _("最短表决期(天)"), default=DEFAULT_MIN_VOTING_DAYS
    )
    # Assisted ballots (代为录入) carry the sheet photo OR a witness; with
    # this set, both.
    assisted_needs_both = models.BooleanField(_("代为录入须同时有照片和见证人"), default=False)
    # A new plan version may rest on the previous version's passed vote when
    # its total cost rises by at most this share (0.05 = 5 %) and it adds no
    # item, and a second person confirms; 0: every new version needs a vote.
    plan_cost_tolerance = models.DecimalField(
        _("沿用上一版表决的造价增幅上限"),
        max_digits=5,
        decimal_places=4,
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )

    class Meta:
        verbose_name = _("表决规则")
        verbose_name_plural = _("表决规则")

    def __str__(self):
        return str(self.area)


class Choice(models.TextChoices):
    AGREE = "agree", _("同意")
    OPPOSE = "oppose", _("反对")
    ABSTAIN = "abstain", _("弃权")


class Channel(models.TextChoices):
    ONLINE = "online", _("线上")
    PAPER = "paper", _("纸质表决票")
    ASSISTED = "assisted", _("代为录入")


class Vote(TimeStamped):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        OPEN = "open", _("表决中")
        CLOSED = "closed", _("已计票")
        PUBLISHED = "published", _("已公示")
        CANCELLED = "cancelled", _("已取消")

    compound = models.ForeignKey(
        "inventory.Compound", verbose_name=_("小区"), on_delete=models.CASCADE, related_name="votes"
    )
    matter = models.PositiveSmallIntegerField(
        _("表决事项"),
        choices=[(k, _(v)) for k, v in MATTERS.items()],
        validators=[MinValueValidator(1), MaxValueValidator(9)],
    )
    title = models.CharField(_("标题"), max_length=200)
    description = models.TextField(_("说明"), blank=True)
    # The law in force on the opening date; set by the service, never edited.
    law = models.CharField(
        _("适用法律"), max_length=16, choices=[(k, _(v)) for k, v in LAW_CHOICES]
    )
    opens_at = models.DateTimeField(_("开始时间"))
    closes_at = models.DateTimeField(_("截止时间"))
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    result = models.JSONField(_("计票结果"), default=dict, blank=True)
    passed = models.BooleanField(_("通过"), null=True, blank=True)
    closed_at = models.DateTimeField(_("计票时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("公示时间"), null=True, blank=True)
    notice_days = models.PositiveSmallIntegerField(_("公示期(天)"), default=7)
    notice_ends_at = models.DateTimeField(_("公示期满"), null=True, blank=True)
    # A published result set aside (e.g. by a court or after objections).
    overturned = models.BooleanField(_("已撤销"), default=False)
    overturned_reason = models.CharField(_("撤销原因"), max_length=500, blank=True)
    overturned_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    overturned_by = user_ref(_("撤销人"), blank=True)
    # Non-empty: a vote already held (e.g. on paper last month) recorded
    # afterwards, so its dates may lie in the past; why, shown on its page
    # and certificate.
    past_reason = models.CharField(_("补录原因"), max_length=500, blank=True)
    created_by = user_ref(_("发起人"))
    # The proposal owners vote on (plan id and version, items, total cost,
    # what a household pays), set by the plans app when it starts the vote;
    # shown to owners with the ballot and bound to the plan's approval.
    plan_id = models.PositiveIntegerField(_("方案编号"), null=True, blank=True, db_index=True)
    plan_version = models.PositiveIntegerField(_("方案版本"), null=True, blank=True)
    proposal = models.JSONField(_("表决方案"), default=dict, blank=True)
    # The owners' register frozen when the vote opens: [[unit_id, area,
    # owner_key, developer], ...]; the denominators are those of that moment.
    register = models.JSONField(_("表决时业主名册"), default=list, blank=True)
    register_frozen_at = models.DateTimeField(_("名册冻结时间"), null=True, blank=True)
    notice_published_at = models.DateTimeField(_("公告时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("业主表决")
        verbose_name_plural = _("业主表决")
        ordering = ["-opens_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(matter__gte=1, matter__lte=9), name="vote_matter_1_to_9"
            ),
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="vote_closes_after_opens"
            ),
        ]
        indexes = [models.Index(fields=["compound", "matter", "status"])]

    def __str__(self):
        return self.title

    def accepts_online(self, now=None) -> bool:
        now = now or timezone.now()
        return self.status == self.Status.OPEN and self.opens_at <= now < self.closes_at

    @property
    def in_notice_period(self) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.notice_ends_at is not None
            and timezone.now() < self.notice_ends_at
        )


SHEET_EXTENSIONS = {"jpg", "png", "gif", "webp", "heic", "avif", "pdf"}


def _sheet_path(instance, filename):
    # Ballot sheets carry signatures: a random name, not the owner's. The
    # services name the file after its sniffed type (gaizao.core.uploads)
    # before saving; a name from anywhere else gets no trusted extension.
    import uuid

    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if ext not in SHEET_EXTENSIONS:
        ext = "bin"
    return f"ballots/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{ext}"


class Ballot(models.Model):
    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="ballots")
    unit = models.ForeignKey(
        "inventory.Unit", verbose_name=_("房屋"), on_delete=models.PROTECT, related_name="ballots"
    )
    choice = models.CharField(_("表决意见"), max_length=8, choices=Choice.choices)
    channel = models.CharField(_("方式"), max_length=8, choices=Channel.choices)
    # Online: the resident; paper and assisted: the staff member who entered it.
    entered_by = user_ref(_("录入人"))
    assisted_by = user_ref(_("代为录入人"), blank=True)
    # Assisted ballots: a second staff member who saw the owner say it.
    witness = models.ForeignKey(
        "accounts.User",
        verbose_name=_("见证人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sheet_photo = models.FileField(_("表决票照片"), upload_to=_sheet_path, blank=True)
    cast_at = models.DateTimeField(_("表决时间"), default=timezone.now)

    class Meta:
        verbose_name = _("表决票")
        verbose_name_plural = _("表决票")
        ordering = ["vote_id", "unit_id"]
        constraints = [
            # One ballot per unit per vote, enforced by the database so that
            # two simultaneous submissions cannot both count.
            models.UniqueConstraint(fields=["vote", "unit"], name="ballot_one_per_unit"),
            models.CheckConstraint(
                condition=~Q(channel="paper") | ~Q(sheet_photo=""), name="ballot_paper_has_photo"
            ),
        ]

    def __str__(self):
        return f"{self.vote_id}/{self.unit_id} {self.choice}"


class BallotChange(models.Model):
    """Every change of a unit's ballot after it was first cast: the owner
    changing their online ballot before the close, or a conflict resolved
    by a second staff member. Nothing is overwritten without a row here."""

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="ballot_changes")
    unit = models.ForeignKey(
        "inventory.Unit", verbose_name=_("房屋"), on_delete=models.PROTECT, related_name="+"
    )
    choice_before = models.CharField(_("原意见"), max_length=8, choices=Choice.choices)
    channel_before = models.CharField(_("原方式"), max_length=8, choices=Channel.choices)
    choice_after = models.CharField(_("新意见"), max_length=8, choices=Choice.choices)
    channel_after = models.CharField(_("新方式"), max_length=8, choices=Channel.choices)
    changed_by = user_ref(_("变更人"))
    reason = models.CharField(_("原因"), max_length=500, blank=True)
    changed_at = models.DateTimeField(_("变更时间"), default=timezone.now)

    class Meta:
        verbose_name = _("表决票变更")
        verbose_name_plural = _("表决票变更")
        ordering = ["changed_at", "id"]

    def __str__(self):
        return f"{self.vote_id}/{self.unit_id} {self.choice_before}→{self.choice_after}"


class BallotConflict(models.Model):
    """A second ballot for a unit that already has one: refused, kept here
    for a second staff member to resolve (keep the first, or replace it),
    with a reason and the evidence; the owner is told."""

    class Resolution(models.TextChoices):
        KEEP_FIRST = "keep_first", _("保留第一张")
        REPLACE = "replace", _("以第二张替换")

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="conflicts")
    unit = models.ForeignKey(
        "inventory.Unit", verbose_name=_("房屋"), on_delete=models.PROTECT, related_name="+"
    )
    attempted_choice = models.CharField(_("第二次意见"), max_length=8, choices=Choice.choices)
    channel = models.CharField(_("方式"), max_length=8, choices=Channel.choices)
    attempted_by = user_ref(_("提交人"))
    sheet_photo = models.FileField(_("表决票照片"), upload_to=_sheet_path, blank=True)
    attempted_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    resolution = models.CharField(
        _("处理结果"), max_length=16, choices=Resolution.choices, blank=True
    )
    resolved_by = user_ref(_("处理人"), blank=True)
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    reason = models.CharField(_("处理理由"), max_length=500, blank=True)
    evidence = models.FileField(_("处理依据"), upload_to=_sheet_path, blank=True)

    class Meta:
        verbose_name = _("重复表决票")
        verbose_name_plural = _("重复表决票")
        ordering = ["attempted_at", "id"]
        constraints = [
            # At most one open conflict per unit and vote: a repeated sheet
            # is refused, not piled up (issue 9 item 4).
            models.UniqueConstraint(
                fields=["vote", "unit"],
                condition=Q(resolution=""),
                name="conflict_one_open_per_unit",
            ),
        ]

    def __str__(self):
        return f"{self.vote_id}/{self.unit_id} {self.attempted_choice}"

    @property
    def resolved(self) -> bool:
        return bool(self.resolution)


class Objection(models.Model):
    """异议 raised during the notice period (公示期), answered by staff. An
    upheld objection (成立) lets staff overturn the result or correct ballots
    and re-tally (services.vote_overturn / vote_retally)."""

    class State(models.TextChoices):
        PENDING = "pending", _("待答复")
        REPLIED = "replied", _("已答复")
        UPHELD = "upheld", _("成立")
        REJECTED = "rejected", _("不成立")

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="objections")
    text = models.TextField(_("异议内容"))
    raised_by = user_ref(_("提出人"))
    raised_at = models.DateTimeField(_("提出时间"), default=timezone.now)
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.PENDING)
    reply = models.TextField(_("答复"), blank=True)
    replied_by = user_ref(_("答复人"), blank=True)
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("异议")
        verbose_name_plural = _("异议")
        ordering = ["raised_at", "id"]
        constraints = [
            # A reply and its state go together: nothing half-answered.
            models.CheckConstraint(
                condition=Q(state="pending", replied_at__isnull=True)
                | (~Q(state="pending") & Q(replied_at__isnull=False) & ~Q(reply="")),
                name="objection_reply_matches_state",
            ),
        ]

    def __str__(self):
        return self.text[:40]
