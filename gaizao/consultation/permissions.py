"""Who may see and do what in resident participation (STYLE.md habits 4–5).

Visibility of every record comes from the compound chokepoint
(gaizao.inventory.permissions.compound_q): residents see their own unit's
compound, staff their jurisdiction. Invisible → 404, visible but not
allowed → 403."""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from gaizao.accounts.models import Role
from gaizao.accounts.permissions import can
from gaizao.inventory.permissions import compound_q, compounds_for_user
from gaizao.inventory.permissions import resident_compound_id as _resident_compound_id

from .models import Ballot, BallotConflict, Consultation, Vote

R = Role
STAFF_RUNNING = {R.LEADERSHIP, R.HOUSING_BUREAU, R.STREET_OFFICE, R.COMMUNITY}

# Role × action.
RULES: dict[str, set] = {
    # Print household letters with access codes; revoke and re-issue codes.
    "access.issue": STAFF_RUNNING,
    # Open willingness surveys and item menus; see who answered what.
    "consultation.manage": STAFF_RUNNING,
    # Create, open, close (tally) and publish votes; resolve conflicts.
    "vote.manage": STAFF_RUNNING,
    # Enter paper ballots and act for a resident who cannot (代为填写/录入).
    "ballot.enter": STAFF_RUNNING,
    # Answer objections raised in the notice period (公示期异议); after an
    # upheld one, overturn the result or correct ballots and re-tally.
    "objection.reply": STAFF_RUNNING,
    "vote.overturn": STAFF_RUNNING,
    # The owners' committee follows the vote in its compound too.
    "vote.follow": STAFF_RUNNING | {R.OWNERS_COMMITTEE, R.PROPERTY_COMPANY, R.PROPERTY_RIGHTS_UNIT},
    # Residents take part for their own unit.
    "participate": {R.RESIDENT},
}


def can_do(user, action: str) -> bool:
    return can(user, RULES, action)


def resident_compound_id(user) -> int | None:
    """The compound of a resident's unit (None for staff and unbound users)."""
    if not getattr(user, "is_authenticated", False) or user.role != Role.RESIDENT:
        return None
    return _resident_compound_id(user)


def is_resident(user) -> bool:
    return (
        getattr(user, "is_authenticated", False)
        and user.role == Role.RESIDENT
        and user.unit_id is not None
    )


def is_staff_user(user) -> bool:
    return getattr(user, "is_authenticated", False) and (
        user.is_superuser or (bool(user.role) and user.role != Role.RESIDENT)
    )


def votes_for_user(user):
    qs = Vote.objects.filter(compound_q(user, "compound__"))
    if not is_staff_user(user):
        qs = qs.exclude(status=Vote.Status.DRAFT)
    return qs


def get_vote_for_user(user, pk, *, action: str | None = None) -> Vote:
    try:
        vote = votes_for_user(user).select_related("compound__street", "created_by").get(pk=pk)
    except (Vote.DoesNotExist, ValueError, TypeError):
        raise Http404(_("表决不存在或不在您的辖区内"))
    if action and not can_do(user, action):
        raise PermissionDenied(_("您的角色无权执行此操作"))
    return vote


def consultations_for_user(user):
    return Consultation.objects.filter(compound_q(user, "compound__"))


def get_consultation_for_user(user, pk, *, action: str | None = None) -> Consultation:
    try:
        c = consultations_for_user(user).select_related("compound__street").get(pk=pk)
    except (Consultation.DoesNotExist, ValueError, TypeError):
        raise Http404(_("征询不存在或不在您的辖区内"))
    if action and not can_do(user, action):
        raise PermissionDenied(_("您的角色无权执行此操作"))
    return c


# Ballot sheets carry owners' signatures: only the staff who run votes.
BALLOT_ROLES = {R.LEADERSHIP, R.HOUSING_BUREAU, R.STREET_OFFICE, R.COMMUNITY}


def ballot_sheet_visible(user, name: str) -> bool:
    """/media/ballots/…: a scanned paper ballot sheet (registered with
    gaizao.core.media in apps.py)."""
    if not (user.is_superuser or user.role in BALLOT_ROLES):
        return False
    cid = (
        Ballot.objects.filter(sheet_photo=name).values_list("vote__compound_id", flat=True).first()
        or BallotConflict.objects.filter(Q(sheet_photo=name) | Q(evidence=name))
        .values_list("vote__compound_id", flat=True)
        .first()
    )
    return cid is not None and compounds_for_user(user).filter(pk=cid).exists()


def may_witness(user, compound_id) -> bool:
    """A witness to an assisted ballot, or the second person resolving a
    conflict: staff who may enter ballots in the compound's jurisdiction."""
    return (
        user is not None
        and getattr(user, "is_active", False)
        and can_do(user, "ballot.enter")
        and compounds_for_user(user).filter(pk=compound_id).exists()
    )
