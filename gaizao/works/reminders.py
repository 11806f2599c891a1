"""`gaizao remind`: due and overdue notices for every open stage, escalated
one level per GAIZAO_ESCALATE_AFTER_DAYS of lateness (responsibility.py).

Idempotent: a notice is identified by (kind, ref, recipient) with ref
"milestone:<id>:<state>:<level>"; a second run the same day — or any later
run before the state or level changes — sends nothing new."""

from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from gaizao.accounts.models import Role, User
from gaizao.core import notify
from gaizao.core.models import Notice

from .models import Milestone
from .organisation.reminders import task_notices
from .responsibility import lateness

KIND = "works.reminder"


@dataclass
class RemindResult:
    considered: int = 0
    tasks: int = 0
    sent: int = 0
    skipped: int = 0
    by_level: dict = field(default_factory=dict)


def recipients_for(m: Milestone, level: int) -> list:
    """Level 0: the responsible person and the users of the responsible
    organisation; 1: the compound's street office; 2: the district's
    leadership office and housing bureau."""
    if level == 0:
        q = Q(pk=m.responsible_person_id) if m.responsible_person_id else Q(pk__in=[])
        if m.responsible_org_id:
            q |= Q(organisation_id=m.responsible_org_id)
        return list(User.objects.filter(q, is_active=True))
    compound = m.works.compound
    if compound is None:
        return []
    if level == 1:
        return list(
            User.objects.filter(role=Role.STREET_OFFICE, area_id=compound.street_id, is_active=True)
        )
    district_id = compound.street.parent_id
    return list(
        User.objects.filter(
            role__in=[Role.LEADERSHIP, Role.HOUSING_BUREAU], area_id=district_id, is_active=True
        )
    )


def _send_once(res: RemindResult, ref, level, people, subject, body) -> None:
    """Notify those of `people` not yet told under `ref` (idempotence)."""
    already = set(
        Notice.objects.filter(kind=KIND, ref=ref, recipient__in=people).values_list(
            "recipient_id", flat=True
        )
    )
    new = [u for u in people if u.pk not in already]
    res.skipped += len(people) - len(new)
    if not new:
        return
    with transaction.atomic():
        notify.send(recipients=new, subject=subject, body=body, kind=KIND, ref=ref)
    res.sent += len(new)
    res.by_level[level] = res.by_level.get(level, 0) + len(new)


def remind(*, today=None) -> RemindResult:
    today = today or timezone.localdate()
    res = RemindResult()
    due_days = settings.GAIZAO_DUE_NOTICE_DAYS
    esc = settings.GAIZAO_ESCALATE_AFTER_DAYS
    qs = (
        Milestone.objects.filter(actual_on__isnull=True, planned_on__isnull=False)
        .filter(planned_on__lte=today + timezone.timedelta(days=due_days))
        .select_related("works__compound__street", "responsible_org", "responsible_person")
        .order_by("id")
    )
    for m in qs.iterator(chunk_size=500):
        lt = lateness(m.planned_on, m.actual_on, today, due_days=due_days, escalate_days=esc)
        if lt.state not in ("due", "overdue"):
            continue
        res.considered += 1
        for level in range(0, lt.level + 1):
            stage = m.get_stage_display()
            if lt.state == "due":
                subject = f"【到期提醒】{m.works.name}·{stage}"
                body = f"计划于 {m.planned_on} 完成,请按期推进。"
            else:
                subject = f"【逾期{lt.days_late}天】{m.works.name}·{stage}"
                body = f"计划于 {m.planned_on} 完成,已逾期 {lt.days_late} 天"
                body += f"(责任单位:{m.responsible_org or '未指定'})。" if level else "。"
                if level:
                    body += f"按规定逐级报告(第{level}级)。"
            ref = f"milestone:{m.pk}:{lt.state}:{level}"
            _send_once(res, ref, level, recipients_for(m, level), subject, body)
    # The joint meetings' tasks (organisation/), on the same ladder.
    seen_tasks = set()
    for ref, level, people, subject, body in task_notices(
        today, due_days=due_days, escalate_days=esc
    ):
        tid = ref.split(":")[1]
        if tid not in seen_tasks:
            seen_tasks.add(tid)
            res.tasks += 1
        _send_once(res, ref, level, people, subject, body)
    return res
