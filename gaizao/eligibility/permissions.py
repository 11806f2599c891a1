"""Who may do what with policies and verdicts. Seeing a verdict follows
seeing the compound (gaizao.inventory.permissions)."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gaizao.accounts.models import Role
from gaizao.accounts.permissions import can
from gaizao.inventory.permissions import compounds_for_user
from gaizao.regions.models import Area
from gaizao.regions.scope import areas_within

from .models import Determination, Policy

R = Role
RULES: dict[str, set] = {
    # Adopt or edit a jurisdiction's scope rules: the district offices.
    "policy.manage": {R.LEADERSHIP, R.HOUSING_BUREAU},
    # Re-evaluate the compounds of one's own jurisdiction (storing verdicts).
    "eligibility.evaluate": {R.LEADERSHIP, R.HOUSING_BUREAU, R.STREET_OFFICE},
    # Settle a 待核实 verdict (核实, with reason and evidence): those who evaluate.
    "eligibility.verify": {R.LEADERSHIP, R.HOUSING_BUREAU, R.STREET_OFFICE},
    # Decide a compound's scope whatever the rules say: the leadership office
    # only (盘龙区老旧小区改造工作领导小组, seed; issue 8 item 4).
    "eligibility.override": {R.LEADERSHIP},
    # See the reserve and the verdicts: every staff role that sees compounds.
    "eligibility.view": {
        R.LEADERSHIP,
        R.HOUSING_BUREAU,
        R.STREET_OFFICE,
        R.COMMUNITY,
        R.SURVEYOR,
        R.OWNERS_COMMITTEE,
        R.PROPERTY_COMPANY,
        R.PROPERTY_RIGHTS_UNIT,
    },
    # A resident sees the verdict on their own compound, read-only, under its
    # default policy (the compound itself is scoped by inventory.permissions).
    "eligibility.view_own": {R.RESIDENT},
}


def can_do(user, action: str) -> bool:
    return can(user, RULES, action)


def require(user, action: str, message: str = gettext_lazy("您的角色无权执行此操作")) -> None:
    if not can_do(user, action):
        raise PermissionDenied(message)


def area_within_user(user, area) -> bool:
    """May `user` act on `area`? Superusers anywhere; others inside their area."""
    if user.is_superuser:
        return True
    if area is None or user.area_id is None:
        return False
    return user.area.contains(area)


def policy_editable(user, policy: Policy) -> bool:
    if not can_do(user, "policy.manage"):
        return False
    if user.is_superuser:
        return True
    if policy.is_builtin or policy.area_id is None:
        return False  # built-in and nationwide policies: save a new version of your own
    return area_within_user(user, policy.area)


def get_policy_for_user(user, pk, *, write: bool = False) -> Policy:
    try:
        policy = Policy.objects.select_related("area").get(pk=pk)
    except (Policy.DoesNotExist, ValueError, TypeError):
        raise Http404(_("政策不存在"))
    if write and not policy_editable(user, policy):
        raise PermissionDenied(_("您无权修改此政策(内置或其他辖区的政策请另存为本辖区的新版本)"))
    return policy


def policy_areas_for(user):
    """Areas a user may attach a policy to: their own area and everything below."""
    if user.is_superuser:
        return Area.objects.exclude(level=Area.Level.COMMUNITY).order_by("code")
    if user.area_id is None:
        return Area.objects.none()
    return areas_within(user.area).exclude(level=Area.Level.COMMUNITY).order_by("code")


def evidence_visible(user, name: str) -> bool:
    """/media/eligibility/…: the evidence of a 核实 or decision is seen by
    staff who may see verdicts and the compound (registered in apps.py)."""
    if not can_do(user, "eligibility.view"):
        return False
    cid = Determination.objects.filter(evidence=name).values_list("compound_id", flat=True).first()
    return cid is not None and compounds_for_user(user).filter(pk=cid).exists()
