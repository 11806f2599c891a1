from django.contrib import admin

from .models import (
    AccessCode,
    Ballot,
    BallotConflict,
    Consultation,
    ConsultationResponse,
    Objection,
    Vote,
)


@admin.register(AccessCode)
class AccessCodeAdmin(admin.ModelAdmin):
    list_display = ["unit", "created_at", "used_at", "revoked_at"]
    readonly_fields = ["code_hash"]
    raw_id_fields = ["unit", "issued_by", "used_by"]


@admin.register(Consultation)
class ConsultationAdmin(admin.ModelAdmin):
    list_display = ["title", "compound", "opens_at", "closes_at", "with_menu"]
    raw_id_fields = ["compound", "created_by"]


@admin.register(ConsultationResponse)
class ConsultationResponseAdmin(admin.ModelAdmin):
    list_display = ["consultation", "unit", "willingness", "assisted_by", "updated_at"]
    raw_id_fields = ["consultation", "unit", "entered_by", "assisted_by"]


@admin.register(Vote)
class VoteAdmin(admin.ModelAdmin):
    list_display = ["title", "compound", "matter", "law", "status", "passed", "overturned"]
    list_filter = ["status", "law", "matter"]
    raw_id_fields = ["compound", "created_by"]
    readonly_fields = ["law", "result"]


@admin.register(Ballot)
class BallotAdmin(admin.ModelAdmin):
    list_display = ["vote", "unit", "choice", "channel", "cast_at"]
    list_filter = ["channel", "choice"]
    raw_id_fields = ["vote", "unit", "entered_by", "assisted_by"]


@admin.register(BallotConflict)
class BallotConflictAdmin(admin.ModelAdmin):
    list_display = ["vote", "unit", "attempted_choice", "channel", "attempted_at", "resolution"]
    raw_id_fields = ["vote", "unit", "attempted_by", "resolved_by"]


@admin.register(Objection)
class ObjectionAdmin(admin.ModelAdmin):
    list_display = ["vote", "raised_at", "text"]
    raw_id_fields = ["vote", "raised_by"]
