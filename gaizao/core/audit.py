"""The audit trail: every service that changes an inventory record calls
`record()` inside its transaction."""

from datetime import date, datetime
from decimal import Decimal

from django.db import models

from .models import AuditEntry


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
        out[f.attname] = _plain(getattr(instance, f.attname))
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
