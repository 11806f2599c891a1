"""The admin site, audited (issue 9 #6: admin edits of votes, ballots and
users left no entry; Django's LogEntry is not the audit trail).

`AuditedAdminSite.register` mixes `AuditedAdminMixin` into every ModelAdmin
registered on the default site, so each save, delete and bulk delete in
/admin/ writes an AuditEntry with the channel "admin" and old → new values.
It is the default site through `gaizao.core.admin_apps.AuditedAdminConfig`
in INSTALLED_APPS.
"""

from django.contrib import admin

from . import audit


def _created(after: dict) -> dict:
    return {k: [None, v] for k, v in after.items() if v not in (None, "")}


def _deleted(before: dict) -> dict:
    return {k: [v, None] for k, v in before.items() if v not in (None, "")}


class AuditedAdminMixin:
    # A ModelAdmin that records its own saves and deletes sets
    # `audit_writes_itself = True` (not defined here: this mixin comes
    # first in the MRO and would hide it).

    def save_model(self, request, obj, form, change):
        if getattr(self, "audit_writes_itself", False):
            return super().save_model(request, obj, form, change)
        old = type(obj)._default_manager.filter(pk=obj.pk).first() if change else None
        before = audit.snapshot(old) if old is not None else {}
        with audit.channel("admin"):
            super().save_model(request, obj, form, change)
            after = audit.snapshot(obj)
            audit.record(
                actor=request.user,
                instance=obj,
                action="update" if change else "create",
                changes=audit.diff(before, after) if change else _created(after),
                source="admin",
            )

    def delete_model(self, request, obj):
        if getattr(self, "audit_writes_itself", False):
            return super().delete_model(request, obj)
        with audit.channel("admin"):
            audit.record(
                actor=request.user,
                instance=obj,
                action="delete",
                changes=_deleted(audit.snapshot(obj)),
                source="admin",
            )
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with audit.channel("admin"):
            for obj in queryset:
                audit.record(
                    actor=request.user,
                    instance=obj,
                    action="delete",
                    changes=_deleted(audit.snapshot(obj)),
                    source="admin",
                )
            super().delete_queryset(request, queryset)


class AuditedAdminSite(admin.AdminSite):
    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, AuditedAdminMixin):
            admin_class = type(
                admin_class.__name__,
                (AuditedAdminMixin, admin_class),
                {"__module__": admin_class.__module__},
            )
        super().register(model_or_iterable, admin_class, **options)
