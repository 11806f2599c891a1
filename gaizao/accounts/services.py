"""accounts writes: API tokens, signed-in devices, and cutting a household's
former holders off (issue 9 #1, #10). Every write is audited."""

import copy
from importlib import import_module

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gaizao.core import audit, notify
from gaizao.core.errors import DomainError

from .models import ApiToken, LoginSession, User


def _store():
    return import_module(settings.SESSION_ENGINE).SessionStore


# ---------------------------------------------------------------- tokens


def api_token_create(*, user: User, name: str, source: str = "web") -> tuple[ApiToken, str]:
    name = (name or "").strip() or "api"
    if len(name) > 64:
        raise DomainError(_("令牌名称最多 64 个字"))
    with transaction.atomic():
        tok, raw = ApiToken.issue(user, name)
        audit.record(
            actor=user,
            instance=tok,
            action="create",
            changes={"name": [None, name], "expires_at": [None, tok.expires_at.isoformat()]},
            source=source,
        )
    return tok, raw


def api_token_revoke(*, actor: User, token: ApiToken, source: str = "web") -> None:
    with transaction.atomic():
        ApiToken.objects.filter(pk=token.pk).update(revoked=True)
        audit.record(
            actor=actor,
            instance=token,
            action="update",
            changes={"revoked": [False, True]},
            source=source,
        )


# ---------------------------------------------------------------- devices


def session_started(*, request, user: User) -> None:
    """Name the session a login just made (called on user_logged_in)."""
    key = request.session.session_key
    if not key:
        request.session.save()
        key = request.session.session_key
    now = timezone.now()
    request.session["_gz_seen"] = int(now.timestamp())
    LoginSession.objects.update_or_create(
        session_key=key,
        defaults={
            "user": user,
            "ip": (request.META.get("REMOTE_ADDR") or "")[:64],
            "user_agent": (request.META.get("HTTP_USER_AGENT") or "")[:200],
            "started_at": now,
            "last_seen_at": now,
            "ended_at": None,
            "end_reason": "",
        },
    )


def session_seen(*, session_key: str) -> None:
    LoginSession.objects.filter(session_key=session_key, ended_at__isnull=True).update(
        last_seen_at=timezone.now()
    )


def session_ended(*, session_key: str, reason: str) -> None:
    LoginSession.objects.filter(session_key=session_key, ended_at__isnull=True).update(
        ended_at=timezone.now(), end_reason=reason
    )


def sessions_end(*, users, reason: str, keep: str | None = None) -> int:
    """End every live session of these users (but `keep`, the caller's own)."""
    rows = LoginSession.objects.filter(user__in=users, ended_at__isnull=True)
    if keep:
        rows = rows.exclude(session_key=keep)
    keys = list(rows.values_list("session_key", flat=True))
    store = _store()
    for key in keys:
        store(session_key=key).delete()
    rows.update(ended_at=timezone.now(), end_reason=reason)
    return len(keys)


def device_end(*, actor: User, device: LoginSession, source: str = "web") -> None:
    """Staff end one signed-in device of a household."""
    with transaction.atomic():
        _store()(session_key=device.session_key).delete()
        LoginSession.objects.filter(pk=device.pk, ended_at__isnull=True).update(
            ended_at=timezone.now(), end_reason="staff"
        )
        audit.record(
            actor=actor,
            instance=device.user,
            action="update",
            changes={"device_ended": [device.started_at.isoformat(), None]},
            source=source,
        )


def password_changed(
    *, user: User, keep_session: str | None, source: str = "web", actor: User | None = None
) -> None:
    """After a password change: other sessions end, every API token dies.
    `actor`: who changed it (an administrator in the admin), the user if None."""
    with transaction.atomic():
        n_tokens = ApiToken.objects.filter(user=user, revoked=False).update(revoked=True)
        n_sessions = sessions_end(users=[user], reason="password", keep=keep_session)
        audit.record(
            actor=actor or user,
            instance=user,
            action="update",
            changes={
                "password": ["***", "***"],
                "tokens_revoked": n_tokens,
                "sessions_ended": n_sessions,
            },
            source=source,
        )


def unit_access_end(*, actor, unit_id: int, reason: str, source: str = "web") -> int:
    """Cut off everyone bound to a household (issue 9 #1): a new access code
    was issued or the owner changed. Every session, API token and PIN of the
    unit's accounts ends; the household is told through core.notify (the
    phone that was bound gets the SMS, the account's inbox the notice).
    Returns the number of accounts cut off."""
    # Only accounts that still hold something: a PIN, a live device or token.
    users = [
        u
        for u in User.objects.filter(unit_id=unit_id)
        if u.has_usable_password()
        or u.phone
        or LoginSession.objects.filter(user=u, ended_at__isnull=True).exists()
        or ApiToken.objects.filter(user=u, revoked=False).exists()
    ]
    if not users:
        return 0
    reason_text = {
        "code": _("社区为您家重新发放了入户码"),
        "owner": _("您家房屋的业主登记已变更"),
    }.get(reason, reason)
    with transaction.atomic():
        for user in users:
            before = audit.snapshot(user, ["phone"])
            n_tokens = ApiToken.objects.filter(user=user, revoked=False).update(revoked=True)
            n_sessions = sessions_end(users=[user], reason=reason)
            notify.send(
                # A copy: the SMS goes out after the commit, to the phone
                # that was bound, which is cleared just below.
                recipients=[copy.copy(user)],
                subject=_("您家的登录已全部退出"),
                body=_(
                    "%(why)s,原来登录的手机和电脑已全部退出,绑定的手机号和密码已失效。"
                    "请使用最新的入户码重新登录;如非本户所为,请联系社区居委会。"
                )
                % {"why": reason_text},
                kind="accounts.access_ended",
                ref=f"unit:{unit_id}:{reason}:{timezone.now():%Y%m%d%H%M%S}",
            )
            # After the notice (its SMS goes to the phone that was bound).
            user.set_unusable_password()
            user.phone = ""
            user.save(update_fields=["password", "phone"])
            audit.record(
                actor=actor,
                instance=user,
                action="update",
                changes={
                    "phone": [before["phone"], ""],
                    "pin": ["***", None],
                    "tokens_revoked": n_tokens,
                    "sessions_ended": n_sessions,
                    "reason": reason,
                },
                source=source,
            )
    return len(users)
