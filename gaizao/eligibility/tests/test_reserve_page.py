"""The reserve page (issue 14, STYLE.md habit 18): the evaluate form offers
no list that grows with the jurisdiction, a typed area is resolved within the
user's scope, and the page's body is cached per user, query and data."""

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gaizao.core import pagecache
from gaizao.core.models import Job
from gaizao.eligibility import selectors, services
from gaizao.eligibility.models import Verdict
from gaizao.inventory.models import Compound
from gaizao.regions.models import Area

from .conftest import good_compound

URL = reverse("eligibility:reserve")
EVALUATE = reverse("eligibility:evaluate")


@pytest.fixture
def willing(monkeypatch):
    monkeypatch.setattr(
        selectors, "willingness_shares", lambda ids: dict.fromkeys(ids, Decimal("0.9"))
    )


def _measure(client):
    cache.clear()  # the full render, not a cached body
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(URL)
    assert r.status_code == 200
    return len(r.content), len(ctx.captured_queries), r.content.decode()


def test_page_does_not_grow_with_areas_and_compounds(policies, areas, users, client_for):
    client = client_for(users["district"])
    size, queries, html = _measure(client)
    assert 'name="area" value="盘龙区"' in html  # the user's own area preselected
    for i in range(40):
        Area.objects.create(
            code=f"530103005{i + 100:03d}",
            name=f"新社区{i}",
            level="community",
            parent=areas["jinchen"],
        )
    for i in range(30):
        good_compound(areas["jinchen"], f"未评估老院{i}")
    size2, queries2, html2 = _measure(client)
    assert "新社区" not in html2
    assert queries2 == queries
    assert abs(size2 - size) < 20, (size, size2)  # only the unevaluated count's digits


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("530103005000", "“金辰街道”不在您的辖区内,不能评估"),
        ("金辰街道", "“金辰街道”不在您的辖区内,不能评估"),
        ("530103999000", "没有代码为 530103999000 的区划"),
        ("不存在的街道", "没有找到名为“不存在的街道”的区划"),
    ],
)
def test_out_of_scope_or_unknown_area_refused(
    typed, message, policies, areas, users, client_for, willing
):
    good_compound(areas["jinchen"], "金辰老院")
    r = client_for(users["street_qingyun"]).post(EVALUATE, {"area": typed}, follow=True)
    assert r.status_code == 200
    assert message in r.content.decode()
    assert not Verdict.objects.exists()


def test_ambiguous_name_asks_for_the_code(policies, areas, users, client_for, willing):
    Area.objects.create(
        code="530103005100", name="同名社区", level="community", parent=areas["jinchen"]
    )
    Area.objects.create(
        code="530103006100", name="同名社区", level="community", parent=areas["qingyun"]
    )
    client = client_for(users["district"])
    html = client.post(EVALUATE, {"area": "同名社区"}, follow=True).content.decode()
    assert "有多个名为“同名社区”的区划" in html and "530103006100" in html
    assert not Verdict.objects.exists()
    # within a street office's scope the same name is unique
    r = client_for(users["street_qingyun"]).post(EVALUATE, {"area": "同名社区"})
    assert r.status_code == 302


def test_typed_name_evaluates_that_area(policies, areas, users, client_for, willing):
    good_compound(areas["jinchen"], "金辰老院")
    good_compound(areas["qingyun"], "青云老院")
    r = client_for(users["district"]).post(EVALUATE, {"area": " 青云街道 "}, follow=True)
    assert "青云街道:" in r.content.decode()
    assert set(Verdict.objects.values_list("compound__name", flat=True)) >= {"青云老院"}
    assert not Verdict.objects.filter(compound__name="金辰老院").exists()


@override_settings(GAIZAO_SYNC_EVALUATE_MAX=1)
def test_typed_name_runs_a_large_area_as_a_job(
    policies, areas, users, client_for, willing, django_capture_on_commit_callbacks
):
    for i in range(3):
        good_compound(areas["qingyun"], f"青云老院{i}")
    with django_capture_on_commit_callbacks(execute=True):
        r = client_for(users["district"]).post(EVALUATE, {"area": "青云街道"})
    job = Job.objects.get()
    assert r.url == reverse("core:job", args=[job.pk]) and job.status == Job.Status.DONE
    n = Compound.objects.filter(street=areas["qingyun"]).count()
    assert Verdict.objects.count() == n >= 3


def test_body_cached_per_user_and_fresh_after_a_write(policies, areas, users, client_for, willing):
    c = good_compound(areas["jinchen"], "缓存老院")
    services.evaluate_area(actor=None, area=areas["district"])
    client = client_for(users["district"])
    first = client.get(URL + "?verdict=eligible")
    assert "page" in first.context and "缓存老院" in first.content.decode()
    second = client.get(URL + "?verdict=eligible")
    assert "page" not in second.context  # served from the cache
    html = second.content.decode()
    assert "缓存老院" in html and "csrfmiddlewaretoken" in html  # the form is outside the body
    # another user never gets the first user's body
    other = client_for(users["bureau"]).get(URL + "?verdict=eligible")
    assert "page" in other.context
    # a write makes the next request fresh
    Verdict.objects.filter(compound=c).update(verdict="ineligible")
    Verdict.objects.get(compound=c).save()
    third = client.get(URL + "?verdict=eligible")
    assert "page" in third.context and "缓存老院" not in third.content.decode()


def test_cached_body_holds_no_post_form(policies, areas, users, client_for, monkeypatch):
    stored = []
    real = pagecache.cache.set
    monkeypatch.setattr(
        pagecache.cache, "set", lambda k, v, *a: (stored.append((k, v)), real(k, v, *a))
    )
    html = client_for(users["district"]).get(URL).content.decode()
    assert 'method="post"' in html  # the page has the evaluate form …
    bodies = [v for k, v in stored if ":eligibility.reserve:" in k]
    assert len(bodies) == 1
    assert "csrfmiddlewaretoken" not in bodies[0] and 'method="post"' not in bodies[0]
