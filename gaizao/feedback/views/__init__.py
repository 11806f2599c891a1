"""Feedback and satisfaction pages (feedback.py, satisfaction.py). Thin
(STYLE.md habit 6): authorise through permissions.py, validate with a form,
call the service, render. htmx requests get the partial the full page
includes."""

from .feedback import (
    feedback_act,
    feedback_detail,
    feedback_export,
    feedback_list,
    feedback_new,
    feedback_parties,
    feedback_queue,
)
from .satisfaction import (
    satisfaction_close,
    satisfaction_detail,
    satisfaction_export,
    satisfaction_list,
    satisfaction_rate,
)

__all__ = [
    "feedback_act",
    "feedback_detail",
    "feedback_export",
    "feedback_list",
    "feedback_new",
    "feedback_parties",
    "feedback_queue",
    "satisfaction_close",
    "satisfaction_detail",
    "satisfaction_export",
    "satisfaction_list",
    "satisfaction_rate",
]
