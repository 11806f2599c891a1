"""Read replica routing (issue 14, item 4; docs/scale.md).

With `DATABASE_REPLICA_URL` set, settings add a second alias, "replica", a
PostgreSQL streaming standby of the primary. Read-only pages named in
`GAIZAO_REPLICA_VIEWS` (the dashboard, the public portal, reports, the big
lists) read from it; everything else, every write, and every page of a user
who has just written, uses the primary:

* a request that is not GET/HEAD pins its browser to the primary for
  `GAIZAO_REPLICA_PIN_SECONDS` (cookie `gz_primary`), so the writer's next
  page shows what they wrote even when the standby lags behind;
* inside a transaction on the primary, reads stay on the primary (a read
  that decides a write must see the same snapshot);
* outside a request (commands, the worker, tests) nothing reads from the
  replica.

Without the replica alias the router answers "default" for everything and
the middleware does nothing. Django's own router interface is the mechanism;
the choice of which pages may lag is ours (the domain's), so it is a setting.
"""

import contextvars
import fnmatch
import time

from django.conf import settings
from django.db import connections

REPLICA = "replica"
PIN_COOKIE = "gz_primary"
SAFE_METHODS = ("GET", "HEAD")

_read_alias: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "gaizao_read_alias", default=None
)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def view_may_lag(url_name: str | None, patterns=None) -> bool:
    """Whether the view "namespace:name" is one that may read from the replica."""
    if not url_name:
        return False
    patterns = settings.GAIZAO_REPLICA_VIEWS if patterns is None else patterns
    return any(fnmatch.fnmatchcase(url_name, p) for p in patterns)


def read_alias_for(*, method: str, url_name: str | None, pinned: bool, configured: bool) -> str:
    """The alias a request reads from (pure: the middleware's whole decision)."""
    if configured and method in SAFE_METHODS and not pinned and view_may_lag(url_name):
        return REPLICA
    return "default"


def current_read_alias() -> str | None:
    return _read_alias.get()


class ReplicaRouter:
    """Django database router: writes to the primary, reads where the
    request's decision says (the primary unless the middleware chose the
    replica for this request)."""

    def db_for_read(self, model, **hints):
        if _read_alias.get() == REPLICA and not connections["default"].in_atomic_block:
            return REPLICA
        return "default"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        # One physical database behind both aliases.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # The standby replays the primary's schema; nothing migrates on it.
        return db == "default"


class ReplicaMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.configured = replica_configured()

    def __call__(self, request):
        if not self.configured:
            return self.get_response(request)
        token = _read_alias.set(None)
        try:
            response = self.get_response(request)
        finally:
            _read_alias.reset(token)
        if request.method not in SAFE_METHODS:
            seconds = settings.GAIZAO_REPLICA_PIN_SECONDS
            response.set_cookie(
                PIN_COOKIE,
                str(int(time.time()) + seconds),
                max_age=seconds,
                httponly=True,
                samesite="Lax",
                secure=request.is_secure(),
            )
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not self.configured:
            return None
        match = request.resolver_match
        pinned = _pinned(request.COOKIES.get(PIN_COOKIE))
        _read_alias.set(
            read_alias_for(
                method=request.method,
                url_name=match.view_name if match else None,
                pinned=pinned,
                configured=True,
            )
        )
        return None


def _pinned(value: str | None) -> bool:
    try:
        return value is not None and int(value) > time.time()
    except ValueError:
        return False
