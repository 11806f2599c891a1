"""Who may see and do what with inventory records: the one chokepoint per
entity (STYLE.md habit 4). Invisible → Http404, visible but not allowed → 403
(PermissionDenied). Every page, htmx fragment, API endpoint and command uses
these functions."""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from gaizao.accounts.models import AREA_ROLES, ORGANISATION_ROLES, Role
from gaizao.accounts.permissions import NOTHING, can
from gaizao.regions.scope import compound_area_q

from .models import Building, Compound, ConditionPhoto, Survey, Unit

R = Role
# Role × action (STYLE.md habit 5). Visibility itself comes from compound_q.
RULES: dict[str, set] = {
    "compound.edit": {R.LEADERSHIP, R.HOUSING_BUREAU, R.STREET_OFFICE, R.COMMUNITY},
    "compound.import": {R.LEADERSHIP, R.HOUSING_BUREAU, R.STREET_OFFICE},
    "survey.record": {R.LEADERSHIP, R.HOUSING_BUREAU, R.STREET_OFFICE, R.COMMUNITY, R.SURVEYOR},
    # Owner names, phones and ID numbers (个人信息保护法): only the roles that
    # work with owners directly — the community that runs votes and the
    # owners' committee — see them whole; everybody else sees them masked.
    "owner.personal_data": {R.COMMUNITY, R.OWNERS_COMMITTEE},
    # The owners' register at all (masked or not): the staff and bodies that
    # work on the compound; not a resident browsing the neighbours.
    "owner.list": {
        R.LEADERSHIP,
        R.HOUSING_BUREAU,
        R.STREET_OFFICE,
        R.COMMUNITY,
        R.SURVEYOR,
        R.OWNERS_COMMITTEE,
        R.PROPERTY_COMPANY,
        R.PROPERTY_RIGHTS_UNIT,
    },
}


def compound_q(user, path: str = "") -> Q:
    """Q over the model reached by `path` (e.g. "building__compound__") that
    keeps the compounds `user` may see. Anonymous or role-less users: nothing."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return NOTHING
    if user.is_superuser:
        return Q()
    role = user.role
    if role in AREA_ROLES:
        area = user.area
        if area is None:
            return NOTHING
        return compound_area_q(area, path)
    if role in ORGANISATION_ROLES:
        if user.organisation_id is None:
            return NOTHING
        oid = user.organisation_id
        if role in (Role.CONTRACTOR, Role.DESIGNER):
            # Contractors and designers see only the works they are contracted
            # for; the works app (not yet built) will add that link here.
            return NOTHING
        return (
            Q(**{f"{path}owners_committee_id": oid})
            | Q(**{f"{path}property_company_id": oid})
            | Q(**{f"{path}property_rights_unit_id": oid})
        )
    if role == Role.RESIDENT:
        if user.unit_id is None:
            return NOTHING
        return Q(**{f"{path}id": resident_compound_id(user)})
    return NOTHING


def resident_compound_id(user) -> int | None:
    """The compound of a resident's unit, cached on the user object."""
    cached = getattr(user, "_gaizao_compound_id", None)
    if cached is None and user.unit_id:
        cached = (
            Unit.objects.filter(pk=user.unit_id)
            .values_list("building__compound_id", flat=True)
            .first()
        )
        user._gaizao_compound_id = cached
    return cached


def can_do(user, action: str) -> bool:
    return can(user, RULES, action)


def compounds_for_user(user):
    return Compound.objects.filter(compound_q(user))


def get_compound_for_user(
    user, pk, *, write: bool = False, action: str = "compound.edit", related: bool = True
):
    """The compound, if the user may see it (404) and, write=True, do
    `action` to it (403). related=False reads the compound's own row only
    (a page whose body is cached needs no more to check access)."""
    qs = compounds_for_user(user)
    if related:
        qs = qs.select_related(
            "street", "community", "property_company", "property_rights_unit", "owners_committee"
        )
    try:
        compound = qs.get(pk=pk)
    except (Compound.DoesNotExist, ValueError, TypeError):
        raise Http404(_("小区不存在或不在您的辖区内"))
    if write and not can_do(user, action):
        raise PermissionDenied(_("您的角色无权修改此小区"))
    return compound


def buildings_for_user(user):
    return Building.objects.filter(compound_q(user, "compound__"))


def get_building_for_user(user, pk, *, write: bool = False):
    try:
        b = buildings_for_user(user).select_related("compound").get(pk=pk)
    except (Building.DoesNotExist, ValueError, TypeError):
        raise Http404(_("楼栋不存在或不在您的辖区内"))
    if write and not can_do(user, "compound.edit"):
        raise PermissionDenied(_("您的角色无权修改此楼栋"))
    return b


def units_for_user(user):
    return Unit.objects.filter(compound_q(user, "building__compound__"))


def get_unit_for_user(user, pk, *, write: bool = False):
    try:
        u = units_for_user(user).select_related("building__compound", "owner").get(pk=pk)
    except (Unit.DoesNotExist, ValueError, TypeError):
        raise Http404(_("房屋不存在或不在您的辖区内"))
    if write and not can_do(user, "compound.edit"):
        raise PermissionDenied(_("您的角色无权修改此房屋"))
    return u


def surveys_for_user(user):
    return Survey.objects.filter(compound_q(user, "compound__"))


def get_survey_for_user(user, pk, *, write: bool = False):
    try:
        s = surveys_for_user(user).select_related("compound", "surveyor").get(pk=pk)
    except (Survey.DoesNotExist, ValueError, TypeError):
        raise Http404(_("调查记录不存在或不在您的辖区内"))
    if write and not can_do(user, "survey.record"):
        raise PermissionDenied(_("您的角色无权填写摸底调查"))
    return s


def sees_personal_data(user, compound=None) -> bool:
    return can_do(user, "owner.personal_data")


def survey_photo_visible(user, name: str) -> bool:
    """/media/surveys/…: a condition-survey photo is seen by whoever may see
    its compound (registered with gaizao.core.media in apps.py)."""
    cid = (
        ConditionPhoto.objects.filter(image=name)
        .values_list("condition__survey__compound_id", flat=True)
        .first()
    )
    return cid is not None and compounds_for_user(user).filter(pk=cid).exists()
