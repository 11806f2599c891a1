from django.db import models
from django.utils.translation import gettext_lazy as _

from gaizao.core.models import TimeStamped

# Significant digits of a 12-digit statistics code (统计用区划代码) per level:
# 53 | 01 | 03 | 005 | 006  → province | city | district | street | community.
LEVEL_DIGITS = {"province": 2, "city": 4, "district": 6, "street": 9, "community": 12}


class Area(TimeStamped):
    """An administrative area: a tree of city → district → street → community."""

    class Level(models.TextChoices):
        COUNTRY = "country", _("全国")
        PROVINCE = "province", _("省")
        CITY = "city", _("市")
        DISTRICT = "district", _("区")
        STREET = "street", _("街道")
        COMMUNITY = "community", _("社区")

    code = models.CharField(_("统计用区划代码"), max_length=12, unique=True)
    name = models.CharField(_("名称"), max_length=64)
    level = models.CharField(_("层级"), max_length=16, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # The code's significant digits: a whole subtree is `prefix__startswith`.
    prefix = models.CharField(_("代码前缀"), max_length=12, db_index=True, editable=False)

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[0-9]{12}$"), name="area_code_12_digits"
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.prefix = self.code[: LEVEL_DIGITS.get(self.level, 12)]
        super().save(*args, **kwargs)

    @staticmethod
    def prefix_for(code: str, level: str) -> str:
        return code[: LEVEL_DIGITS.get(level, 12)]

    def contains(self, other: "Area") -> bool:
        return other.prefix.startswith(self.prefix) or self.level == Area.Level.COUNTRY

    def ancestors(self) -> list["Area"]:
        out, node = [], self.parent
        while node is not None:
            out.append(node)
            node = node.parent
        return list(reversed(out))


class Organisation(TimeStamped):
    """单位: every body that has a responsibility in the programme."""

    class Kind(models.TextChoices):
        LEADERSHIP_OFFICE = "leadership_office", _("改造工作领导小组办公室")
        HOUSING_BUREAU = "housing_bureau", _("住房和城乡建设局")
        CIVIL_AFFAIRS = "civil_affairs", _("民政局")
        STREET_OFFICE = "street_office", _("街道办事处")
        COMMUNITY_COMMITTEE = "community_committee", _("社区居委会")
        OWNERS_COMMITTEE = "owners_committee", _("业主委员会")
        PROPERTY_COMPANY = "property_company", _("物业服务企业")
        PROPERTY_RIGHTS_UNIT = "property_rights_unit", _("产权单位")
        UTILITY = "utility", _("专营单位")
        CONTRACTOR = "contractor", _("施工单位")
        DESIGNER = "designer", _("设计单位")
        PARTY_ORGANISATION = "party_organisation", _("党组织")

    name = models.CharField(_("名称"), max_length=128)
    kind = models.CharField(_("类型"), max_length=32, choices=Kind.choices)
    area = models.ForeignKey(
        Area,
        verbose_name=_("所在区划"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organisations",
    )
    contact_name = models.CharField(_("联系人"), max_length=64, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "name", "area"], name="organisation_unique"),
        ]

    def __str__(self):
        return self.name
