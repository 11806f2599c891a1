"""Who sees and writes the programme's organisation — the one chokepoint.

Writes (leadership group, meetings, links): the leadership office and the
housing bureau (works.permissions RULES "organisation.edit"). Reads: area
staff see the meetings held inside their jurisdiction and every meeting
that gave them a task (streets see their own); a task is
seen by staff whose jurisdiction holds its compound or its owner
organisation, and by the users of the owner organisation. A task is closed
by its owner (person or organisation) or by the leadership office/bureau.
Invisible → 404, not allowed → 403."""

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.utils.translation import gettext as _

from gaizao.accounts.models import AREA_ROLES, Role
from gaizao.accounts.permissions import NOTHING
from gaizao.regions.models import Organisation
from gaizao.regions.scope import compound_area_q

from ..permissions import can_do
from .models import Meeting, Task

K = Organisation.Kind
OFFICE_OF_ROLE = {
    Role.STREET_OFFICE: K.STREET_OFFICE,
    Role.COMMUNITY: K.COMMUNITY_COMMITTEE,
    Role.LEADERSHIP: K.LEADERSHIP_OFFICE,
    Role.HOUSING_BUREAU: K.HOUSING_BUREAU,
}


def _active(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and user.is_active


def task_q(user, path: str = "") -> Q:
    if not _active(user):
        return NOTHING
    if user.is_superuser:
        return Q()
    q = NOTHING
    if user.organisation_id:
        q |= Q(**{f"{path}owner_org_id": user.organisation_id})
    q |= Q(**{f"{path}owner_person_id": user.pk})
    if user.role in AREA_ROLES and user.area_id and user.role != Role.SURVEYOR:
        area = user.area
        q |= Q(**{f"{path}compound__isnull": False}) & compound_area_q(area, f"{path}compound__")
        q |= Q(**{f"{path}owner_org__area__prefix__startswith": area.prefix})
    return q


def meeting_q(user) -> Q:
    if not _active(user):
        return NOTHING
    if user.is_superuser:
        return Q()
    gave_task = Exists(Task.objects.filter(task_q(user), decision__meeting=OuterRef("pk")))
    q = Q(gave_task)
    if user.role in AREA_ROLES and user.area_id and user.role != Role.SURVEYOR:
        q |= Q(area__prefix__startswith=user.area.prefix)
    return q


def meetings_for_user(user):
    return Meeting.objects.filter(meeting_q(user))


def tasks_for_user(user):
    return Task.objects.filter(task_q(user))


def get_meeting_for_user(user, pk) -> Meeting:
    try:
        return meetings_for_user(user).select_related("area", "convened_by").get(pk=pk)
    except (Meeting.DoesNotExist, ValueError, TypeError):
        raise Http404(_("会议不存在或不在您的权限范围内"))


def get_task_for_user(user, pk) -> Task:
    try:
        return (
            tasks_for_user(user)
            .select_related("decision__meeting", "owner_org", "owner_person", "compound")
            .get(pk=pk)
        )
    except (Task.DoesNotExist, ValueError, TypeError):
        raise Http404(_("任务不存在或不在您的权限范围内"))


def may_edit(user) -> bool:
    return can_do(user, "organisation.edit")


def require_edit(user) -> None:
    if not may_edit(user):
        raise PermissionDenied(_("只有领导小组办公室和住建局可以维护组织机构和联席会议"))


def may_close(user, task: Task) -> bool:
    if not _active(user):
        return False
    if user.is_superuser or may_edit(user):
        return True
    if task.owner_person_id == user.pk:
        return True
    if user.organisation_id and task.owner_org_id == user.organisation_id:
        return True
    # Street offices and community committees log in by area, not by
    # organisation: their own office's tasks are theirs to close.
    org = task.owner_org
    return OFFICE_OF_ROLE.get(user.role) == org.kind and org.area_id == user.area_id


def may_close_or_403(user, task: Task) -> None:
    if not may_close(user, task):
        raise PermissionDenied(_("只有任务的责任单位、责任人或领导小组办公室可以办结此任务"))
