"""accounts reads."""

import hmac
from importlib import import_module

from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY
from django.shortcuts import get_object_or_404
from django.utils import timezone

from .models import ApiToken, LoginSession, User


def _token_valid(tok: ApiToken) -> bool:
    # the same test as ApiToken.lookup: a token made under an earlier password
    # (or PIN) no longer logs in, so it is not listed as valid either
    return hmac.compare_digest(tok.password_mark, tok.user.get_session_auth_hash()[:32])


def live_tokens(user: User) -> list[ApiToken]:
    """Tokens that still log in: not revoked, not expired, made under the
    current password."""
    rows = (
        ApiToken.objects.filter(user=user, revoked=False, expires_at__gt=timezone.now())
        .select_related("user")
        .order_by("-created_at")
    )
    return [t for t in rows if _token_valid(t)]


def get_own_token(user: User, pk: int) -> ApiToken:
    """A token of this user (another user's: 404)."""
    return get_object_or_404(ApiToken, user=user, pk=pk)


def household_accounts(unit_id: int) -> list[User]:
    return list(User.objects.filter(unit_id=unit_id).order_by("id"))


def session_is_live(device: LoginSession) -> bool:
    """Whether the browser behind a device row can still act as its user. A
    row without `ended_at` may name a session that is gone all the same: it
    expired or went idle, or the password (a resident's PIN) changed
    somewhere that did not end it (the admin, `changepassword`, binding a
    phone), so Django refuses its auth hash on the next request."""
    if device.ended_at is not None:
        return False
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key=device.session_key)
    data = store.load()  # {} when missing or expired
    if str(data.get(SESSION_KEY, "")) != str(device.user_id):
        return False
    return hmac.compare_digest(
        str(data.get(HASH_SESSION_KEY, "")), device.user.get_session_auth_hash()
    )


def household_devices(unit_id: int) -> list[LoginSession]:
    """Signed-in devices of a household's accounts, live first; each row's
    `live` says whether its session still logs in (issue 9 #1: a device
    cut off by a code re-issue or a PIN change is never shown as 登录中)."""
    rows = list(
        LoginSession.objects.filter(user__unit_id=unit_id)
        .select_related("user")
        .order_by("ended_at", "-last_seen_at")[:50]
    )
    for d in rows:
        d.live = session_is_live(d)
    rows.sort(key=lambda d: not d.live)  # stable: live first, then as ordered
    return rows


def household_tokens(unit_id: int) -> list[ApiToken]:
    """The household's tokens that still log in (see live_tokens)."""
    rows = ApiToken.objects.filter(
        user__unit_id=unit_id, revoked=False, expires_at__gt=timezone.now()
    ).select_related("user")
    return [t for t in rows if _token_valid(t)]


def get_household_device(unit_id: int, pk: int) -> LoginSession:
    return get_object_or_404(
        LoginSession.objects.select_related("user"), user__unit_id=unit_id, pk=pk
    )


def households_with_accounts(unit_ids) -> list[int]:
    """Which of these units have any account bound to them."""
    if not unit_ids:
        return []
    return sorted(set(User.objects.filter(unit_id__in=unit_ids).values_list("unit_id", flat=True)))
