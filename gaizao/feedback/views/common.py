"""Helpers shared by the feedback and satisfaction pages."""

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import permissions as perms
from .. import selectors as sel


def _base(request) -> str:
    """Residents' pages sit in the phone-first portal layout; staff pages in
    the ordinary one. Both frames provide the block "page"."""
    if perms.has_resident_role(request.user):
        return "feedback/feedback_frame_portal.html"
    return "feedback/feedback_frame_staff.html"


def _require_staff(user):
    if perms.has_resident_role(user) or not perms.can_do(user, "feedback.queue"):
        raise PermissionDenied(_("此页面供工作人员使用"))


def _decorate(user, items):
    today = timezone.localdate()
    for fb in items:
        fb.overdue = sel.is_overdue(fb, today)
        fb.who = sel.reporter_label(user, fb)
    return items
