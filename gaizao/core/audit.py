"""The audit trail: every service that changes an inventory record calls
`record()` inside its transaction."""

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
