"""Who hears of a task: its owners (level 0), the street office above the
task's compound or owner organisation (level 1), the district's leadership
office and housing bureau (level 2) — the same ladder as the works stages
(works/responsibility.py)."""

from django.db.models import Q

from gaizao.accounts.models import Role, User
from gaizao.regions.models import Area

from .models import Task
from .permissions import OFFICE_OF_ROLE

ROLE_OF_OFFICE = {kind: role for role, kind in OFFICE_OF_ROLE.items()}


def owners_of(task: Task) -> list:
    """The owner person, the users of the owner organisation, and — for an
    office whose staff log in by area (street office, community committee,
    leadership office, bureau) — the staff of that area with that role."""
    org = task.owner_org
    q = Q(organisation_id=org.pk)
    if task.owner_person_id:
        q |= Q(pk=task.owner_person_id)
    role = ROLE_OF_OFFICE.get(org.kind)
    if role and org.area_id:
        q |= Q(role=role, area_id=org.area_id)
    return list(User.objects.filter(q, is_active=True).order_by("id"))


def _street_of(task: Task) -> Area | None:
    if task.compound_id:
        return task.compound.street
    area = task.owner_org.area
    while area is not None and area.level not in (Area.Level.STREET, Area.Level.DISTRICT):
        area = area.parent
    return area if area is not None and area.level == Area.Level.STREET else None


def escalation_of(task: Task, level: int) -> list:
    if level == 0:
        return owners_of(task)
    street = _street_of(task)
    if level == 1:
        if street is None:
            return []
        return list(User.objects.filter(role=Role.STREET_OFFICE, area=street, is_active=True))
    district = street.parent if street is not None else task.decision.meeting.area
    while district is not None and district.level not in (Area.Level.DISTRICT,):
        district = district.parent
    if district is None:
        return []
    return list(
        User.objects.filter(
            role__in=[Role.LEADERSHIP, Role.HOUSING_BUREAU], area=district, is_active=True
        )
    )
