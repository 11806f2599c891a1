"""Who may record a management arrangement (长效管理安排)."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from gaizao.accounts.models import Role
from gaizao.accounts.permissions import can
from gaizao.inventory.permissions import compound_q

from .models import ManagementArrangement

R = Role
RULES: dict[str, set] = {
    "arrangement.edit": {R.LEADERSHIP, R.HOUSING_BUREAU, R.STREET_OFFICE, R.COMMUNITY},
    # After the handover (长效管理): the fund is kept by the community with
    # the owners' committee; repairs are logged by whoever manages; the
    # quarterly rating is the street's and the district's.
    "fund.record": {
        R.LEADERSHIP,
        R.HOUSING_BUREAU,
        R.STREET_OFFICE,
        R.COMMUNITY,
        R.OWNERS_COMMITTEE,
    },
    "order.create": {
        R.LEADERSHIP,
        R.HOUSING_BUREAU,
        R.STREET_OFFICE,
        R.COMMUNITY,
        R.OWNERS_COMMITTEE,
        R.PROPERTY_COMPANY,
        R.PROPERTY_RIGHTS_UNIT,
    },
    "rating.record": {R.LEADERSHIP, R.HOUSING_BUREAU, R.STREET_OFFICE},
}


def can_do(user, action: str) -> bool:
    return can(user, RULES, action)


def require_edit(user) -> None:
    if not can_do(user, "arrangement.edit"):
        raise PermissionDenied(_("您的角色无权登记长效管理安排"))


def arrangements_for_user(user):
    return ManagementArrangement.objects.filter(compound_q(user, "compound__"))


def get_arrangement_for_user(user, pk) -> ManagementArrangement:
    try:
        return arrangements_for_user(user).select_related("compound", "manager").get(pk=pk)
    except (ManagementArrangement.DoesNotExist, ValueError, TypeError):
        raise Http404(_("管理安排不存在或不在您的辖区内"))
