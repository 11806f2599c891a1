"""Large imports committed by a background job (issue 14 item 3): the
preview stays in the request; a sheet of more than GAIZAO_SYNC_IMPORT_MAX
rows is written by the worker in one transaction, so a failed import still
writes nothing; only the uploader sees the job."""

from django.test import override_settings
from django.urls import reverse

from gaizao.accounts.models import Role
from gaizao.core.models import AuditEntry, Job
from gaizao.inventory.importing import compound_writes, stash
from gaizao.inventory.models import Compound

from .test_import_web import GOOD, preview_url, upload, xlsx

ROWS = 3  # data rows of GOOD (the 合计 row is skipped)


def _previewed(client):
    url = preview_url(upload(client, xlsx(GOOD)))
    page = client.get(url)
    assert page.status_code == 200
    return url, page.content.decode()


def _token(url):
    return url.rstrip("/").rsplit("/", 1)[1]


@override_settings(GAIZAO_SYNC_IMPORT_MAX=ROWS - 1)
def test_a_large_import_is_committed_by_a_job(
    cast, users, client_for, django_capture_on_commit_callbacks
):
    c = client_for(users["bureau"])
    before = Compound.objects.count()
    url, html = _previewed(c)
    assert "后台任务" in html  # the page says where the commit will run
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post(url, {"confirm": "1"})
    job = Job.objects.get()
    assert r.status_code == 302 and r.url == reverse("core:job", args=[job.pk])
    assert job.kind == "inventory.import" and "计划.xlsx" in job.title
    assert job.status == Job.Status.DONE and job.done == job.total == ROWS
    assert "新增小区2个" in job.message and job.link == reverse("inventory:compound_list")
    assert Compound.objects.count() == before + 2
    entries = AuditEntry.objects.filter(source="import", model="inventory.compound")
    assert entries.filter(action="create").count() == 2
    assert stash.load(_token(url), user_id=users["bureau"].pk) is None  # used up
    page = c.get(r.url).content.decode()
    assert "新增小区2个" in page and reverse("inventory:compound_list") in page
    # only the uploader sees the job
    assert client_for(users["district"]).get(r.url).status_code == 404


@override_settings(GAIZAO_SYNC_IMPORT_MAX=ROWS)
def test_an_import_of_exactly_the_threshold_stays_in_the_request(cast, users, client_for):
    c = client_for(users["bureau"])
    before = Compound.objects.count()
    url, html = _previewed(c)
    assert "后台任务" not in html
    r = c.post(url, {"confirm": "1"})
    assert r.status_code == 302 and r.url == reverse("inventory:compound_list")
    assert not Job.objects.exists() and Compound.objects.count() == before + 2


@override_settings(GAIZAO_SYNC_IMPORT_MAX=0)
def test_a_job_that_fails_half_way_writes_nothing(
    cast, users, client_for, monkeypatch, django_capture_on_commit_callbacks
):
    c = client_for(users["bureau"])
    before = set(Compound.objects.values_list("pk", "households", "name"))
    n_audit = AuditEntry.objects.count()
    url, _html = _previewed(c)
    real, calls = compound_writes._organisation, []

    def failing(kind, name, street, cache):
        calls.append(name)
        if len(calls) > 2:  # rows already written in the transaction
            raise OSError("磁盘已满")
        return real(kind, name, street, cache)

    monkeypatch.setattr(compound_writes, "_organisation", failing)
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post(url, {"confirm": "1"})
    job = Job.objects.get()
    assert len(calls) > 2
    assert job.status == Job.Status.FAILED and "没有写入任何数据" in job.message
    assert "磁盘已满" in job.message and job.link == url
    assert set(Compound.objects.values_list("pk", "households", "name")) == before
    assert AuditEntry.objects.count() == n_audit
    # the upload is kept: the preview is still there, and a new try works
    monkeypatch.setattr(compound_writes, "_organisation", real)
    assert c.get(url).status_code == 200
    assert "返回查看" in c.get(r.url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        c.post(url, {"confirm": "1"})
    assert Job.objects.filter(status=Job.Status.DONE).count() == 1
    assert Compound.objects.count() == len(before) + 2


@override_settings(GAIZAO_SYNC_IMPORT_MAX=0)
def test_a_job_whose_upload_became_invalid_links_back_to_the_errors(
    cast, users, client_for, django_capture_on_commit_callbacks
):
    c = client_for(users["street_jinchen"])
    rows = [["小区名称", "户数"], ["金辰新苑", 50]]
    url = preview_url(upload(c, xlsx(rows)))
    assert c.get(url).status_code == 200
    with django_capture_on_commit_callbacks() as queued:
        c.post(url, {"confirm": "1"})
    # the street office loses the right to import before the worker runs
    u = users["street_jinchen"]
    u.role = Role.COMMUNITY
    u.save()
    for enqueue in queued:
        enqueue()
    job = Job.objects.get()
    assert job.status == Job.Status.FAILED and "没有写入任何数据" in job.message
    assert not Compound.objects.filter(name="金辰新苑").exists()


@override_settings(GAIZAO_SYNC_IMPORT_MAX=0)
def test_a_second_click_shows_the_waiting_job(cast, users, client_for):
    c = client_for(users["bureau"])
    url, _html = _previewed(c)
    first = c.post(url, {"confirm": "1"})  # the job is queued (not run: no commit)
    second = c.post(url, {"confirm": "1"})
    assert Job.objects.count() == 1 and first.url == second.url
