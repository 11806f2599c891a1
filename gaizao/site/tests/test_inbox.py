"""The inbox (待办与通知): fed by votes, feedback, works milestones and
notices; the header count is one query; permissions; page and API."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gaizao import testing
from gaizao.accounts.models import ORGANISATION_ROLES
from gaizao.consultation.models import Ballot, Vote
from gaizao.core import notify
from gaizao.core.models import AuditEntry, Notice
from gaizao.feedback.models import Feedback
from gaizao.plans.models import Cluster, ClusterMember, Plan
from gaizao.site import inbox
from gaizao.works import selectors as works_selectors
from gaizao.works.models import Milestone


@pytest.fixture
def vote(cast):
    now = timezone.now()
    return Vote.objects.create(
        compound=cast["compound_a"],
        matter=7,
        title="加装电梯",
        law="civil_code",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=7),
        status="open",
    )


def test_resident_sees_the_open_vote_until_their_unit_has_voted(cast, users, client_for, vote):
    c = client_for(users["resident_a"])
    page = c.get("/inbox/").content.decode()
    assert "待您表决" in page and "加装电梯" in page
    assert reverse("consultation:vote_detail", args=[vote.pk]) in page
    assert inbox.counts(users["resident_a"])["votes"] == 1
    # another compound's resident: nothing
    assert inbox.counts(users["resident_b"])["votes"] == 0
    Ballot.objects.create(vote=vote, unit=cast["units_a"][0], choice="agree", channel="online")
    assert inbox.counts(users["resident_a"])["votes"] == 0
    assert "加装电梯" not in c.get("/inbox/").content.decode()


def test_feedback_waits_for_the_staff_who_answer_it(cast, users, client_for):
    client_for(users["resident_a"]).post(
        "/participate/feedback/new/",
        {"category": "property_service", "text": "垃圾没人清运", "place": "1栋"},
    )
    fb = Feedback.objects.get()
    assert fb.responsible_org == cast["property_company"]
    assert inbox.counts(users["property_company"])["feedback"] == 1
    assert inbox.counts(users["community_tianxiang"])["feedback"] == 1
    assert inbox.counts(users["community_yunshan"])["feedback"] == 0
    assert inbox.counts(users["contractor"])["feedback"] == 0
    assert inbox.counts(users["resident_a"])["feedback"] == 0
    page = client_for(users["property_company"]).get("/inbox/").content.decode()
    assert "待处理的居民反馈" in page and f"/feedback/{fb.pk}/" in page


def test_overdue_milestones_are_listed(cast, users, client_for):
    plan = Plan.objects.create(compound=cast["compound_a"], year=2026, status="approved")
    works = testing.make_works(plan, done_through="design")
    m = Milestone.objects.get(works=works, stage="tender")
    m.planned_on = timezone.localdate() - timedelta(days=5)
    m.save()  # a save keeps the summary (a bulk update would not)
    assert inbox.counts(users["district"])["milestones"] == 1
    assert inbox.counts(users["street_qingyun"])["milestones"] == 0
    page = client_for(users["district"]).get("/inbox/").content.decode()
    assert "已逾期的施工节点" in page and "已逾期 5 天" in page


def test_notices_listed_and_marked_read_only_by_their_recipient(cast, users, client_for):
    notify.send(
        recipients=[users["street_jinchen"]],
        subject="节点逾期",
        body="天祥小区开工已逾期",
        kind="works.overdue",
        ref="t:1",
        channels=("inapp",),
    )
    n = Notice.objects.get()
    c = client_for(users["street_jinchen"])
    assert "节点逾期" in c.get("/inbox/").content.decode()
    # someone else cannot mark it read, neither by page nor API
    other = client_for(users["street_qingyun"])
    assert other.post("/inbox/read/", {"notice": n.pk}).status_code == 404
    assert other.post(f"/api/v1/inbox/notices/{n.pk}/read").status_code == 404
    n.refresh_from_db()
    assert n.read_at is None
    r = c.post(f"/api/v1/inbox/notices/{n.pk}/read")
    assert r.status_code == 200 and r.json()["notice_id"] == n.pk
    n.refresh_from_db()
    assert n.read_at is not None
    assert AuditEntry.objects.filter(model="core.notice", object_pk=str(n.pk)).exists()
    assert "节点逾期" not in c.get("/inbox/").content.decode()


def test_header_count_is_one_query_and_the_api_agrees(cast, users, client_for, vote):
    user = users["resident_a"]
    Notice.objects.create(recipient=user, subject="通知", kind="t", ref="x")

    class Req:
        pass

    req = Req()
    req.user = user
    with CaptureQueriesContext(connection) as ctx:
        assert inbox.inbox_count(req) == 2
        assert inbox.inbox_count(req) == 2  # cached on the request
    assert len(ctx.captured_queries) == 1
    c = client_for(user)
    page = c.get("/participate/").content.decode()
    assert 'class="inbox-link"' in page and ">2</span>" in page
    data = c.get("/api/v1/inbox").json()
    assert data["count"] == 2 and data["counts"]["votes"] == 1 and data["counts"]["notices"] == 1
    assert {i["kind"] for i in data["items"]} == {"votes", "notices"}


def test_inbox_needs_a_login(cast, client_for):
    anon = client_for(None)
    assert anon.get("/inbox/").status_code == 302
    assert anon.get("/api/v1/inbox").status_code in (401, 403)


def test_header_count_is_cached_until_a_write(cast, users, client_for, vote):
    """A second page costs no count query; a new notice (any write) makes the
    next page count again."""
    user = users["resident_a"]

    class Req:
        pass

    first, second, third = Req(), Req(), Req()
    for r in (first, second, third):
        r.user = user
    assert inbox.inbox_count(first) == 1
    with CaptureQueriesContext(connection) as ctx:
        assert inbox.inbox_count(second) == 1
    assert len(ctx.captured_queries) == 0
    Notice.objects.create(recipient=user, subject="通知", kind="t", ref="y")
    assert inbox.inbox_count(third) == 2


def _late(works, stage, days, org=None):
    m = Milestone.objects.get(works=works, stage=stage)
    m.planned_on = timezone.localdate() - timedelta(days=days)
    m.responsible_org = org
    m.save()
    return m


def _old_count(user):
    """The count as it was derived before issue 14: the responsibility
    list's late rows (the company's own for an organisation)."""
    if user.role == "resident":
        return 0
    org = user.organisation_id if user.role in ORGANISATION_ROLES else None
    return works_selectors.responsibility_rows(user, org_id=org).count()


def test_overdue_count_from_the_kept_summary_equals_the_responsibility_rows(
    cast, users, areas, client_for
):
    """Issue 14: the header's overdue milestones are found through
    CompoundFacts.next_due_on; the number is the old derivation's for every
    user, and a write changes it at once (the summary is kept in the
    writer's transaction)."""
    a, b = cast["compound_a"], cast["compound_b"]
    own = testing.make_works(
        Plan.objects.create(compound=a, year=2026, status="approved"), done_through=None
    )
    _late(own, "design", 9)
    _late(own, "tender", 3, org=cast["property_company"])
    future = Milestone.objects.get(works=own, stage="start")
    future.planned_on = timezone.localdate() + timedelta(days=3)
    future.save()
    cl = Cluster.objects.create(name="测试片区", area=areas["district"])
    ClusterMember.objects.create(cluster=cl, compound=b)
    shared = testing.make_works(
        Plan.objects.create(cluster=cl, year=2026, status="approved"), done_through=None
    )
    done = _late(shared, "design", 4)
    counted = {}
    for name, user in users.items():
        got = inbox.counts(user)["milestones"]
        assert got == _old_count(user), name
        counted[name] = got
    assert counted["district"] == 3
    assert counted["street_jinchen"] == 2 and counted["street_qingyun"] == 1
    assert counted["property_company"] == 1
    # the listed items are the same rows
    district = users["district"]
    listed = [i.url for i in inbox.items(district)["milestones"]]
    assert len(listed) == 3

    class Req:
        pass

    r1, r2, r3 = Req(), Req(), Req()
    for r in (r1, r2, r3):
        r.user = district
    before = inbox.inbox_count(r1)
    done.actual_on = timezone.localdate()
    done.save()
    assert inbox.inbox_count(r2) == before - 1
    assert (
        inbox.counts(users["street_qingyun"])["milestones"]
        == 0
        == _old_count(users["street_qingyun"])
    )
    _late(own, "start", 1)  # the future milestone is now overdue
    assert inbox.inbox_count(r3) == before
    for name, user in users.items():
        assert inbox.counts(user)["milestones"] == _old_count(user), name
    # the responsibility list's summary is counted in SQL, as the rows say
    rows = list(works_selectors.responsibility_rows(district))
    summary = works_selectors.late_summary(works_selectors.responsibility_rows(district))
    by_street, by_org = {}, {}
    for m in rows:
        st = m.works.compound.street.name if m.works.compound_id else "—"
        by_street[st] = by_street.get(st, 0) + 1
        org = m.responsible_org.name if m.responsible_org_id else "—"
        by_org[org] = by_org.get(org, 0) + 1
    assert dict(summary["by_area"]) == by_street and len(rows) == 3
    assert dict(summary["by_org"]) == by_org and len(by_org) == 2
    assert [n for _s, n in summary["by_area"]] == sorted(by_street.values(), reverse=True)
