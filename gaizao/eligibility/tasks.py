"""Background tasks of eligibility (gaizao.core.jobs): a whole area's
evaluation, in chunks with progress (evaluation.py)."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext as _
from django_tasks import task

from gaizao.core import jobs
from gaizao.core.errors import DomainError
from gaizao.regions.models import Area

from .evaluation import evaluate_area
from .models import Policy


def reserve_url(policy: Policy | None) -> str:
    url = reverse("eligibility:reserve")
    return f"{url}?policy={policy.code}" if policy else url


@task()
def evaluate_area_task(*, job_id: int, user_id: int, area_id: int, policy_id=None) -> None:
    """Evaluate the area as the user who started the job (the same scope
    and permission checks as the page), reporting done/total per chunk."""
    user = get_user_model().objects.get(pk=user_id)
    area = Area.objects.get(pk=area_id)
    policy = Policy.objects.filter(pk=policy_id).first() if policy_id else None

    def progress(done, total):
        if done == 0:
            jobs.begin(job_id, total=total)
        else:
            jobs.report(job_id, done)

    try:
        result = evaluate_area(actor=user, area=area, policy=policy, progress=progress)
    except (DomainError, PermissionDenied) as e:
        # Chunks stored before a failure stay stored; the message names the
        # compound that failed and says a new run is safe.
        jobs.fail(job_id, str(getattr(e, "message", e)), link=reserve_url(policy))
        return
    except Exception as exc:  # the job page says it failed; the worker logs it
        jobs.fail(job_id, _("评估失败:%(error)s") % {"error": exc})
        raise
    jobs.finish(job_id, message=f"{area.name}:{result.summary}", link=reserve_url(policy))
