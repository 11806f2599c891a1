import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
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


def _password_mark(user: User) -> str:
    """A short fingerprint of the user's password hash: it changes whenever the
    password (or a resident's PIN) does, so tokens made before die with it."""
    return user.get_session_auth_hash()[:32]


class ApiToken(TimeStamped):
    """Bearer token for the JSON API. Stored hashed; shown once at creation.

    A token expires GAIZAO_API_TOKEN_DAYS after it is made and dies with the
    password it was made under (issue 9 #10): `password_mark` must match the
    user's current one."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("名称"), max_length=64, default="api")
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False)
    expires_at = models.DateTimeField(_("到期时间"), null=True, blank=True)
    password_mark = models.CharField(max_length=32, blank=True, default="")

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")

    def __str__(self):
        return f"{self.user} {self.prefix}…"

    @classmethod
    def issue(cls, user: User, name: str = "api") -> tuple["ApiToken", str]:
        raw = "gz_" + secrets.token_urlsafe(32)
        tok = cls.objects.create(
            user=user,
            name=name,
            key_hash=_hash_token(raw),
            prefix=raw[:8],
            expires_at=timezone.now() + timedelta(days=settings.GAIZAO_API_TOKEN_DAYS),
            password_mark=_password_mark(user),
        )
        return tok, raw

    @classmethod
    def lookup(cls, raw: str) -> "ApiToken | None":
        tok = (
            cls.objects.select_related("user", "user__area", "user__organisation")
            .filter(
                key_hash=_hash_token(raw),
                revoked=False,
                user__is_active=True,
                expires_at__gt=timezone.now(),
            )
            .first()
        )
        if tok is None or not hmac.compare_digest(tok.password_mark, _password_mark(tok.user)):
            return None
        return tok


class LoginSession(models.Model):
    """One signed-in browser or phone (a "device"): what staff see and end on a
    household's device page, and what a password change or a code re-issue
    ends (issue 9 #1). The session itself lives in Django's session store;
    this row names it."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="login_sessions")
    session_key = models.CharField(max_length=40, unique=True)
    ip = models.CharField(_("地址"), max_length=64, blank=True)
    user_agent = models.CharField(_("浏览器"), max_length=200, blank=True)
    started_at = models.DateTimeField(_("登录时间"), default=timezone.now)
    last_seen_at = models.DateTimeField(_("最近活动"), default=timezone.now)
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    end_reason = models.CharField(_("结束原因"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("登录设备")
        verbose_name_plural = _("登录设备")
        ordering = ["-last_seen_at", "-id"]
        indexes = [models.Index(fields=["user", "ended_at"])]

    def __str__(self):
        return f"{self.user} {self.started_at:%Y-%m-%d %H:%M}"
