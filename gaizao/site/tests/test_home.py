"""The home page's figures: one level below the user's area, from the kept
summary, in a number of queries that does not grow with the compounds."""

from datetime import date

import pytest
from django.core.cache import cache

from gaizao import testing
from gaizao.inventory.models import Survey


@pytest.mark.django_db
def test_district_sees_streets_street_sees_communities(client_for, users, cast, areas):
    Survey.objects.create(compound=cast["compound_a"], surveyed_on=date(2024, 5, 1))
    r = client_for(users["district"]).get("/")
    assert r.context["by_area_label"] == "街道"
    names = [row["area_name"] for row in r.context["by_area"]]
    assert "金辰街道" in names and "青云街道" in names
    assert r.context["surveyed"] == 1
    r = client_for(users["street_jinchen"]).get("/")
    assert r.context["by_area_label"] == "社区"
    assert r.context["totals"]["n"] == 1


@pytest.mark.django_db
def test_home_query_count_does_not_grow(client_for, users, areas, django_assert_num_queries):
    client = client_for(users["district"])
    client.get("/")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # Each measured request renders in full (the header's inbox count is
    # cached per data version, which the writes below bump).
    cache.clear()
    with CaptureQueriesContext(connection) as small:
        client.get("/")
    for i in range(25):
        c = testing.make_compound(areas["qingyun"], f"新增小区{i}")
        Survey.objects.create(compound=c, surveyed_on=date(2024, 5, 1))
    cache.clear()
    with CaptureQueriesContext(connection) as big:
        r = client.get("/")
    assert len(big.captured_queries) == len(small.captured_queries)
    assert r.context["surveyed"] == 25
