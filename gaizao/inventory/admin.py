from django.contrib import admin

from gaizao.core import audit

from .models import Building, Compound, Condition, Owner, Survey, Unit


class AuditedAdmin(admin.ModelAdmin):
    """Changes made in the admin go into the same audit trail as the pages'."""

    audit_writes_itself = True  # the site-wide mixin (core/admin_site.py) stands aside

    def save_model(self, request, obj, form, change):
        before = {}
        if change and obj.pk:
            old = type(obj).objects.filter(pk=obj.pk).first()
            before = audit.snapshot(old) if old else {}
        super().save_model(request, obj, form, change)
        audit.record(
            actor=request.user,
            instance=obj,
            action="update" if change else "create",
            changes=audit.diff(before, audit.snapshot(obj)),
            source="admin",
        )

    def delete_model(self, request, obj):
        audit.record(
            actor=request.user,
            instance=obj,
            action="delete",
            changes=audit.snapshot(obj),
            source="admin",
        )
        super().delete_model(request, obj)


@admin.register(Compound)
class CompoundAdmin(AuditedAdmin):
    list_display = ["name", "street", "community", "built_year", "floor_area", "households"]
    list_filter = ["street", "management_status"]
    search_fields = ["name", "address"]
    raw_id_fields = [
        "street",
        "community",
        "property_company",
        "property_rights_unit",
        "owners_committee",
    ]


@admin.register(Building)
class BuildingAdmin(AuditedAdmin):
    list_display = ["compound", "number", "floors", "floor_area"]
    search_fields = ["compound__name", "number"]
    raw_id_fields = ["compound"]


@admin.register(Unit)
class UnitAdmin(AuditedAdmin):
    list_display = ["building", "entrance", "number", "exclusive_area", "owner"]
    search_fields = ["building__compound__name", "number"]
    raw_id_fields = ["building", "owner"]


@admin.register(Owner)
class OwnerAdmin(AuditedAdmin):
    list_display = ["name", "compound", "is_developer"]
    search_fields = ["name", "compound__name"]
    raw_id_fields = ["compound"]


class ConditionInline(admin.TabularInline):
    model = Condition
    extra = 0


@admin.register(Survey)
class SurveyAdmin(AuditedAdmin):
    list_display = ["compound", "surveyed_on", "surveyor", "score"]
    raw_id_fields = ["compound", "surveyor"]
    inlines = [ConditionInline]
