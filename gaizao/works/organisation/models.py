"""The programme's organisation (issue 10, item 4): the leadership group
(领导小组) and its members, the organisations linked to each compound beyond
the ones inventory keeps (utilities, the grassroots Party organisation,
党建引领), joint meetings (联席会议), their decisions and the tasks each
decision creates. Organisations themselves are `regions.Organisation`.

These models belong to the works app (imported by works/models.py): tasks
share the works' responsibility list and `gaizao remind`."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gaizao.core.models import TimeStamped, user_ref


class LeadershipGroup(TimeStamped):
    """改造工作领导小组 of one area (the district): set up by a document."""

    area = models.OneToOneField(
        "regions.Area",
        verbose_name=_("行政区划"),
        on_delete=models.PROTECT,
        related_name="leadership_group",
    )
    name = models.CharField(_("名称"), max_length=128)
    office = models.ForeignKey(
        "regions.Organisation",
        verbose_name=_("领导小组办公室"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    established_on = models.DateField(_("成立日期"), null=True, blank=True)
    basis = models.CharField(_("成立依据"), max_length=300, blank=True)

    class Meta:
        app_label = "works"
        verbose_name = _("领导小组")
        verbose_name_plural = _("领导小组")

    def __str__(self):
        return self.name


class GroupRole(models.TextChoices):
    LEADER = "leader", _("组长")
    DEPUTY = "deputy", _("副组长")
    MEMBER = "member", _("成员")
    OFFICE_HEAD = "office_head", _("办公室主任")


GROUP_ROLE_ORDER = [r.value for r in GroupRole]


class GroupMember(models.Model):
    group = models.ForeignKey(LeadershipGroup, on_delete=models.CASCADE, related_name="members")
    name = models.CharField(_("姓名"), max_length=64)
    position = models.CharField(_("职务"), max_length=128)
    role = models.CharField(_("小组职务"), max_length=16, choices=GroupRole.choices)
    organisation = models.ForeignKey(
        "regions.Organisation",
        verbose_name=_("所在单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    duty = models.CharField(_("分工"), max_length=200, blank=True)
    seq = models.PositiveSmallIntegerField(default=0)

    class Meta:
        app_label = "works"
        verbose_name = _("领导小组成员")
        verbose_name_plural = _("领导小组成员")
        ordering = ["group_id", "seq", "id"]

    def __str__(self):
        return f"{self.name}({self.get_role_display()})"


class LinkRole(models.TextChoices):
    """Organisations a compound is linked to besides those on Compound
    (street office and community committee by area; owners' committee,
    property company, property-rights unit as Compound fields)."""

    PARTY = "party", _("基层党组织")
    UTILITY = "utility", _("专营单位")
    OTHER = "other", _("其他共建单位")


class CompoundLink(TimeStamped):
    compound = models.ForeignKey(
        "inventory.Compound", on_delete=models.CASCADE, related_name="organisation_links"
    )
    organisation = models.ForeignKey(
        "regions.Organisation",
        verbose_name=_("单位"),
        on_delete=models.PROTECT,
        related_name="compound_links",
    )
    role = models.CharField(_("关系"), max_length=12, choices=LinkRole.choices)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        app_label = "works"
        verbose_name = _("小区共建单位")
        verbose_name_plural = _("小区共建单位")
        ordering = ["compound_id", "role", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["compound", "organisation", "role"], name="compound_link_unique"
            ),
        ]

    def __str__(self):
        return f"{self.compound_id} {self.get_role_display()} {self.organisation_id}"


class Meeting(TimeStamped):
    """联席会议: called by the leadership office (or a street), attended by
    organisations, recorded with its decisions."""

    area = models.ForeignKey(
        "regions.Area", verbose_name=_("行政区划"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("会议名称"), max_length=160)
    held_on = models.DateField(_("召开日期"))
    convened_by = models.ForeignKey(
        "regions.Organisation",
        verbose_name=_("召集单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    attendees = models.ManyToManyField(
        "regions.Organisation", verbose_name=_("参会单位"), blank=True, related_name="+"
    )
    minutes = models.TextField(_("会议纪要"), blank=True)
    created_by = user_ref(_("登记人"), blank=True)

    class Meta:
        app_label = "works"
        verbose_name = _("联席会议")
        verbose_name_plural = _("联席会议")
        ordering = ["-held_on", "-id"]

    def __str__(self):
        return self.title


class Decision(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    seq = models.PositiveSmallIntegerField()
    text = models.TextField(_("议定事项"))

    class Meta:
        app_label = "works"
        verbose_name = _("议定事项")
        verbose_name_plural = _("议定事项")
        ordering = ["meeting_id", "seq"]

    def __str__(self):
        return f"{self.meeting} #{self.seq}"


class Task(TimeStamped):
    """A tracked task from a decision: an owner organisation (and person),
    a due date; on the responsibility list and in `gaizao remind`."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(_("任务"), max_length=200)
    owner_org = models.ForeignKey(
        "regions.Organisation",
        verbose_name=_("责任单位"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    owner_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    compound = models.ForeignKey(
        "inventory.Compound",
        verbose_name=_("涉及小区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    due_on = models.DateField(_("完成期限"))
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    done_note = models.CharField(_("完成情况"), max_length=300, blank=True)
    done_by = user_ref(_("办结人"), blank=True)

    class Meta:
        app_label = "works"
        verbose_name = _("议定任务")
        verbose_name_plural = _("议定任务")
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["done_on", "due_on"])]

    def __str__(self):
        return self.title
