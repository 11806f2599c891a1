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

from .masking import mask_id_number, mask_name, mask_phone
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


# Relations through which a record reaches its compound.
_COMPOUND_PATHS = (
    "building",
    "unit",
    "vote",
    "plan",
    "feedback",
    "works",
    "consultation",
    "survey",
)


def compound_of(instance, depth: int = 0) -> int | None:
    """The id of the compound a record belongs to, if any."""
    if instance is None or depth > 3:
        return None
    if instance._meta.label_lower == "inventory.compound":
        return instance.pk
    cid = getattr(instance, "compound_id", None)
    if cid:
        return cid
    for rel in _COMPOUND_PATHS:
        if getattr(instance, f"{rel}_id", None):
            return compound_of(getattr(instance, rel), depth + 1)
    return None


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
        compound_id=compound_of(instance),
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


# Personal fields (个人信息保护法), masked for readers whose role sees them
# masked elsewhere (issue 9 #5): by field name in any model, plus the name
# fields of the models that are people.
_MASK_BY_FIELD = {
    "phone": mask_phone,
    "reporter_phone": mask_phone,
    "id_number": mask_id_number,
    "reporter_name": mask_name,
    "owner_name": mask_name,
}
_PEOPLE = {
    "inventory.owner": {"name": mask_name},
    "accounts.user": {
        "display_name": mask_name,
        "first_name": mask_name,
        "last_name": mask_name,
        "email": mask_phone,
    },
}


def _masker(model: str, key: str):
    return _MASK_BY_FIELD.get(key) or _PEOPLE.get(model, {}).get(key)


def masked_repr(entry: AuditEntry, mask: bool) -> str:
    if mask and entry.model in _PEOPLE:
        return mask_name(entry.object_repr)
    return entry.object_repr


def _fk_fields(label: str) -> dict:
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        return {}
    return {f.attname: f for f in model._meta.fields if f.is_relation and f.many_to_one}


def resolve_names(entries) -> dict:
    """{(related model label, pk): name} for the foreign keys named in these
    entries' changes: one query per related model, so the page shows
    社区: 天祥社区 → 映象社区 rather than 社区: 5 → 7."""
    wanted: dict = {}
    for e in entries:
        fks = _fk_fields(e.model)
        for key, value in (e.changes or {}).items():
            f = fks.get(key) or fks.get(f"{key}_id")
            if f is None or not isinstance(value, list):
                continue
            for v in value:
                if isinstance(v, int | str) and str(v).isdigit():
                    wanted.setdefault(f.related_model, set()).add(int(v))
    out = {}
    for model, ids in wanted.items():
        label = model._meta.label_lower
        for obj in model._default_manager.filter(pk__in=ids):
            out[(label, obj.pk)] = str(obj)
    return out


def describe(entry: AuditEntry, *, mask: bool = False, names: dict | None = None):
    """The changes as (field label, "old → new") in the user's language,
    for people reading the trail rather than programs. `mask`: personal
    fields masked; `names`: from resolve_names(), ids shown as names."""
    try:
        fields = {f.attname: str(f.verbose_name) for f in apps.get_model(entry.model)._meta.fields}
    except (LookupError, ValueError):
        fields = {}
    fks = _fk_fields(entry.model) if names is not None else {}
    out = []
    for key, value in (entry.changes or {}).items():
        label = fields.get(key) or fields.get(f"{key}_id") or key
        masker = _masker(entry.model, key) if mask else None
        fk = fks.get(key) or fks.get(f"{key}_id")

        def show(v, masker=masker, fk=fk):
            if v in (None, ""):
                return "—"
            if fk is not None and str(v).isdigit():
                v = names.get((fk.related_model._meta.label_lower, int(v)), v)
            return masker(str(v)) if masker else str(v)

        if isinstance(value, list) and len(value) == 2:
            out.append((label, f"{show(value[0])} → {show(value[1])}"))
        else:
            out.append((label, show(value)))
    return out
