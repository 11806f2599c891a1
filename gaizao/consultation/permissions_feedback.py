"""Who may see and do what with feedback and satisfaction evaluations: the
role × action table, the role × state transition table, and the one fetch
per entity (STYLE.md habits 4 and 5). Invisible → Http404; visible but not
allowed → PermissionDenied (403); allowed but not in this state → DomainError.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gaizao.accounts.models import Role
from gaizao.accounts.permissions import NOTHING, can
from gaizao.core.errors import DomainError
from gaizao.inventory.permissions import compound_q, resident_compound_id
from gaizao.regions.scope import area_contains_compound

from .models import Feedback, FeedbackPhoto, FeedbackStatus, SatisfactionEvaluation

R = Role
S = FeedbackStatus
# Staff who act by jurisdiction (the area they administer).
JURISDICTION_STAFF = {R.LEADERSHIP, R.HOUSING_BUREAU, R.STREET_OFFICE, R.COMMUNITY}
STAFF_ROLES = set(Role) - {R.RESIDENT}

# Role × action (visibility itself comes from feedback_for_user).
RULES: dict[str, set] = {
    # A resident reports on their own compound only.
    "feedback.report": {R.RESIDENT},
    # A community worker records feedback for a resident (phone, visit):
    # assisted, and may then record the resident's "is it fixed?" answer.
    "feedback.record_assisted": JURISDICTION_STAFF,
    "feedback.answer_assisted": JURISDICTION_STAFF,
    # Accept and fix: jurisdiction staff for any item of their area …
    "feedback.handle": JURISDICTION_STAFF,
    # … and the organisation the item is routed to, for its own items.
    "feedback.handle_as_responsible": {R.PROPERTY_COMPANY, R.PROPERTY_RIGHTS_UNIT, R.CONTRACTOR},
    "feedback.queue": STAFF_ROLES,
    # Reporter identity (个人信息保护法): whole for jurisdiction staff, masked
    # for organisations; other residents never see it.
    "feedback.reporter_identity": JURISDICTION_STAFF,
    "feedback.assign_party": {R.LEADERSHIP, R.HOUSING_BUREAU, R.STREET_OFFICE},
    "satisfaction.manage": JURISDICTION_STAFF,
    "satisfaction.respond": {R.RESIDENT},
    "satisfaction.results": STAFF_ROLES,
}

# Transition → (states it may start from, state it leads to, who may do it:
# "handler" = the responsible organisation or jurisdiction staff;
# "reporter" = the reporter, or jurisdiction staff for an assisted item).
TRANSITIONS: dict[str, tuple[set[str], str, str]] = {
    "accept": ({S.OPEN, S.REOPENED}, S.ACCEPTED, "handler"),
    "fix": ({S.ACCEPTED}, S.FIXED, "handler"),
    "confirm": ({S.FIXED}, S.CONFIRMED, "reporter"),
    "reopen": ({S.FIXED}, S.REOPENED, "reporter"),
}
ACTION_LABELS = {
    "accept": gettext_lazy("受理"),
    "fix": gettext_lazy("整改完成"),
    "confirm": gettext_lazy("已解决"),
    "reopen": gettext_lazy("没解决"),
}


def can_do(user, action: str) -> bool:
    return can(user, RULES, action)


def is_resident(user) -> bool:
    return getattr(user, "role", "") == R.RESIDENT and not user.is_superuser


def in_jurisdiction(user, compound) -> bool:
    """Area staff: is the compound in their area? (compound.street loaded)."""
    if user.is_superuser:
        return True
    if user.role not in JURISDICTION_STAFF:
        return False
    return area_contains_compound(user.area, compound)


def feedback_q(user) -> Q:
    """Feedback the user may see: their compounds' (by jurisdiction, by
    managing organisation, or a resident's own compound) plus the items
    routed to their organisation (contractors, utilities)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return NOTHING
    if is_resident(user):
        cid = resident_compound_id(user)
        return Q(compound_id=cid) if cid else NOTHING
    q = compound_q(user, "compound__")
    if user.organisation_id and user.role in RULES["feedback.handle_as_responsible"]:
        q |= Q(responsible_org_id=user.organisation_id)
    return q


def feedback_for_user(user):
    return Feedback.objects.filter(feedback_q(user))


def get_feedback_for_user(user, pk) -> Feedback:
    try:
        return (
            feedback_for_user(user)
            .select_related(
                "compound__street",
                "compound__community",
                "responsible_org",
                "reporter",
                "unit__building",
                "recorded_by",
            )
            .get(pk=pk)
        )
    except (Feedback.DoesNotExist, ValueError, TypeError):
        raise Http404(_("反馈不存在或不在您的辖区内"))


def may_handle(user, fb: Feedback) -> bool:
    if user.is_superuser:
        return True
    if can_do(user, "feedback.handle") and in_jurisdiction(user, fb.compound):
        return True
    return (
        can_do(user, "feedback.handle_as_responsible")
        and user.organisation_id is not None
        and user.organisation_id == fb.responsible_org_id
    )


def may_answer(user, fb: Feedback) -> bool:
    if fb.reporter_id is not None and fb.reporter_id == user.pk:
        return True
    return (
        fb.assisted
        and can_do(user, "feedback.answer_assisted")
        and in_jurisdiction(user, fb.compound)
    )


def may_by_role(user, fb: Feedback, action: str) -> bool:
    who = TRANSITIONS[action][2]
    return may_handle(user, fb) if who == "handler" else may_answer(user, fb)


def can_transition(user, fb: Feedback, action: str) -> bool:
    if action not in TRANSITIONS:
        return False
    return fb.status in TRANSITIONS[action][0] and may_by_role(user, fb, action)


def allowed_actions(user, fb: Feedback) -> list[str]:
    return [a for a in TRANSITIONS if can_transition(user, fb, a)]


def authorize_transition(user, fb: Feedback, action: str) -> None:
    """403 if the role may never do this to this item; DomainError if it
    may, but not in the item's current state."""
    if action not in TRANSITIONS:
        raise Http404(_("没有这个操作"))
    if not may_by_role(user, fb, action):
        if TRANSITIONS[action][2] == "handler":
            raise PermissionDenied(_("只有责任单位或辖区工作人员可以办理此反馈"))
        raise PermissionDenied(_("只有反映人本人(或代为登记的工作人员)可以确认是否解决"))
    if fb.status not in TRANSITIONS[action][0]:
        raise DomainError(
            _("此反馈当前状态为“%(status)s”,不能%(action)s")
            % {"status": fb.get_status_display(), "action": ACTION_LABELS[action]},
            code="wrong_state",
        )


def sees_reporter(user, fb: Feedback) -> str:
    """ "full", "masked" or "none": how much of the reporter a user sees."""
    if fb.reporter_id is not None and fb.reporter_id == user.pk:
        return "full"
    if user.is_superuser or can_do(user, "feedback.reporter_identity"):
        return "full"
    if is_resident(user):
        return "none"
    return "masked"


# Satisfaction evaluations ----------------------------------------------------


def evaluations_for_user(user):
    if is_resident(user):
        cid = resident_compound_id(user)
        return (
            SatisfactionEvaluation.objects.filter(compound_id=cid)
            if cid
            else (SatisfactionEvaluation.objects.none())
        )
    return SatisfactionEvaluation.objects.filter(compound_q(user, "compound__"))


def get_evaluation_for_user(user, pk, *, manage: bool = False) -> SatisfactionEvaluation:
    try:
        ev = (
            evaluations_for_user(user)
            .select_related("compound__street", "compound__community")
            .get(pk=pk)
        )
    except (SatisfactionEvaluation.DoesNotExist, ValueError, TypeError):
        raise Http404(_("满意度评价不存在或不在您的辖区内"))
    if manage and not can_do(user, "satisfaction.manage"):
        raise PermissionDenied(_("您的角色无权发起或结束满意度评价"))
    return ev


def feedback_photo_visible(user, name: str) -> bool:
    """/media/feedback/…: a feedback photo is seen by whoever may see the
    feedback (registered with gaizao.core.media in apps.py)."""
    fid = FeedbackPhoto.objects.filter(image=name).values_list("feedback_id", flat=True).first()
    return fid is not None and feedback_for_user(user).filter(pk=fid).exists()
