from django.contrib import admin

from .models import Building, Compound, Condition, Owner, Survey, Unit


@admin.register(Compound)
class CompoundAdmin(admin.ModelAdmin):
    list_display = ["name", "street", "community", "built_year", "floor_area", "households"]
    list_filter = ["street", "management_status"]
    search_fields = ["name", "address"]
    raw_id_fields = ["street", "community", "property_company", "property_rights_unit", "owners_committee"]


@admin.register(Building)
class BuildingAdmin(admin.ModelAdmin):
    list_display = ["compound", "number", "floors", "floor_area"]
    search_fields = ["compound__name", "number"]
    raw_id_fields = ["compound"]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["building", "entrance", "number", "exclusive_area", "owner"]
    search_fields = ["building__compound__name", "number"]
    raw_id_fields = ["building", "owner"]


@admin.register(Owner)
class OwnerAdmin(admin.ModelAdmin):
    list_display = ["name", "compound", "is_developer"]
    search_fields = ["name", "compound__name"]
    raw_id_fields = ["compound"]


class ConditionInline(admin.TabularInline):
    model = Condition
    extra = 0


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ["compound", "surveyed_on", "surveyor", "score"]
    raw_id_fields = ["compound", "surveyor"]
    inlines = [ConditionInline]
