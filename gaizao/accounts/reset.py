"""Password reset: by the user (a one-time link sent to their own phone by
SMS, or to their e-mail) and by their administrator (a one-time link shown
once, to hand over in person). Django's PasswordResetTokenGenerator makes the
links: a link stops working once the password changes (so it is used once)
and after PASSWORD_RESET_TIMEOUT. Every issued link and every reset is in
the audit trail; the links themselves never are.

A user's administrator: a superuser, or the leadership office / housing
bureau of an area that holds the user (their area, their household's street,
or their organisation's area)."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db.models import Q
from django.http import Http404
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from gaizao.core import audit, throttle
from gaizao.core.notify import sms_backend

from .models import Role

ADMIN_ROLES = {Role.LEADERSHIP, Role.HOUSING_BUREAU}


def reset_path(user) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return reverse("accounts:reset_confirm", kwargs={"uidb64": uid, "token": token})


def _find(identifier: str):
    s = (identifier or "").strip()
    if not s:
        return None
    User = get_user_model()
    q = Q(username=s)
    if "@" in s:
        q |= Q(email__iexact=s)
    elif s.replace("+", "").replace("-", "").isdigit():
        q |= Q(phone=s)
    found = list(User.objects.filter(q, is_active=True)[:2])
    # an address or number two accounts share is not enough to pick one
    return found[0] if len(found) == 1 else None


def _throttle(client: str, identifier: str) -> None:
    """The login limiter (core.throttle), counted before any lookup: per
    client address and per identifier typed, refused with the lockout's
    minutes (the same for accounts that exist and those that do not)."""
    message = _("重置密码的请求过于频繁,请 %(n)s 分钟后再试。")
    for group, value, rate in (
        ("reset.client", client, settings.GAIZAO_RESET_RATE_CLIENT),
        ("reset.identifier", identifier.strip().lower(), settings.GAIZAO_RESET_RATE_ACCOUNT),
    ):
        usage = throttle.hit(group, value, rate)
        if usage.over:
            throttle.refuse(usage, message % {"n": throttle.minutes_left(usage)})


def reset_request(*, identifier: str, absolute, client: str = "?", source: str = "web") -> None:
    """Send a one-time link to the account's own phone (SMS) and e-mail.
    Says nothing about whether the account exists (the caller shows the same
    message either way). `absolute(path)` makes the full URL. Throttled
    (core.throttle.Throttled) per client and per identifier; per account
    too, silently (the same account typed as username, phone and e-mail
    still gets at most GAIZAO_RESET_RATE_ACCOUNT links an hour)."""
    _throttle(client, identifier)
    user = _find(identifier)
    if user is None or not (user.phone or user.email):
        return
    if throttle.hit("reset.account", user.pk, settings.GAIZAO_RESET_RATE_ACCOUNT).over:
        return
    link = absolute(reset_path(user))
    sent = []
    if user.phone:
        text = _("【老旧小区改造】重置密码请打开:%(link)s(仅可使用一次;如非本人操作请忽略)") % {
            "link": link
        }
        sent.append("sms:" + sms_backend().send(to=user.phone, text=text, ref=f"reset:{user.pk}"))
    if user.email:
        try:
            send_mail(
                _("重置密码"),
                _("请打开以下链接设置新密码(仅可使用一次;如非本人操作请忽略):\n%(link)s")
                % {"link": link},
                None,
                [user.email],
            )
            sent.append("email:sent")
        except Exception as e:  # SMTP trouble is recorded, not raised
            sent.append(f"email:error {e}"[:120])
    audit.record(
        actor=None,
        instance=user,
        action="update",
        source=source,
        changes={"password_reset": "link sent", "channels": sent},
    )


def users_administered_by(admin):
    User = get_user_model()
    if admin.is_superuser:
        return User.objects.exclude(pk=admin.pk)
    if admin.role not in ADMIN_ROLES or admin.area is None:
        return User.objects.none()
    p = admin.area.prefix
    return User.objects.filter(
        Q(area__prefix__startswith=p)
        | Q(unit__building__compound__street__prefix__startswith=p)
        | Q(organisation__area__prefix__startswith=p),
        is_superuser=False,
    ).exclude(pk=admin.pk)


def may_administer(admin) -> bool:
    return admin.is_superuser or (admin.role in ADMIN_ROLES and admin.area is not None)


def get_user_for_admin(admin, pk):
    """The one fetch of a user an administrator acts on: not theirs → 404."""
    if not may_administer(admin):
        raise PermissionDenied(_("只有领导小组办公室、住建局或系统管理员可以为他人重置密码"))
    try:
        return users_administered_by(admin).get(pk=pk)
    except (get_user_model().DoesNotExist, ValueError, TypeError):
        raise Http404(_("用户不存在或不在您的管辖范围内"))


def reset_link_issue(*, admin, user, source: str = "web") -> str:
    """A one-time link for the administrator to hand to the user."""
    if not users_administered_by(admin).filter(pk=user.pk).exists():
        raise PermissionDenied(_("用户不在您的管辖范围内"))
    audit.record(
        actor=admin,
        instance=user,
        action="update",
        source=source,
        changes={"password_reset": "one-time link issued by administrator"},
    )
    return reset_path(user)


def search_users(admin, q: str, limit: int = 30):
    q = (q or "").strip()
    qs = users_administered_by(admin).select_related("area", "organisation")
    if q:
        qs = qs.filter(
            Q(username__icontains=q) | Q(display_name__icontains=q) | Q(phone__startswith=q)
        )
    return qs.order_by("username")[:limit]
