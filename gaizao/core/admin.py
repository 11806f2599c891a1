from django.contrib import admin

from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "source", "action", "model", "object_repr"]
    list_filter = ["action", "source", "model"]
    search_fields = ["object_repr", "object_pk"]
    readonly_fields = [f.name for f in AuditEntry._meta.fields]

    # Append-only (issue 9 #6): the admin reads the trail, never edits it.
    actions = None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
