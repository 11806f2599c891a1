"""Due and overdue notices for the joint meetings' tasks, on the same rules
as the works stages (works/responsibility.py): due within
GAIZAO_DUE_NOTICE_DAYS, overdue after the due date, one escalation level per
GAIZAO_ESCALATE_AFTER_DAYS. works/reminders.py sends them, once each."""

from datetime import timedelta

from ..responsibility import lateness
from .models import Task
from .recipients import escalation_of


def task_notices(today, *, due_days: int, escalate_days: int):
    """(ref, level, recipients, subject, body) for every notice the open
    tasks call for today; the sender drops those already sent."""
    qs = (
        Task.objects.filter(done_on__isnull=True, due_on__lte=today + timedelta(days=due_days))
        .select_related("owner_org__area", "compound__street__parent", "decision__meeting__area")
        .order_by("id")
    )
    for t in qs.iterator(chunk_size=500):
        lt = lateness(t.due_on, None, today, due_days=due_days, escalate_days=escalate_days)
        if lt.state not in ("due", "overdue"):
            continue
        for level in range(0, lt.level + 1):
            if lt.state == "due":
                subject = f"【任务到期提醒】{t.title}"
                body = f"联席会议议定任务,期限 {t.due_on},请按期办结。"
            else:
                subject = f"【任务逾期{lt.days_late}天】{t.title}"
                body = f"联席会议议定任务,期限 {t.due_on},已逾期 {lt.days_late} 天"
                body += f"(责任单位:{t.owner_org.name})。"
                if level:
                    body += f"按规定逐级报告(第{level}级)。"
            yield f"task:{t.pk}:{lt.state}:{level}", level, escalation_of(t, level), subject, body
