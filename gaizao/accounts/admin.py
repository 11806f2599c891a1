from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy

from . import services
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

    def user_change_password(self, request, id, form_url=""):
        """The admin's "change password" form saves the user itself, past
        save_model and so past the audited admin (core.admin_site): record
        it here, and end the user's other sessions and tokens as a change on
        the password page does (issue 9 #6, #10)."""
        before = User.objects.filter(pk=unquote(id)).values_list("password", flat=True).first()
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and before is not None:
            user = User.objects.filter(pk=unquote(id)).first()
            if user is not None and user.password != before:
                own = user.pk == request.user.pk
                services.password_changed(
                    user=user,
                    keep_session=request.session.session_key if own else None,
                    source="admin",
                    actor=request.user,
                )
        return response


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "name", "prefix", "created_at", "last_used_at", "revoked"]
    readonly_fields = ["key_hash", "prefix"]
