"""The audit trail: every service that changes a record calls `record()`
inside its transaction.

The channel (web, api, import, admin, cli) comes from the caller, or from
the request: `channel()` is set for the duration of an API request
(ApiChannelMiddleware), of an admin save (core.admin_site) and of a command
(gaizao.cli), so a service called there records "api", "admin" or "cli"
even though its own default says "web" (issue 9 #6: API writes were
labelled as web)."""

import contextlib
import contextvars
import os
from datetime import date, datetime
from decimal import Decimal

from django.apps import apps
from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import AuditEntry

SOURCE_LABELS = {
    "web": _("网页"),
    "api": _("接口"),
    "cli": _("命令行"),
    "import": _("表格导入"),
    "admin": _("后台"),
    "demo": _("演示数据"),
    "bench": _("性能测试"),
}


_channel: contextvars.ContextVar[str | None] = contextvars.ContextVar("audit_channel", default=None)

# Never copied into the trail, even hashed.
SECRET_FIELDS = {"password", "key_hash", "code_hash", "password_mark"}


@contextlib.contextmanager
def channel(name: str):
    """Record writes made inside as coming through `name`."""
    token = _channel.set(name)
    try:
        yield
    finally:
        _channel.reset(token)


def current_channel(default: str = "web") -> str:
    # GAIZAO_AUDIT_CHANNEL: set by the `gaizao` command for everything but the server.
    return _channel.get() or os.environ.get("GAIZAO_AUDIT_CHANNEL") or default


def _plain(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    return value


def snapshot(instance: models.Model, fields: list[str] | None = None) -> dict:
    """The concrete field values of an instance, JSON-ready, for diffing."""
    out = {}
    for f in instance._meta.concrete_fields:
        if fields is not None and f.name not in fields:
            continue
        value = getattr(instance, f.attname)
        out[f.attname] = "***" if f.attname in SECRET_FIELDS and value else _plain(value)
    return out


def diff(before: dict, after: dict) -> dict:
    skip = {"updated_at", "created_at"}
    return {
        k: [before.get(k), after.get(k)]
        for k in after
        if k not in skip and before.get(k) != after.get(k)
    }


def record(
    *, actor, instance: models.Model, action: str, changes: dict | None = None, source: str = "web"
) -> AuditEntry:
    # A service's default "web" yields to the channel the request runs in.
    if source == "web":
        source = current_channel()
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        source=source,
        action=action,
        model=instance._meta.label_lower,
        object_pk=str(instance.pk),
        object_repr=str(instance)[:200],
        changes=changes or {},
    )


def history(instance: models.Model):
    return AuditEntry.objects.filter(
        model=instance._meta.label_lower, object_pk=str(instance.pk)
    ).select_related("actor")


def model_label(label: str) -> str:
    try:
        return str(apps.get_model(label)._meta.verbose_name)
    except (LookupError, ValueError):
        return label


def describe(entry: AuditEntry) -> list[tuple[str, str]]:
    """The changes as (field label, "old → new") in the user's language,
    for people reading the trail rather than programs."""
    try:
        fields = {f.attname: str(f.verbose_name) for f in apps.get_model(entry.model)._meta.fields}
    except (LookupError, ValueError):
        fields = {}
    out = []
    for key, value in (entry.changes or {}).items():
        label = fields.get(key) or fields.get(f"{key}_id") or key
        if isinstance(value, list) and len(value) == 2:
            old, new = ("—" if v in (None, "") else str(v) for v in value)
            out.append((label, f"{old} → {new}"))
        else:
            out.append((label, "—" if value in (None, "") else str(value)))
    return out
