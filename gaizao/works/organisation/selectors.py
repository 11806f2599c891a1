"""Reads for the programme's organisation, scoped by organisation.permissions."""

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from gaizao.accounts import picking as person_picking
from gaizao.accounts.models import AREA_ROLES
from gaizao.inventory.models import Compound
from gaizao.regions import picking as org_picking
from gaizao.regions.models import Area, Organisation
from gaizao.regions.scope import areas_within

from .models import GROUP_ROLE_ORDER, CompoundLink, Decision, LeadershipGroup, Task
from .permissions import meetings_for_user, tasks_for_user

K = Organisation.Kind
# The departments and bodies that sit on or answer to the leadership group.
DEPARTMENT_KINDS = [K.LEADERSHIP_OFFICE, K.HOUSING_BUREAU, K.CIVIL_AFFAIRS, K.UTILITY]


def district_of(user):
    """The district of the user's area (the leadership group's level); a
    superuser without an area works in the first district."""
    area = getattr(user, "area", None)
    if area is None and getattr(user, "is_superuser", False):
        return Area.objects.filter(level=Area.Level.DISTRICT).order_by("code").first()
    while area is not None and area.level not in ("district", "city", "province", "country"):
        area = area.parent
    return area


def group_for(area):
    if area is None:
        return None
    return (
        LeadershipGroup.objects.filter(area=area)
        .select_related("office")
        .prefetch_related("members__organisation")
        .first()
    )


def members_sorted(group) -> list:
    return sorted(group.members.all(), key=lambda m: (GROUP_ROLE_ORDER.index(m.role), m.seq))


def departments(area):
    if area is None:
        return Organisation.objects.none()
    return Organisation.objects.filter(kind__in=DEPARTMENT_KINDS, area=area).order_by(
        "kind", "name"
    )


def street_offices(area):
    if area is None:
        return Organisation.objects.none()
    return Organisation.objects.filter(
        kind=K.STREET_OFFICE, area__in=areas_within(area).values("pk")
    ).select_related("area")


def _task_count(**filters):
    tasks = (
        Task.objects.filter(decision__meeting_id=OuterRef("pk"), **filters)
        .order_by()
        .values("decision__meeting_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(tasks, output_field=IntegerField()), 0)


def meetings(user):
    return (
        meetings_for_user(user)
        .select_related("convened_by")
        # Correlated counts, not a join over decisions and tasks with
        # DISTINCT (STYLE.md habit 18).
        .annotate(n_tasks=_task_count(), n_open=_task_count(done_on__isnull=True))
        .order_by("-held_on", "-id")
    )


def meeting_decisions(user, meeting) -> list[Decision]:
    """The meeting's decisions, each with the tasks the user may see."""
    visible = (
        tasks_for_user(user)
        .select_related("owner_org", "owner_person", "compound")
        .order_by("due_on", "id")
    )
    out = list(meeting.decisions.prefetch_related(Prefetch("tasks", queryset=visible)))
    today = timezone.localdate()
    for d in out:
        for t in d.tasks.all():
            t.days_late = (today - t.due_on).days if t.done_on is None else 0
    return out


def task_rows(user, *, only_late=True, street_id=None, org_id=None):
    """Open tasks the user may see, earliest due first (the responsibility list)."""
    qs = (
        tasks_for_user(user)
        .filter(done_on__isnull=True)
        .select_related("owner_org", "owner_person", "compound__street", "decision__meeting")
        .order_by("due_on", "id")
    )
    if only_late:
        qs = qs.filter(due_on__lt=timezone.localdate())
    if street_id and str(street_id).isdigit():
        qs = qs.filter(compound__street_id=street_id)
    if org_id and str(org_id).isdigit():
        qs = qs.filter(owner_org_id=org_id)
    return qs


def late_tasks_by_org(user) -> list[tuple[str, int]]:
    rows = (
        task_rows(user, only_late=True)
        .order_by()
        .values("owner_org__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "owner_org__name")
    )
    return [(r["owner_org__name"], r["n"]) for r in rows]


def compound_organisations(compound) -> list[tuple[str, Organisation | None]]:
    """Every organisation linked to the compound, as (relation, org): the
    street office and community committee of its areas, the owners'
    committee, property company and property-rights unit kept on the
    compound, then the links (Party organisation, utilities, others)."""
    by_area = {
        (o.kind, o.area_id): o
        for o in Organisation.objects.filter(
            Q(kind=K.STREET_OFFICE, area_id=compound.street_id)
            | Q(kind=K.COMMUNITY_COMMITTEE, area_id=compound.community_id)
        )
    }
    out = [
        (K.STREET_OFFICE.label, by_area.get((K.STREET_OFFICE, compound.street_id))),
        (K.COMMUNITY_COMMITTEE.label, by_area.get((K.COMMUNITY_COMMITTEE, compound.community_id))),
        (Compound._meta.get_field("owners_committee").verbose_name, compound.owners_committee),
        (Compound._meta.get_field("property_company").verbose_name, compound.property_company),
        (
            Compound._meta.get_field("property_rights_unit").verbose_name,
            compound.property_rights_unit,
        ),
    ]
    for link in CompoundLink.objects.filter(compound=compound).select_related("organisation"):
        out.append((link.get_role_display(), link.organisation))
    return out


# Organisations that may be linked to a compound (Party organisations,
# utilities, property companies and rights holders).
LINK_KINDS = [K.PARTY_ORGANISATION, K.UTILITY, K.PROPERTY_COMPANY, K.PROPERTY_RIGHTS_UNIT]


def _own_area(user):
    return getattr(user, "area", None) if user.role in AREA_ROLES else None


def nameable_organisations(user):
    """Organisations the user may name on a form (a task's owner, a works'
    contractor): inside the user's area or above it (regions.picking.near),
    offered by typed suggestion, never as a list."""
    return org_picking.near(_own_area(user), everything=user.is_superuser)


def nameable_people(user):
    """Staff the user may name as a task's owner (accounts.picking.near)."""
    return person_picking.near(_own_area(user), everything=user.is_superuser)


def task_owner_choices(area):
    """Organisations a task can be given to: every body registered inside
    the district (departments, streets, communities, companies, utilities)."""
    return Organisation.objects.filter(area__in=areas_within(area).values("pk")).order_by(
        "kind", "name"
    )


def tasks_of_compound(user, compound):
    return (
        tasks_for_user(user)
        .filter(compound=compound)
        .select_related("owner_org", "decision__meeting")
        .order_by("done_on", "due_on")
    )
