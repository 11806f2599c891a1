"""Background jobs with progress (issue 14, item 3; docs/scale.md).

Work that grows with the jurisdiction (a province's compound export, a
whole district's evaluation, a big import) does not run inside the request:

    job = jobs.start(user=request.user, kind="inventory.export", title="…",
                     task=export_compounds_task, filters={...})
    return redirect(job_url)                      # the job's page polls

    # in the task (module level, decorated with django_tasks.task):
    jobs.begin(job_id, total=n)
    for each chunk: ...; jobs.report(job_id, done)
    jobs.finish(job_id, data=xlsx_bytes, filename="台账.xlsx")

The queue, the worker and the retries are django-tasks' (the backport of
Django 6's django.tasks) with its database backend, which works on SQLite
and PostgreSQL alike; `gaizao worker` runs them. What is ours is the Job
row: who started it, how far it is, the file it made, who may fetch it (the
user who started it only). Progress writes are their own short
transactions, so a page polling the job sees them while the work goes on.
"""

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile, File
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from .media import register_file_checker
from .models import Job


def start(*, user, kind: str, title: str, task, **kwargs) -> Job:
    """Record the job, then enqueue `task(job_id=…, **kwargs)` after commit
    (a rolled-back request starts nothing)."""
    job = Job.objects.create(user=user, kind=kind, title=title[:200])

    def enqueue():
        result = task.enqueue(job_id=job.pk, **kwargs)
        Job.objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])

    transaction.on_commit(enqueue)
    return job


def begin(job_id: int, *, total: int) -> None:
    Job.objects.filter(pk=job_id).update(
        status=Job.Status.RUNNING, total=total, done=0, started_at=timezone.now()
    )


def report(job_id: int, done: int) -> None:
    Job.objects.filter(pk=job_id).update(done=done)


def finish(
    job_id: int,
    *,
    data: bytes | None = None,
    path=None,
    filename: str = "",
    message: str = "",
    link: str = "",
) -> None:
    """Done: keep the file made (`data`, or the file at `path`, copied in
    chunks so a big export is never all in memory), the message and the
    page where the result is seen (`link`)."""
    job = Job.objects.get(pk=job_id)
    if data is not None:
        job.file.save(f"{job.pk}.bin", ContentFile(data), save=False)
        job.filename = filename
    elif path is not None:
        with open(path, "rb") as f:
            job.file.save(f"{job.pk}.bin", File(f), save=False)
        job.filename = filename
    job.status, job.message, job.finished_at = Job.Status.DONE, message[:500], timezone.now()
    job.link = link[:300]
    job.done = job.total
    job.save()


def fail(job_id: int, message: str, *, link: str = "") -> None:
    Job.objects.filter(pk=job_id).update(
        status=Job.Status.FAILED, message=message[:500], finished_at=timezone.now(), link=link[:300]
    )


def note(job_id: int, message: str) -> None:
    """What the job is doing now (a stage without a count)."""
    Job.objects.filter(pk=job_id).update(message=message[:500])


def jobs_for_user(user):
    return Job.objects.filter(user=user)


def pending(user, pk) -> Job | None:
    """The user's job `pk` if it is still queued or running."""
    if not pk:
        return None
    return Job.objects.filter(
        pk=pk, user_id=user.pk, status__in=[Job.Status.QUEUED, Job.Status.RUNNING]
    ).first()


def get_job_for_user(user, pk) -> Job:
    """A user sees the jobs they started; anyone else's is not found."""
    job = Job.objects.filter(pk=pk).first()
    if job is None or not user.is_authenticated:
        raise Http404(_("没有这个任务"))
    if job.user_id != user.pk:
        raise Http404(_("没有这个任务"))
    return job


def may_fetch_file(user, name: str) -> bool:
    """Protected media: a job's file belongs to the user who started it."""
    return Job.objects.filter(file=name, user_id=getattr(user, "pk", None)).exists()


def require_done(job: Job) -> None:
    if job.status != Job.Status.DONE or not job.file:
        raise PermissionDenied(_("任务尚未完成"))


register_file_checker("jobs/", may_fetch_file)
