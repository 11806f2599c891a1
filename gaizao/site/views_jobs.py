"""A user's background jobs (gaizao.core.jobs): the list, one job's page
that refreshes its progress (htmx polling, no inline script) and the
download of its file when done. URL names core:jobs, core:job,
core:job_download."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from gaizao.core import jobs


@login_required
@require_GET
def job_list(request):
    page = jobs.jobs_for_user(request.user)[:50]
    return render(request, "site/job_list.html", {"jobs": page})


@login_required
@require_GET
def job_detail(request, pk):
    job = jobs.get_job_for_user(request.user, pk)
    template = "site/partials/_job.html" if request.htmx else "site/job.html"
    return render(request, template, {"job": job})


@login_required
@require_GET
def job_download(request, pk):
    job = jobs.get_job_for_user(request.user, pk)
    jobs.require_done(job)
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.filename)
