"""Background tasks of the inventory (gaizao.core.jobs): the compound export
of a large jurisdiction, written chunk by chunk with progress."""

from django.contrib.auth import get_user_model
from django.http import QueryDict
from django.utils.translation import gettext as _
from django_tasks import task

from gaizao.core import jobs

from . import selectors
from .exporting import export_compounds_xlsx
from .forms import CompoundFilterForm

CHUNK = 1000


@task()
def export_compounds_task(*, job_id: int, user_id: int, query: str) -> None:
    """The compound list the user filtered (`query` is the list's query
    string), scoped to what the user may see now, as .xlsx."""
    user = get_user_model().objects.get(pk=user_id)
    try:
        form = CompoundFilterForm(QueryDict(query) or None, user=user)
        qs = selectors.compound_list(user, form.filters())
        total = qs.count()
        jobs.begin(job_id, total=total)

        def progress(done):
            if done % CHUNK == 0:
                jobs.report(job_id, done)

        data = export_compounds_xlsx(qs, progress=progress)
    except Exception as exc:  # the job page says it failed; the worker logs it
        jobs.fail(job_id, _("导出失败:%(error)s") % {"error": exc})
        raise
    jobs.finish(
        job_id,
        data=data,
        filename=_("老旧小区台账.xlsx"),
        message=_("共 %(n)s 个小区") % {"n": total},
    )
