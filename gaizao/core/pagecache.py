"""Rendered page bodies cached per user, query and data version (issue 14:
lists as fast as the machine allows).

A list page's body (its filters, cards and page of rows) depends only on who
looks, the query string, the language and the data. `cached_body` keys the
rendered body on each: the user's id, role, area and organisation; the sorted
query string; the language; and `gaizao.core.summaries.version()`, which every
save or delete of a gaizao record bumps (`connect()`: one cache increment a
write; the audit trail, jobs and sessions excepted), as do the bulk writes
that refresh the kept summaries (gaizao.core.summaries.touch). The page frame around
the body (the user's menu, messages and CSRF token) is rendered on every
request and never cached; a cached body must therefore hold no form that
posts (no CSRF token).

With a shared cache (Redis) every worker sees a bump at once; with the
per-process memory cache, another worker's copy lives at most `seconds`.
"""

import hashlib
from collections.abc import Callable

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from . import summaries

SECONDS = 60


def body_key(request, part: str, *, per_user: bool = True) -> str:
    """per_user=False: one body for every visitor (public pages)."""
    who = "all"
    if per_user:
        u = request.user
        who = f"{u.pk}.{getattr(u, 'role', '')}.{getattr(u, 'area_id', '')}."
        who += f"{getattr(u, 'organisation_id', '')}.{int(u.is_superuser)}"
    query = "&".join(f"{k}={v}" for k, v in sorted(request.GET.lists()))
    digest = hashlib.sha256(query.encode()).hexdigest()[:24]
    return f"body:{part}:{summaries.version()}:{get_language()}:{who}:{digest}"


def cached_body(
    request,
    part: str,
    build: Callable[[], tuple[str, dict]],
    seconds: int = SECONDS,
    *,
    per_user: bool = True,
) -> SafeString:
    """The body rendered by `build() → (template, context)`, from the cache
    when the same user (or, per_user=False, anybody) asked the same query of
    the same data."""
    key = body_key(request, part, per_user=per_user)
    html = cache.get(key)
    if html is None:
        template, ctx = build()
        html = render_to_string(template, ctx, request=request)
        cache.set(key, html, seconds)
    return mark_safe(html)  # noqa: S308 (rendered by our own templates)


# Writes that change no cached body: the trail itself and job progress.
# (Notices do: the header's inbox count is cached on the same version.)
NOT_SHOWN = {"core.auditentry", "core.job"}


def _bump(sender, raw=False, **kwargs):
    if raw or not sender.__module__.startswith("gaizao."):
        return  # Django's own (sessions, …) and migrations' historical models
    if sender._meta.label_lower in NOT_SHOWN:
        return
    summaries.bump_version()


def connect() -> None:
    post_save.connect(_bump, dispatch_uid="pagecache-save")
    post_delete.connect(_bump, dispatch_uid="pagecache-delete")
