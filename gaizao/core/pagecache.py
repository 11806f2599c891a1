"""Rendered page bodies cached per user, query and data version (issue 14:
lists as fast as the machine allows).

A list page's body (its filters, cards and page of rows) depends only on who
looks, the query string, the language and the data. `cached_body` keys the
rendered body on each: the user's id, role, area and organisation; the sorted
query string; the language; and `gaizao.core.summaries.version()`, which every
write to the records behind these lists bumps (compounds, surveys and every
record the kept per-compound summary watches: verdicts, plans, votes, works,
milestones, handovers, feedback, satisfaction answers). The page frame around
the body (the user's menu, messages and CSRF token) is rendered on every
request and never cached; a cached body must therefore hold no form that
posts (no CSRF token).

With a shared cache (Redis) every worker sees a bump at once; with the
per-process memory cache, another worker's copy lives at most `seconds`.
"""

import hashlib
from collections.abc import Callable

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from . import summaries

SECONDS = 60


def body_key(request, part: str) -> str:
    u = request.user
    who = f"{u.pk}.{getattr(u, 'role', '')}.{getattr(u, 'area_id', '')}."
    who += f"{getattr(u, 'organisation_id', '')}.{int(u.is_superuser)}"
    query = "&".join(f"{k}={v}" for k, v in sorted(request.GET.lists()))
    digest = hashlib.sha256(query.encode()).hexdigest()[:24]
    return f"body:{part}:{summaries.version()}:{get_language()}:{who}:{digest}"


def cached_body(
    request, part: str, build: Callable[[], tuple[str, dict]], seconds: int = SECONDS
) -> SafeString:
    """The body rendered by `build() → (template, context)`, from the cache
    when the same user asked the same query of the same data."""
    key = body_key(request, part)
    html = cache.get(key)
    if html is None:
        template, ctx = build()
        html = render_to_string(template, ctx, request=request)
        cache.set(key, html, seconds)
    return mark_safe(html)  # noqa: S308 (rendered by our own templates)
