"""Writes for feedback and satisfaction evaluations (STYLE.md habit 2):
validated, inside transaction.atomic(), every one recorded in the shared
audit trail (gaizao.core.audit); feedback transitions also add a line to
the item's resident-visible timeline (FeedbackEvent).

routing.py: who answers for an item and by when; feedback.py: reports,
transitions, photos, auto-confirmation, responsible parties;
satisfaction.py: evaluations and responses."""

from .feedback import (
    MAX_PHOTO_BYTES,
    MAX_PHOTOS,
    MAX_TEXT,
    check_photos,
    feedback_add_photos,
    feedback_auto_confirm,
    feedback_create,
    feedback_transition,
    responsible_party_set,
)
from .routing import (
    CONSTRUCTION,
    MANAGEMENT,
    OPEN_STATES,
    SLA_DAYS,
    UTILITIES,
    auto_confirm_days,
    community_organisation,
    due_date,
    route,
)
from .satisfaction import (
    ASPECT_FIELDS,
    ASPECT_LABELS,
    clean_ratings,
    renovation_done,
    satisfaction_close,
    satisfaction_open,
    satisfaction_submit,
)

__all__ = [
    "ASPECT_FIELDS",
    "ASPECT_LABELS",
    "CONSTRUCTION",
    "MANAGEMENT",
    "MAX_PHOTOS",
    "MAX_PHOTO_BYTES",
    "MAX_TEXT",
    "OPEN_STATES",
    "SLA_DAYS",
    "UTILITIES",
    "auto_confirm_days",
    "check_photos",
    "clean_ratings",
    "community_organisation",
    "due_date",
    "feedback_add_photos",
    "feedback_auto_confirm",
    "feedback_create",
    "feedback_transition",
    "renovation_done",
    "responsible_party_set",
    "route",
    "satisfaction_close",
    "satisfaction_open",
    "satisfaction_submit",
]
