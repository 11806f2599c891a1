import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from gaizao.core.models import TimeStamped


class Role(models.TextChoices):
    """Roles of DESIGN.md. Area roles see the subtree of their `area`;
    organisation roles see the compounds linked to their `organisation`;
    a resident sees the compound of their `unit`."""

    LEADERSHIP = "leadership", _("领导小组办公室")
    HOUSING_BUREAU = "housing_bureau", _("住建局")
    STREET_OFFICE = "street_office", _("街道办事处")
    COMMUNITY = "community", _("社区居委会")
    SURVEYOR = "surveyor", _("摸底调查员")
    OWNERS_COMMITTEE = "owners_committee", _("业主委员会")
    PROPERTY_COMPANY = "property_company", _("物业服务企业")
    PROPERTY_RIGHTS_UNIT = "property_rights_unit", _("产权单位")
    CONTRACTOR = "contractor", _("施工单位")
    DESIGNER = "designer", _("设计单位")
    RESIDENT = "resident", _("居民")


AREA_ROLES = {
    Role.LEADERSHIP,
    Role.HOUSING_BUREAU,
    Role.STREET_OFFICE,
    Role.COMMUNITY,
    Role.SURVEYOR,
}
ORGANISATION_ROLES = {
    Role.OWNERS_COMMITTEE,
    Role.PROPERTY_COMPANY,
    Role.PROPERTY_RIGHTS_UNIT,
    Role.CONTRACTOR,
    Role.DESIGNER,
}


class User(AbstractUser):
    display_name = models.CharField(_("姓名"), max_length=64, blank=True)
    phone = models.CharField(_("手机号"), max_length=32, blank=True)
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices, blank=True)
    area = models.ForeignKey(
        "regions.Area",
        verbose_name=_("辖区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    organisation = models.ForeignKey(
        "regions.Organisation",
        verbose_name=_("单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    # A resident's household: the unit whose compound they may see.
    unit = models.ForeignKey(
        "inventory.Unit",
        verbose_name=_("住户"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="residents",
    )

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self):
        return self.display_name or self.username

    @property
    def role_label(self) -> str:
        """Plain text in the current language (callers join and compare it)."""
        if self.role:
            return str(self.get_role_display())
        return str(_("系统管理员")) if self.is_superuser else ""


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(TimeStamped):
    """Bearer token for the JSON API. Stored hashed; shown once at creation."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("名称"), max_length=64, default="api")
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")

    def __str__(self):
        return f"{self.user} {self.prefix}…"

    @classmethod
    def issue(cls, user: User, name: str = "api") -> tuple["ApiToken", str]:
        raw = "gz_" + secrets.token_urlsafe(32)
        tok = cls.objects.create(user=user, name=name, key_hash=_hash_token(raw), prefix=raw[:8])
        return tok, raw

    @classmethod
    def lookup(cls, raw: str) -> "ApiToken | None":
        return (
            cls.objects.select_related("user", "user__area", "user__organisation")
            .filter(key_hash=_hash_token(raw), revoked=False, user__is_active=True)
            .first()
        )
