"""Read-replica routing (gaizao.core.replica, issue 14 item 4).

The decision is tested as a pure function everywhere. The live tests run
only when DATABASE_REPLICA_URL names a real PostgreSQL standby (`.ci/run`
starts one with scripts/replica.sh): they point the "replica" alias at the
standby's copy of the test database and check which server each page read
from."""

import os
import time

import dj_database_url
import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gaizao.core.replica import (
    PIN_COOKIE,
    REPLICA,
    ReplicaRouter,
    read_alias_for,
    replica_configured,
    view_may_lag,
)
from gaizao.inventory.models import Compound
from gaizao.testing import make_compound


def test_only_named_read_pages_read_from_the_replica():
    decide = read_alias_for
    assert decide(method="GET", url_name="disclosure:dashboard", pinned=False, configured=True) == (
        REPLICA
    )
    assert decide(method="HEAD", url_name="inventory:compound_list", pinned=False, configured=True)
    # a page that may not lag, a write, a writer's next page, no replica:
    assert decide(
        method="GET", url_name="inventory:compound_edit", pinned=False, configured=True
    ) == ("default")
    assert decide(
        method="POST", url_name="disclosure:dashboard", pinned=False, configured=True
    ) == ("default")
    assert decide(method="GET", url_name="disclosure:dashboard", pinned=True, configured=True) == (
        "default"
    )
    assert decide(
        method="GET", url_name="disclosure:dashboard", pinned=False, configured=False
    ) == ("default")
    assert decide(method="GET", url_name=None, pinned=False, configured=True) == "default"


def test_patterns_match_whole_names():
    assert view_may_lag("disclosure:portal", ["disclosure:*"])
    assert not view_may_lag("inventory:compound_list_export", ["inventory:compound_list"])


def test_router_writes_and_migrates_only_on_the_primary():
    r = ReplicaRouter()
    assert r.db_for_write(Compound) == "default"
    assert r.db_for_read(Compound) == "default"  # outside a request
    assert r.allow_migrate("default", "inventory") and not r.allow_migrate(REPLICA, "inventory")


live = pytest.mark.skipif(
    not (os.environ.get("DATABASE_REPLICA_URL") and replica_configured()),
    reason="no streaming replica (set DATABASE_REPLICA_URL; .ci/run starts one)",
)


@pytest.fixture
def standby():
    """The "replica" alias pointed at the standby's copy of the test database."""
    url = dj_database_url.parse(os.environ["DATABASE_REPLICA_URL"])
    conn = connections[REPLICA]
    mirrored = conn.settings_dict
    conn.close()
    conn.settings_dict = {
        **connections["default"].settings_dict,
        "HOST": url["HOST"],
        "PORT": url["PORT"],
    }
    with conn.cursor() as c:
        c.execute("select pg_is_in_recovery()")
        assert c.fetchone()[0] is True, "DATABASE_REPLICA_URL is not a standby"
    yield conn
    conn.close()
    conn.settings_dict = mirrored


def _replicated(model, **lookup):
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if model.objects.using(REPLICA).filter(**lookup).exists():
            return True
        time.sleep(0.1)
    return False


@live
@pytest.mark.django_db(transaction=True, databases=["default", REPLICA])
def test_read_pages_read_from_the_standby_and_a_writer_reads_the_primary(
    standby, areas, users, client_for
):
    from django.contrib.sessions.models import Session

    c = make_compound(areas["jinchen"], "副本小区", community=areas["tianxiang"])
    client = client_for(users["district"])
    session_key = client.cookies["sessionid"].value
    assert _replicated(Compound, pk=c.pk) and _replicated(Session, session_key=session_key)

    with (
        CaptureQueriesContext(standby) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_primary,
    ):
        r = client.get(reverse("inventory:compound_list"))
    assert r.status_code == 200 and "副本小区" in r.content.decode()
    assert len(on_replica) > 0
    # The page's own reads (the compounds) come from the standby; the session
    # and user may be read on the primary by middleware that runs before
    # the view is resolved (the idle timeout), which is the safe side.
    assert not [q for q in on_primary if "inventory_compound" in q["sql"]]
    assert any("inventory_compound" in q["sql"] for q in on_replica)

    # A page that may not lag reads the primary.
    with CaptureQueriesContext(standby) as on_replica:
        assert client.get(reverse("inventory:compound_detail", args=[c.pk])).status_code == 200
    assert len(on_replica) == 0

    # After a write the browser is pinned to the primary for its next pages.
    r = client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert PIN_COOKIE in r.cookies
    with CaptureQueriesContext(standby) as on_replica:
        assert client.get(reverse("inventory:compound_list")).status_code == 200
    assert len(on_replica) == 0


def test_ci_runs_the_live_tests_when_it_asks_for_them():
    """`.ci/run` sets GAIZAO_REQUIRE_REPLICA=1: the live tests must not skip."""
    if os.environ.get("GAIZAO_REQUIRE_REPLICA") == "1":
        assert os.environ.get("DATABASE_REPLICA_URL") and replica_configured()
