"""System checks of our own settings (`manage.py check --deploy`)."""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def shared_cache(app_configs, **kwargs):
    """The rate limiter (core.throttle) counts in the cache: a per-process
    cache lets each worker grant its own quota of guesses."""
    backend = settings.CACHES["default"]["BACKEND"]
    if backend.endswith(("LocMemCache", "DummyCache")):
        return [
            checks.Warning(
                "The rate limiter's cache is not shared between workers.",
                hint="Set GAIZAO_CACHE_URL=redis://127.0.0.1:6379/1 (docs/security.md).",
                id="gaizao.W001",
            )
        ]
    return []
