"""Writes for the programme's organisation, `<entity>_<verb>(*, actor, …)`:
validated, in one transaction, audited (gaizao.core.audit), permission
checked through organisation.permissions."""

from django.db import transaction
from django.utils.translation import gettext as _

from gaizao.core import audit, notify
from gaizao.core.errors import DomainError, ErrorDetail

from ..services.common import as_date
from . import permissions as perms
from .models import (
    CompoundLink,
    Decision,
    GroupMember,
    GroupRole,
    LeadershipGroup,
    LinkRole,
    Meeting,
    Task,
)
from .recipients import owners_of

TASK_KIND = "works.task"
MAX_DECISIONS = 30
MAX_TASKS = 100


def _text(value, label, *, limit, required=True) -> str:
    s = (value or "").strip()
    if required and not s:
        raise DomainError(_("请填写%(label)s") % {"label": label})
    if len(s) > limit:
        raise DomainError(
            _("%(label)s不能超过 %(n)s 个字") % {"label": label, "n": limit},
        )
    return s


def group_save(
    *, actor, area, name, office=None, established_on=None, basis="", source="web"
) -> LeadershipGroup:
    perms.require_edit(actor)
    name = _text(name, _("领导小组名称"), limit=128)
    on = as_date(established_on, _("成立日期"), required=False, not_future=True)
    basis = _text(basis, _("成立依据"), limit=300, required=False)
    with transaction.atomic():
        g = LeadershipGroup.objects.select_for_update().filter(area=area).first()
        before = audit.snapshot(g) if g else {}
        if g is None:
            g = LeadershipGroup(area=area)
        g.name, g.office, g.established_on, g.basis = name, office, on, basis
        g.save()
        after = audit.snapshot(g)
        audit.record(
            actor=actor,
            instance=g,
            action="update" if before else "create",
            source=source,
            changes=audit.diff(before, after) if before else after,
        )
    return g


def member_add(
    *, actor, group, name, position, role, organisation=None, duty="", source="web"
) -> GroupMember:
    perms.require_edit(actor)
    name = _text(name, _("姓名"), limit=64)
    position = _text(position, _("职务"), limit=128)
    if role not in GroupRole.values:
        raise DomainError(
            _("小组职务“%(v)s”无效,可选:组长、副组长、成员、办公室主任") % {"v": role}
        )
    duty = _text(duty, _("分工"), limit=200, required=False)
    with transaction.atomic():
        if role == GroupRole.LEADER and group.members.filter(role=GroupRole.LEADER).exists():
            raise DomainError(_("领导小组已有组长;请先移除原组长"))
        seq = group.members.count() + 1
        m = GroupMember.objects.create(
            group=group,
            name=name,
            position=position,
            role=role,
            organisation=organisation,
            duty=duty,
            seq=seq,
        )
        audit.record(
            actor=actor,
            instance=m,
            action="create",
            source=source,
            changes={"name": name, "position": position, "role": role, "group": group.pk},
        )
    return m


def member_remove(*, actor, member: GroupMember, source="web") -> None:
    perms.require_edit(actor)
    with transaction.atomic():
        audit.record(
            actor=actor,
            instance=member,
            action="delete",
            source=source,
            changes={"name": [member.name, None], "role": [member.role, None]},
        )
        member.delete()


def link_add(*, actor, compound, organisation, role, note="", source="web") -> CompoundLink:
    perms.require_edit(actor)
    if role not in LinkRole.values:
        raise DomainError(_("关系“%(v)s”无效") % {"v": role})
    note = _text(note, _("说明"), limit=200, required=False)
    with transaction.atomic():
        if CompoundLink.objects.filter(
            compound=compound, organisation=organisation, role=role
        ).exists():
            raise DomainError(_("该单位已与本小区建立此关系"))
        link = CompoundLink.objects.create(
            compound=compound, organisation=organisation, role=role, note=note
        )
        audit.record(
            actor=actor,
            instance=link,
            action="create",
            source=source,
            changes={"compound": compound.pk, "organisation": organisation.name, "role": role},
        )
    return link


def meeting_create(
    *,
    actor,
    area,
    title,
    held_on,
    convened_by=None,
    attendees=(),
    minutes="",
    decisions: list[dict],
    source="web",
) -> Meeting:
    """A joint meeting with its decisions; each decision's tasks are created
    and their owners told (in-app). `decisions`: [{"text": str, "tasks":
    [{"title", "owner_org", "owner_person", "compound", "due_on"}]}]. Every
    problem is reported together, naming the decision and task; nothing is
    written unless all is well."""
    perms.require_edit(actor)
    title = _text(title, _("会议名称"), limit=160)
    held = as_date(held_on, _("召开日期"), not_future=True)
    minutes = _text(minutes, _("会议纪要"), limit=20000, required=False)
    errors: list[ErrorDetail] = []
    clean: list[tuple[str, list[dict]]] = []
    decisions = [d for d in decisions or [] if (d.get("text") or "").strip() or d.get("tasks")]
    if not decisions:
        raise DomainError(_("请至少填写一项议定事项"))
    if len(decisions) > MAX_DECISIONS:
        raise DomainError(_("一次会议最多登记 %(n)s 项议定事项") % {"n": MAX_DECISIONS})
    n_tasks = 0
    for i, d in enumerate(decisions, start=1):
        text = (d.get("text") or "").strip()
        if not text:
            errors.append(ErrorDetail(row=i, column="text", message=_("议定事项内容为空")))
        tasks = []
        for j, t in enumerate(d.get("tasks") or [], start=1):
            n_tasks += 1
            where = _("第%(i)s项议定事项的第%(j)s个任务") % {"i": i, "j": j}
            ttl = (t.get("title") or "").strip()
            if not ttl:
                errors.append(
                    ErrorDetail(row=i, column="title", message=where + _(":任务内容为空"))
                )
            elif len(ttl) > 200:
                errors.append(
                    ErrorDetail(row=i, column="title", message=where + _(":任务内容过长"))
                )
            if t.get("owner_org") is None:
                errors.append(
                    ErrorDetail(row=i, column="owner_org", message=where + _(":请选择责任单位"))
                )
            due = None
            try:
                due = as_date(t.get("due_on"), _("完成期限"))
            except DomainError as e:
                errors.append(ErrorDetail(row=i, column="due_on", message=where + ":" + e.message))
            if due and due < held:
                errors.append(
                    ErrorDetail(
                        row=i, column="due_on", message=where + _(":完成期限不能早于会议日期")
                    )
                )
            tasks.append({**t, "title": ttl, "due_on": due})
        clean.append((text, tasks))
    if n_tasks > MAX_TASKS:
        raise DomainError(_("一次会议最多分解 %(n)s 个任务") % {"n": MAX_TASKS})
    if errors:
        raise DomainError(errors[0].message, errors=errors)
    with transaction.atomic():
        m = Meeting.objects.create(
            area=area,
            title=title,
            held_on=held,
            convened_by=convened_by,
            minutes=minutes,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        m.attendees.set(attendees)
        created: list[Task] = []
        for seq, (text, tasks) in enumerate(clean, start=1):
            d = Decision.objects.create(meeting=m, seq=seq, text=text)
            for t in tasks:
                created.append(
                    Task.objects.create(
                        decision=d,
                        title=t["title"],
                        owner_org=t["owner_org"],
                        owner_person=t.get("owner_person"),
                        compound=t.get("compound"),
                        due_on=t["due_on"],
                    )
                )
        audit.record(
            actor=actor,
            instance=m,
            action="create",
            source=source,
            changes={
                "title": title,
                "held_on": held.isoformat(),
                "decisions": len(clean),
                "tasks": [t.pk for t in created],
            },
        )
        for t in created:
            notify.send(
                recipients=owners_of(t),
                subject=_("【联席会议任务】%(t)s") % {"t": t.title},
                body=_("%(m)s(%(d)s)议定:%(t)s,请于 %(due)s 前完成。")
                % {"m": m.title, "d": held, "t": t.title, "due": t.due_on},
                channels=("inapp",),
                kind=TASK_KIND,
                ref=f"task:{t.pk}:assigned",
            )
    return m


def task_done(*, actor, task: Task, on=None, note="", source="web") -> Task:
    perms.may_close_or_403(actor, task)
    if task.done_on is not None:
        raise DomainError(_("该任务已于 %(d)s 办结") % {"d": task.done_on})
    day = as_date(on, _("完成日期"), not_future=True)
    if day < task.decision.meeting.held_on:
        raise DomainError(_("完成日期不能早于会议日期"))
    note = _text(note, _("完成情况"), limit=300, required=False)
    with transaction.atomic():
        before = audit.snapshot(task, ["done_on", "done_note"])
        task.done_on, task.done_note = day, note
        task.done_by = actor if getattr(actor, "is_authenticated", False) else None
        task.save(update_fields=["done_on", "done_note", "done_by", "updated_at"])
        audit.record(
            actor=actor,
            instance=task,
            action="update",
            source=source,
            changes=audit.diff(before, audit.snapshot(task, ["done_on", "done_note"])),
        )
    return task
