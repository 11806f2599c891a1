from django.contrib import admin

from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "source", "action", "model", "object_repr"]
    list_filter = ["action", "source", "model"]
    search_fields = ["object_repr", "object_pk"]
    readonly_fields = [f.name for f in AuditEntry._meta.fields]
