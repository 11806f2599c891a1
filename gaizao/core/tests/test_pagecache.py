"""Rendered list bodies (gaizao.core.pagecache) are keyed by user and query
and dropped by any write to a gaizao record, not by the trail or the inbox."""

from datetime import date

import pytest
from django.test import RequestFactory

from gaizao.core import audit, pagecache, summaries
from gaizao.inventory.models import Survey


def _request(user, **get):
    r = RequestFactory().get("/x/", get)
    r.user = user
    return r


@pytest.mark.django_db
def test_key_separates_users_queries_and_versions(users):
    a, b = users["district"], users["street_jinchen"]
    k = pagecache.body_key(_request(a, page="2"), "p")
    assert k != pagecache.body_key(_request(b, page="2"), "p")
    assert k != pagecache.body_key(_request(a, page="3"), "p")
    assert k == pagecache.body_key(_request(a, page="2"), "p")
    summaries.bump_version()
    assert k != pagecache.body_key(_request(a, page="2"), "p")


@pytest.mark.django_db
def test_any_record_write_bumps_but_the_trail_does_not(cast, users):
    v = summaries.version()
    Survey.objects.create(compound=cast["compound_a"], surveyed_on=date(2024, 5, 1))
    assert summaries.version() > v
    v = summaries.version()
    audit.record(actor=users["admin"], instance=cast["compound_a"], action="update", changes={})
    assert summaries.version() == v


@pytest.mark.django_db
def test_cached_body_is_built_once(users):
    calls = []

    def build():
        calls.append(1)
        return "partials/_pager.html", {"page": None}

    r = _request(users["district"])
    pagecache.cached_body(r, "t", build)
    pagecache.cached_body(r, "t", build)
    assert len(calls) == 1
