"""Background jobs (gaizao.core.jobs, issue 14 item 3): a large export runs
off the request with progress and a download only its starter may fetch;
`gaizao worker` runs queued jobs through the database backend."""

from io import BytesIO

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from openpyxl import load_workbook

from gaizao.core import jobs
from gaizao.core.models import Job
from gaizao.inventory.models import Compound
from gaizao.inventory.tasks import export_compounds_task
from gaizao.testing import make_compound


def _of(street) -> set[str]:
    return set(Compound.objects.filter(street=street).values_list("name", flat=True))


def _names(data: bytes) -> set[str]:
    ws = load_workbook(BytesIO(data), read_only=True).active
    return {row[0] for row in ws.iter_rows(min_row=2, values_only=True)}


@pytest.fixture
def many(areas):
    made = [
        make_compound(areas["jinchen"], f"金辰{i}号院", community=areas["tianxiang"])
        for i in range(3)
    ]
    made.append(make_compound(areas["qingyun"], "青云1号院", community=areas["yunshan"]))
    return made


@override_settings(GAIZAO_SYNC_EXPORT_MAX=2)
def test_a_large_export_runs_as_a_job_with_the_lists_filters(
    many, areas, users, client_for, django_capture_on_commit_callbacks
):
    client = client_for(users["district"])
    url = reverse("inventory:compound_export") + f"?street={areas['jinchen'].pk}"
    with django_capture_on_commit_callbacks(execute=True):
        r = client.get(url)
    job = Job.objects.get()
    assert r.status_code == 302 and r.url == reverse("core:job", args=[job.pk])
    jinchen = _of(areas["jinchen"])
    assert {"金辰0号院", "金辰1号院", "金辰2号院"} <= jinchen and "青云1号院" not in jinchen
    assert job.status == Job.Status.DONE and job.done == job.total == len(jinchen)
    page = client.get(r.url).content.decode()
    assert "已完成" in page and reverse("core:job_download", args=[job.pk]) in page
    data = b"".join(client.get(reverse("core:job_download", args=[job.pk])).streaming_content)
    assert _names(data) == jinchen  # the street filter kept
    assert job.task_id


@override_settings(GAIZAO_SYNC_EXPORT_MAX=2)
def test_a_small_export_stays_in_the_request(many, areas, users, client_for):
    client = client_for(users["district"])
    r = client.get(reverse("inventory:compound_export") + f"?street={areas['qingyun'].pk}")
    assert len(_of(areas["qingyun"])) <= 2
    assert r.status_code == 200 and _names(r.content) == _of(areas["qingyun"])
    assert not Job.objects.exists()


@override_settings(GAIZAO_SYNC_EXPORT_MAX=0)
def test_only_the_starter_sees_the_job_and_its_file(
    many, areas, users, client_for, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client_for(users["district"]).get(reverse("inventory:compound_export"))
    job = Job.objects.get()
    other = client_for(users["bureau"])
    assert other.get(reverse("core:job", args=[job.pk])).status_code == 404
    assert other.get(reverse("core:job_download", args=[job.pk])).status_code == 404
    assert client_for(None).get(reverse("core:job", args=[job.pk])).status_code == 302
    assert not jobs.may_fetch_file(users["bureau"], job.file.name)
    assert jobs.may_fetch_file(users["district"], job.file.name)
    # the street office's export holds only its street, whatever it asks for
    with django_capture_on_commit_callbacks(execute=True):
        client_for(users["street_qingyun"]).get(reverse("inventory:compound_export"))
    mine = Job.objects.get(user=users["street_qingyun"])
    assert _names(mine.file.read()) == _of(areas["qingyun"])
    assert "金辰0号院" not in _of(areas["qingyun"])


def test_a_queued_job_polls_and_a_running_one_shows_progress(users, client_for):
    job = Job.objects.create(user=users["district"], kind="x", title="导出")
    client = client_for(users["district"])
    page = client.get(reverse("core:job", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in page and "排队中" in page
    jobs.begin(job.pk, total=400)
    jobs.report(job.pk, 100)
    frag = client.get(reverse("core:job", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "100 / 400" in frag and 'value="25"' in frag and "<html" not in frag
    r = client.get(reverse("core:job_download", args=[job.pk]))
    assert r.status_code == 403  # not finished yet
    assert "导出" in client.get(reverse("core:jobs")).content.decode()


@override_settings(
    TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
)
@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_queued_jobs_from_the_database(many, users):
    job = Job.objects.create(user=users["district"], kind="inventory.export", title="导出")
    export_compounds_task.enqueue(job_id=job.pk, user_id=users["district"].pk, query="")
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED  # stored, not run
    call_command("worker", "--batch", verbosity=0)
    job.refresh_from_db()
    everything = set(Compound.objects.values_list("name", flat=True))
    assert job.status == Job.Status.DONE and job.total == len(everything) >= 4
    assert _names(job.file.read()) == everything
