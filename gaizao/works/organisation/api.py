"""API of the programme's organisation (added to the works router):
leadership group, joint meetings with decisions and tasks, closing a task.
Scoped by organisation.permissions like the pages."""

from datetime import date

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from gaizao.core.apikit import Key, PageQuery, cached_page, cached_paged, page_schema, paged
from gaizao.core.errors import DomainError
from gaizao.inventory.permissions import compounds_for_user

from .. import permissions as works_perms
from . import permissions as perms
from . import selectors, services
from .forms import pick

router = Router(tags=["organisation"])


class MemberOut(Schema):
    name: str
    position: str
    role: str
    role_label: str
    organisation: str | None
    duty: str


class GroupOut(Schema):
    name: str
    established_on: date | None
    basis: str
    office: str | None
    members: list[MemberOut]


class TaskOut(Schema):
    id: int
    meeting_id: int
    decision: int
    title: str
    owner_org_id: int
    owner_org: str
    owner_person: str | None
    compound_id: int | None
    due_on: date
    done_on: date | None
    days_late: int


class MeetingOut(Schema):
    id: int
    title: str
    held_on: date
    convened_by: str | None
    n_tasks: int
    n_open: int


class DecisionOut(Schema):
    seq: int
    text: str
    tasks: list[TaskOut]


class MeetingDetailOut(Schema):
    id: int
    title: str
    held_on: date
    convened_by: str | None
    attendees: list[str]
    minutes: str
    decisions: list[DecisionOut]


class TaskIn(Schema):
    title: str
    owner_org_id: int
    owner_person_id: int | None = None
    compound_id: int | None = None
    due_on: str


class DecisionIn(Schema):
    text: str
    tasks: list[TaskIn] = []


class MeetingIn(Schema):
    title: str
    held_on: str
    convened_by_id: int | None = None
    attendee_ids: list[int] = []
    minutes: str = ""
    decisions: list[DecisionIn]


class TaskDoneIn(Schema):
    on: str
    note: str = ""


def _task(t, today) -> dict:
    return {
        "id": t.pk,
        "meeting_id": t.decision.meeting_id,
        "decision": t.decision.seq,
        "title": t.title,
        "owner_org_id": t.owner_org_id,
        "owner_org": t.owner_org.name,
        "owner_person": str(t.owner_person) if t.owner_person_id else None,
        "compound_id": t.compound_id,
        "due_on": t.due_on,
        "done_on": t.done_on,
        "days_late": max(0, (today - t.due_on).days) if t.done_on is None else 0,
    }


def _require_view(user):
    if not works_perms.can_do(user, "responsibility.view"):
        raise PermissionDenied(_("您的角色无权查看组织机构"))


@router.get("/organisation/group", response={200: GroupOut, 404: dict})
def group(request):
    _require_view(request.user)
    g = selectors.group_for(selectors.district_of(request.user))
    if g is None:
        return 404, {"error": _("尚未登记领导小组")}
    return {
        "name": g.name,
        "established_on": g.established_on,
        "basis": g.basis,
        "office": g.office.name if g.office_id else None,
        "members": [
            {
                "name": m.name,
                "position": m.position,
                "role": m.role,
                "role_label": m.get_role_display(),
                "organisation": m.organisation.name if m.organisation_id else None,
                "duty": m.duty,
            }
            for m in selectors.members_sorted(g)
        ],
    }


MeetingPage = page_schema(MeetingOut, "MeetingPage")


@router.get("/meetings", response=MeetingPage)
def meetings(request, page: Query[PageQuery]):
    """Meetings, the latest first; keyset pages (after/limit)."""
    _require_view(request.user)
    return cached_page(
        request,
        "meetings",
        MeetingPage,
        lambda: paged(
            selectors.meetings(request.user),
            after=page.after,
            limit=page.limit,
            keys=[Key("held_on", desc=True)],
            scope="meetings",
            out=lambda m: {
                "id": m.pk,
                "title": m.title,
                "held_on": m.held_on,
                "convened_by": m.convened_by.name if m.convened_by_id else None,
                "n_tasks": m.n_tasks,
                "n_open": m.n_open,
            },
        ),
    )


def _detail(user, m) -> dict:
    today = timezone.localdate()
    return {
        "id": m.pk,
        "title": m.title,
        "held_on": m.held_on,
        "convened_by": m.convened_by.name if m.convened_by_id else None,
        "attendees": [o.name for o in m.attendees.order_by("kind", "name")],
        "minutes": m.minutes,
        "decisions": [
            {"seq": d.seq, "text": d.text, "tasks": [_task(t, today) for t in d.tasks.all()]}
            for d in selectors.meeting_decisions(user, m)
        ],
    }


@router.get("/meetings/{meeting_id}", response=MeetingDetailOut)
def meeting(request, meeting_id: int):
    return _detail(request.user, perms.get_meeting_for_user(request.user, meeting_id))


@router.post("/meetings", response={201: MeetingDetailOut})
def meeting_create(request, payload: MeetingIn):
    perms.require_edit(request.user)
    district = selectors.district_of(request.user)
    if district is None:
        raise DomainError(_("您的账号没有所属区县,不能登记联席会议"))
    # The same scope as the web form (one chokepoint: selectors.nameable_*).
    orgs = selectors.nameable_organisations(request.user)
    people = selectors.nameable_people(request.user)
    compounds = compounds_for_user(request.user)
    decisions = []
    for i, d in enumerate(payload.decisions, start=1):
        tasks = []
        for j, t in enumerate(d.tasks, start=1):
            where = _("第%(i)s项议定事项的第%(j)s个任务的") % {"i": i, "j": j}
            tasks.append(
                {
                    "title": t.title,
                    "owner_org": pick(orgs, str(t.owner_org_id), where + _("责任单位")),
                    "owner_person": pick(people, str(t.owner_person_id or ""), where + _("责任人")),
                    "compound": pick(compounds, str(t.compound_id or ""), where + _("涉及小区")),
                    "due_on": t.due_on,
                }
            )
        decisions.append({"text": d.text, "tasks": tasks})
    attendees = [pick(orgs, str(pk), _("参会单位")) for pk in payload.attendee_ids]
    m = services.meeting_create(
        actor=request.user,
        area=district,
        title=payload.title,
        held_on=payload.held_on,
        convened_by=pick(orgs, str(payload.convened_by_id or ""), _("召集单位")),
        attendees=attendees,
        minutes=payload.minutes,
        decisions=decisions,
        source="api",
    )
    return 201, _detail(request.user, m)


TaskPage = page_schema(TaskOut, "TaskPage")


@router.get("/tasks", response=TaskPage)
def tasks(request, page: Query[PageQuery], late: bool = False, open: bool = True):
    """Tasks, the earliest due first; keyset pages (after/limit)."""
    qs = perms.tasks_for_user(request.user).select_related("decision", "owner_org", "owner_person")
    today = timezone.localdate()
    if open or late:
        qs = qs.filter(done_on__isnull=True)
    if late:
        qs = qs.filter(due_on__lt=today)
    return cached_paged(
        request,
        TaskPage,
        qs,
        page,
        keys=[Key("due_on")],
        scope="tasks",
        out=lambda t: _task(t, today),
    )


@router.post("/tasks/{task_id}/done", response=TaskOut)
def task_done(request, task_id: int, payload: TaskDoneIn):
    t = perms.get_task_for_user(request.user, task_id)
    services.task_done(actor=request.user, task=t, on=payload.on, note=payload.note, source="api")
    return _task(t, timezone.localdate())
