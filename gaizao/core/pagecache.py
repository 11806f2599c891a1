"""Rendered page bodies cached per user, query and data version (issue 14:
lists as fast as the machine allows).

A list page's body (its filters, cards and page of rows) depends only on who
looks, the query string, the language and the data. `cached_body` keys the
rendered body on each: the user's id, role, area and organisation; the sorted
query string; the language; today's date (pages that flag what is late
change when a day passes, with no write); and
`gaizao.core.summaries.version()`, which every
save or delete of a gaizao record bumps (`connect()`: one cache increment a
write; the audit trail, jobs and sessions excepted), as do the bulk writes
that refresh the kept summaries (gaizao.core.summaries.touch). The page frame around
the body (the user's menu, messages and CSRF token) is rendered on every
request and never cached; a cached body must therefore hold no form that
posts (no CSRF token).

With a shared cache (Redis) every worker sees a bump at once; with the
per-process memory cache, another worker's copy lives at most `seconds`.

`cached_json` does the same for JSON answers (the map's data, the API's
list pages): the response bytes are kept, so a hit costs no query, no
schema validation and no serialising. Whatever decides whether the user may
ask at all (404/403, bad parameters) runs before it, on every request.
"""

import hashlib
from collections.abc import Callable

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
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
    day = timezone.localdate().toordinal()
    return f"body:{part}:{summaries.version()}:{get_language()}:{day}:{who}:{digest}"


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


JSON = "application/json; charset=utf-8"


def cached_json(
    request,
    part: str,
    build: Callable[[], bytes | str],
    seconds: int = SECONDS,
    *,
    per_user: bool = True,
) -> HttpResponse:
    """A JSON response whose bytes come from `build()` (already serialised),
    from the cache when the same user asked the same query of the same
    data. Only 200 answers are built here: errors are raised by `build`
    and never cached."""
    key = body_key(request, part, per_user=per_user)
    body = cache.get(key)
    if body is None:
        body = build()
        if isinstance(body, str):
            body = body.encode()
        cache.set(key, body, seconds)
    return HttpResponse(body, content_type=JSON)


# Writes that change no cached body: the trail itself and job progress.
# (Notices do: the header's inbox count is cached on the same version.)
# The per-street tallies are rewritten only beside a write that bumps already.
NOT_SHOWN = {"core.auditentry", "core.job", "disclosure.streettally"}


def _bump(sender, raw=False, **kwargs):
    if raw or not sender.__module__.startswith("gaizao."):
        return  # Django's own (sessions, …) and migrations' historical models
    # (A compound page's history shows the trail, but every entry there is
    # written beside the record it describes, whose save bumps.)
    if sender._meta.label_lower in NOT_SHOWN:
        return
    # Now (this connection's next page is fresh) and again at commit: a page
    # another worker rendered in between, from before the commit, would
    # otherwise be kept under the new version. One commit callback a
    # transaction, however many rows it writes.
    summaries.bump_version()
    conn = transaction.get_connection()
    if conn.in_atomic_block and not any(
        entry[1] is summaries.bump_version for entry in conn.run_on_commit
    ):
        transaction.on_commit(summaries.bump_version)


def connect() -> None:
    post_save.connect(_bump, dispatch_uid="pagecache-save")
    post_delete.connect(_bump, dispatch_uid="pagecache-delete")
