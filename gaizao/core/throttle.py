"""One limiter for staff logins, household access codes, PIN logins and
ballots (issue 9 #8), on django-ratelimit over the shared cache.

Counting is increment-first: every attempt adds one to a counter in the
cache (`cache.add` then `cache.incr`, atomic on Redis and within one
process on the local-memory cache) and is refused when the new count is over
the limit. There is no check-then-insert, so 60 concurrent wrong codes
process exactly `limit` of them. The counter lives for the window of the
rate ("10/15m"): the lockout ends by itself when the window does.

Production must use a cache every worker shares (GAIZAO_CACHE_URL, Redis;
docs/security.md); the local-memory default counts per process.

The client address is REMOTE_ADDR unless GAIZAO_CLIENT_IP_HEADER names a
header that the trusted reverse proxy overwrites on every request (e.g.
X-Real-IP); a client-controlled X-Forwarded-For must never be trusted, it
would let anyone pick a fresh address per attempt.
"""

import functools
from dataclasses import dataclass

from django.conf import settings
from django.shortcuts import render
from django.utils.translation import gettext as _
from django_ratelimit.core import get_usage

from .errors import DomainError


@dataclass(frozen=True)
class Usage:
    count: int
    limit: int
    seconds_left: int

    @property
    def over(self) -> bool:
        return self.count > self.limit


class Throttled(DomainError):
    """Too many attempts; `minutes` until the lockout ends."""

    def __init__(self, message: str, *, minutes: int):
        super().__init__(message, code="rate_limited")
        self.minutes = minutes


def client_ip(request) -> str:
    header = getattr(settings, "GAIZAO_CLIENT_IP_HEADER", "")
    if header:
        meta = "HTTP_" + header.upper().replace("-", "_")
        # The proxy appends its peer last: the rightmost entry is the one it saw.
        value = request.META.get(meta, "").split(",")[-1].strip()
        if value:
            return value[:64]
    return (request.META.get("REMOTE_ADDR", "") or "?")[:64]


def _usage(group: str, value: str, rate: str, *, increment: bool) -> Usage:
    usage = get_usage(None, group=group, key=lambda _g, _r: value, rate=rate, increment=increment)
    if usage is None:  # RATELIMIT_ENABLE = False
        return Usage(0, 1, 0)
    return Usage(usage["count"], usage["limit"], max(usage["time_left"], 0))


def hit(group: str, value: str, rate: str) -> Usage:
    """Count one attempt under (group, value) and return the new usage."""
    return _usage(group, str(value), rate, increment=True)


def peek(group: str, value: str, rate: str) -> Usage:
    """The usage without counting (for a check before an expensive step)."""
    return _usage(group, str(value), rate, increment=False)


def minutes_left(usage: Usage) -> int:
    return max(1, -(-usage.seconds_left // 60))


def refuse(usage: Usage, message: str | None = None) -> None:
    """Raise Throttled with the lockout's remaining minutes in the message."""
    minutes = minutes_left(usage)
    raise Throttled(
        message or _("尝试次数过多,已暂时锁定,请 %(n)s 分钟后再试。") % {"n": minutes},
        minutes=minutes,
    )


def check(group: str, value: str, rate: str, message: str | None = None) -> Usage:
    """hit() and refuse when over the limit."""
    usage = hit(group, value, rate)
    if usage.over:
        refuse(usage, message)
    return usage


def per_household(view):
    """Ballot endpoints: at most GAIZAO_BALLOT_RATE submissions per household
    (the account's unit; issue 9 #4, #8). A page answers 429 with the message;
    under /api/ Throttled becomes the JSON 429 of gaizao/api.py."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        unit_id = getattr(request.user, "unit_id", None)
        if unit_id is not None:
            usage = hit("ballot", unit_id, settings.GAIZAO_BALLOT_RATE)
            if usage.over:
                message = _("本户提交过于频繁,请 %(n)s 分钟后再试。") % {"n": minutes_left(usage)}
                if request.path_info.startswith("/api/"):
                    raise Throttled(message, minutes=minutes_left(usage))
                return render(request, "429.html", {"message": message}, status=429)
        return view(request, *args, **kwargs)

    return wrapper
