from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy

from .models import ApiToken, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = BaseUserAdmin.fieldsets + (
        (
            gettext_lazy("角色与辖区"),
            {"fields": ("display_name", "phone", "role", "area", "organisation", "unit")},
        ),
    )
    list_display = ["username", "display_name", "role", "area", "organisation", "is_active"]
    list_filter = ["role", "is_active", "is_superuser"]
    raw_id_fields = ["area", "organisation", "unit"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "name", "prefix", "created_at", "last_used_at", "revoked"]
    readonly_fields = ["key_hash", "prefix"]
