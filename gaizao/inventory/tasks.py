"""Background tasks of the inventory (gaizao.core.jobs): the compound export
of a large jurisdiction, written chunk by chunk with progress, and the commit
of a large import (docs/import.md "Large imports").

The export streams: rows come from the database `CHUNK` at a time
(`iterator(chunk_size=…)`), openpyxl's write-only workbook writes them out as
they come, and the workbook is saved to a temporary file that is copied into
the job's file in chunks; memory does not grow with the jurisdiction
(bench/jobs.py measures it).
"""

import tempfile

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import QueryDict
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django_tasks import task

from gaizao.core import jobs
from gaizao.core.errors import DomainError

from . import selectors
from .exporting import export_compounds_xlsx
from .forms import CompoundFilterForm
from .importing import services, stash

CHUNK = 1000


@task()
def export_compounds_task(*, job_id: int, user_id: int, query: str) -> None:
    """The compound list the user filtered (`query` is the list's query
    string), scoped to what the user may see now, as .xlsx."""
    user = get_user_model().objects.get(pk=user_id)
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as out:
        try:
            form = CompoundFilterForm(QueryDict(query) or None, user=user)
            qs = selectors.compound_list(user, form.filters())
            total = qs.count()
            jobs.begin(job_id, total=total)

            def progress(done):
                if done % CHUNK == 0:
                    jobs.report(job_id, done)

            export_compounds_xlsx(qs, progress=progress, out=out)
            out.flush()
        except Exception as exc:  # the job page says it failed; the worker logs it
            jobs.fail(job_id, _("导出失败:%(error)s") % {"error": exc})
            raise
        jobs.finish(
            job_id,
            path=out.name,
            filename=_("老旧小区台账.xlsx"),
            message=_("共 %(n)s 个小区") % {"n": total},
        )


# --- imports -------------------------------------------------------------------


def import_targets(user, meta):
    """The street (default for rows without one) and the compound (units)
    the upload was made for, checked again against the user's scope."""
    street = compound = None
    if meta.get("street_id"):
        street = services.street_for_user(user, meta["street_id"])
    if meta.get("compound_id"):
        compound = services.compound_for_import(user, meta["compound_id"])
    return street, compound


def import_done_url(kind, compound):
    try:
        if kind == "units" and compound is not None:
            return reverse("inventory:compound_detail", args=[compound.pk])
        return reverse("inventory:compound_list")
    except NoReverseMatch:
        return reverse("inventory:import")


@task()
def import_commit_task(*, job_id: int, user_id: int, token: str, accept_warnings: bool) -> None:
    """Commit a previewed upload as the user who made it: the file is read
    and validated again and written in one transaction (the import's own
    commit), so a failed import writes nothing; the job says why and links
    back to the preview with every error."""
    user = get_user_model().objects.get(pk=user_id)
    found = stash.load(token, user_id=user.pk)
    if found is None:
        jobs.fail(job_id, _("导入文件不存在或已过期,请重新上传"), link=reverse("inventory:import"))
        return
    path, meta = found
    preview = reverse("inventory:import_preview", args=[token])
    jobs.begin(job_id, total=meta.get("rows") or 0)
    jobs.note(job_id, _("正在校验并写入:全部写入或全部不写"))
    try:
        services.check_may_import(user)
        street, compound = import_targets(user, meta)
        result = services.commit(
            meta["kind"],
            path,
            user=user,
            filename=meta["filename"],
            street=street,
            compound=compound,
            source="import",
            accept_warnings=accept_warnings,
        )
    except (DomainError, PermissionDenied) as e:
        message = str(getattr(e, "message", e))
        jobs.fail(job_id, _("没有写入任何数据:%(error)s") % {"error": message}, link=preview)
        return
    except Exception as exc:  # rolled back; the worker logs it
        jobs.fail(job_id, _("导入失败,没有写入任何数据:%(error)s") % {"error": exc}, link=preview)
        raise
    stash.discard(token)
    jobs.finish(job_id, message=result.summary(), link=import_done_url(meta["kind"], compound))
