"""Pages of the programme's organisation: the leadership group and the
departments, the organisations linked to a compound (党建引领), joint
meetings (联席会议) with their decisions and tasks, closing a task."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gaizao.accounts import picking as person_picking
from gaizao.core.errors import DomainError
from gaizao.inventory.permissions import compounds_for_user, get_compound_for_user
from gaizao.regions import picking as org_picking
from gaizao.regions.models import Organisation

from .. import permissions as works_perms
from . import permissions as perms
from . import selectors, services
from .forms import ATTENDEE_BOXES, DECISION_ROWS, STREET_BOXES, TASK_ROWS, meeting_kwargs
from .models import GroupMember, GroupRole, LinkRole


def _require_view(user):
    if not works_perms.can_do(user, "responsibility.view"):
        raise PermissionDenied(_("您的角色无权查看组织机构"))


@login_required
def organisation_home(request):
    """The leadership group, its members, the departments and street offices."""
    _require_view(request.user)
    district = selectors.district_of(request.user)
    group = selectors.group_for(district)
    return render(
        request,
        "works/organisation/home.html",
        {
            "district": district,
            "group": group,
            "members": selectors.members_sorted(group) if group else [],
            "departments": selectors.departments(district),
            "streets": selectors.street_offices(district),
            "meetings": selectors.meetings(request.user)[:5],
            "late_by_org": selectors.late_tasks_by_org(request.user),
            "may_edit": perms.may_edit(request.user),
            "roles": GroupRole.choices,
        },
    )


@require_POST
@login_required
def group_save(request):
    perms.require_edit(request.user)
    district = selectors.district_of(request.user)
    p = request.POST
    try:
        office = _org_or_none(p.get("office"), district)
        services.group_save(
            actor=request.user,
            area=district,
            name=p.get("name"),
            office=office,
            established_on=p.get("established_on"),
            basis=p.get("basis", ""),
        )
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("已保存领导小组"))
    return redirect("works:organisation")


def _org_or_none(value, district):
    if not value:
        return None
    org = selectors.task_owner_choices(district).filter(pk=value if value.isdigit() else 0).first()
    if org is None:
        raise DomainError(_("所选单位不在本区范围内"))
    return org


@require_POST
@login_required
def member_add(request):
    perms.require_edit(request.user)
    district = selectors.district_of(request.user)
    group = selectors.group_for(district)
    p = request.POST
    try:
        if group is None:
            raise DomainError(_("请先登记领导小组"))
        services.member_add(
            actor=request.user,
            group=group,
            name=p.get("name"),
            position=p.get("position"),
            role=p.get("role", ""),
            # Typed with suggestions (org_suggest), never a list.
            organisation=org_picking.pick(
                selectors.nameable_organisations(request.user),
                p.get("organisation"),
                _("所在单位"),
            ),
            duty=p.get("duty", ""),
        )
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("已添加领导小组成员"))
    return redirect("works:organisation")


@require_POST
@login_required
def member_remove(request, mpk):
    perms.require_edit(request.user)
    district = selectors.district_of(request.user)
    m = GroupMember.objects.filter(pk=mpk, group__area=district).first()
    if m is None:
        messages.error(request, _("成员不存在"))
    else:
        services.member_remove(actor=request.user, member=m)
        messages.success(request, _("已移除领导小组成员"))
    return redirect("works:organisation")


@login_required
def meeting_list(request):
    _require_view(request.user)
    page = Paginator(selectors.meetings(request.user), 30).get_page(request.GET.get("page"))
    return render(
        request,
        "works/organisation/meeting_list.html",
        {"page": page, "may_edit": perms.may_edit(request.user)},
    )


@login_required
def meeting_detail(request, pk):
    m = perms.get_meeting_for_user(request.user, pk)
    decisions = selectors.meeting_decisions(request.user, m)
    for d in decisions:
        for t in d.tasks.all():
            t.may_close = t.done_on is None and perms.may_close(request.user, t)
    return render(
        request,
        "works/organisation/meeting_detail.html",
        {"m": m, "attendees": m.attendees.order_by("kind", "name"), "decisions": decisions},
    )


@login_required
def meeting_new(request):
    perms.require_edit(request.user)
    district = selectors.district_of(request.user)
    # Typed with suggestions (org_suggest, person_suggest), never a list.
    orgs = selectors.nameable_organisations(request.user)
    people = selectors.nameable_people(request.user)
    compounds = compounds_for_user(request.user).order_by("name")
    error, errors = "", []
    if request.method == "POST":
        try:
            kw = meeting_kwargs(request.POST, orgs=orgs, people=people, compounds=compounds)
            m = services.meeting_create(actor=request.user, area=district, **kw)
        except DomainError as e:
            error, errors = e.message, [x.message for x in e.errors]
        else:
            messages.success(request, _("已登记联席会议及其任务"))
            return redirect("works:meeting_detail", m.pk)
    # A district has 10–30 street offices, ticked in a list; a city, province
    # or the country has hundreds to tens of thousands, typed one a box with
    # suggestions (habit 18: no control lists every area's organisation).
    streets = selectors.street_offices(district)
    typed = streets[: STREET_BOXES + 1].count() > STREET_BOXES
    names = request.POST.getlist("attendee_name") if request.method == "POST" else []
    return render(
        request,
        "works/organisation/meeting_new.html",
        {
            "departments": selectors.departments(district),
            "streets": None if typed else streets,
            "attendee_names": (names + [""] * ATTENDEE_BOXES)[: max(ATTENDEE_BOXES, len(names))]
            if typed
            else [],
            "decision_rows": range(1, DECISION_ROWS + 1),
            "task_rows": _task_rows(request.POST if request.method == "POST" else {}),
            "error": error,
            "errors": errors,
            "post": request.POST if request.method == "POST" else {},
            "chosen_attendees": request.POST.getlist("attendees"),
        },
        status=400 if error else 200,
    )


@login_required
@require_GET
def org_suggest(request):
    """JSON: at most 20 organisations the user may name whose name contains
    ?q= (the meeting and works forms' typed boxes; regions.picking)."""
    _require_naming(request.user)
    qs = selectors.nameable_organisations(request.user)
    kinds = [k for k in request.GET.getlist("kind") if k in Organisation.Kind.values]
    if kinds:
        qs = qs.filter(kind__in=kinds)
    rows = org_picking.suggest(qs, request.GET.get("q"))
    return JsonResponse({"results": rows}, json_dumps_params={"ensure_ascii": False})


@login_required
@require_GET
def person_suggest(request):
    """JSON: at most 20 staff the user may name as a task's owner."""
    _require_naming(request.user)
    rows = person_picking.suggest(selectors.nameable_people(request.user), request.GET.get("q"))
    return JsonResponse({"results": rows}, json_dumps_params={"ensure_ascii": False})


def _require_naming(user):
    # Those who fill the forms that name organisations and people: the
    # meeting form's editors and whoever creates works.
    if not (perms.may_edit(user) or works_perms.can_do(user, "works.create")):
        raise PermissionDenied(_("您的角色无权查询单位和人员"))


def _task_rows(post) -> list[dict]:
    """The task rows of the form, with what was posted (kept after an error)."""
    keys = ("decision", "title", "org", "person", "compound", "due")
    return [{"r": r, **{k: post.get(f"t{r}_{k}", "") for k in keys}} for r in range(TASK_ROWS)]


@require_POST
@login_required
def task_done(request, pk):
    t = perms.get_task_for_user(request.user, pk)
    try:
        services.task_done(
            actor=request.user, task=t, on=request.POST.get("on"), note=request.POST.get("note", "")
        )
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("任务已办结"))
    nxt = request.POST.get("back", "")
    if nxt == "responsibility":
        return redirect("works:responsibility")
    return redirect("works:meeting_detail", t.decision.meeting_id)


@login_required
def compound_organisations(request, pk):
    """The organisations around one compound (党建引领) and its tasks."""
    compound = get_compound_for_user(request.user, pk, write=False)
    may_edit = perms.may_edit(request.user)
    if request.method == "POST":
        perms.require_edit(request.user)
        try:
            # Typed with suggestions (org_suggest with the link kinds), never a list.
            org = org_picking.pick(
                selectors.nameable_organisations(request.user).filter(
                    kind__in=selectors.LINK_KINDS
                ),
                request.POST.get("org"),
                _("单位"),
            )
            if org is None:
                raise DomainError(_("请选择本区登记的单位"))
            services.link_add(
                actor=request.user,
                compound=compound,
                organisation=org,
                role=request.POST.get("role", ""),
                note=request.POST.get("note", ""),
            )
        except DomainError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, _("已关联单位"))
        return redirect("works:compound_organisations", compound.pk)
    return render(
        request,
        "works/organisation/compound.html",
        {
            "compound": compound,
            "links": selectors.compound_organisations(compound),
            "tasks": selectors.tasks_of_compound(request.user, compound),
            "may_edit": may_edit,
            "roles": LinkRole.choices,
            "link_kinds": selectors.LINK_KINDS,
        },
    )
