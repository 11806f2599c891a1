"""Every list page and every list API answers in the same number of queries
whether the jurisdiction holds 3 compounds or 30, each with its children
(buildings, units, a survey, a verdict, a plan with funding, a vote with a
ballot, a willingness survey, an access code, feedback, a satisfaction
evaluation, works with milestones, items and costs, a programme entry, a
management arrangement, a meeting task, an audit entry, a notice, a job):
no N+1 anywhere (STYLE.md habit 11 and 18; issue 14). site may import every
app, so the pages of all of them are measured here in one place."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gaizao import testing
from gaizao.consultation.models import AccessCode, Ballot, Consultation, Vote
from gaizao.core.audit import record
from gaizao.core.models import Job
from gaizao.eligibility.models import Policy, Verdict
from gaizao.feedback.models import Feedback, SatisfactionEvaluation, SatisfactionResponse
from gaizao.inventory.models import Survey
from gaizao.plans.models import FundingLine, Plan
from gaizao.programme.models import Batch, Entry, Programme
from gaizao.stewardship.models import ManagementArrangement
from gaizao.works.models import CostEntry, WorksItem
from gaizao.works.organisation.models import Decision, Meeting, Task

BBOX = {"bbox": "102.0,24.5,103.5,25.5", "zoom": "12"}


def _pages(vote_pk, survey_pk, district_pk, programme_pk):
    """(user, url, query) of every list page, the vote and willingness pages
    and every list API."""
    r = reverse
    return [
        ("district", r("core:home"), {}),
        ("district", r("inventory:compound_list"), {}),
        ("district", r("inventory:compound_list"), {"q": "测"}),
        ("district", r("inventory:map_data"), {}),
        ("district", r("inventory:map_data"), BBOX),
        ("district", r("inventory:import"), {}),
        ("district", r("eligibility:reserve"), {}),
        ("district", r("eligibility:policy_list"), {}),
        ("district", r("plans:plan_list"), {}),
        ("district", r("plans:cluster_list"), {}),
        ("district", r("programme:programme_list"), {}),
        ("district", r("programme:board", args=[programme_pk]), {}),
        ("district", r("programme:progress", args=[programme_pk]), {}),
        ("district", r("plans:catalogue"), {}),
        ("district", r("plans:cluster_new"), {}),
        ("district", r("inventory:map"), {}),
        ("district", r("disclosure:map"), {}),
        ("district", r("disclosure:report"), {}),
        ("district", r("works:organisation"), {}),
        ("admin", r("accounts:reset_admin"), {}),
        ("resident_a", r("consultation:feedback_list"), {}),
        ("district", r("consultation:staff_home"), {}),
        ("district", r("consultation:staff_home"), {"active": "1"}),
        ("district", r("consultation:vote_detail", args=[vote_pk]), {}),
        ("district", r("consultation:survey_results", args=[survey_pk]), {}),
        ("district", r("consultation:feedback_queue"), {}),
        ("district", r("consultation:satisfaction_list"), {}),
        ("district", r("stewardship:arrangement_list"), {}),
        ("district", r("works:works_list"), {}),
        ("district", r("works:responsibility"), {}),
        ("district", r("works:alerts"), {}),
        ("district", r("works:meeting_list"), {}),
        ("district", r("works:meeting_new"), {}),
        ("district", r("works:org_suggest"), {"q": "公司"}),
        ("district", r("works:person_suggest"), {"q": "d"}),
        ("district", r("core:jobs"), {}),
        ("district", r("core:inbox"), {}),
        ("admin", r("core:audit_log"), {}),
        ("district", r("disclosure:dashboard"), {}),
        ("district", r("disclosure:dashboard_compounds"), {}),
        ("district", r("disclosure:map_data"), BBOX),
        (None, r("disclosure:portal"), {}),
        ("district", "/api/v1/areas", {}),
        ("district", "/api/v1/compounds", {}),
        ("district", "/api/v1/eligibility/reserve", {}),
        ("district", "/api/v1/policies", {}),
        ("district", "/api/v1/catalogue", {}),
        ("district", "/api/v1/clusters", {}),
        ("district", "/api/v1/participation/surveys", {}),
        ("district", "/api/v1/votes", {}),
        ("district", "/api/v1/feedback", {}),
        ("district", "/api/v1/satisfaction", {}),
        ("district", "/api/v1/programmes", {}),
        ("district", "/api/v1/inbox", {}),
        ("district", "/api/v1/works", {}),
        ("district", "/api/v1/responsibility/late", {}),
        ("district", "/api/v1/works-progress", {"area_id": district_pk}),
        ("district", "/api/v1/meetings", {}),
        ("district", "/api/v1/tasks", {}),
    ]


class World:
    """Compounds with their children, added in rounds of the same shape."""

    def __init__(self, cast, areas, users):
        self.cast, self.areas, self.users, self.n = cast, areas, users, 0
        admin = users["admin"]
        self.policy = Policy.objects.create(name="测试政策", built_cutoff=date(2000, 12, 31))
        prog = Programme.objects.create(name="2024年改造计划", area=areas["district"])
        self.batch = Batch.objects.create(
            programme=prog,
            name="第一批",
            starts_on=date(2024, 1, 1),
            ends_on=date(2024, 12, 31),
            households_target=100,
            area_target_m2=Decimal("10000"),
        )
        self.meeting = Meeting.objects.create(
            area=areas["district"], title="联席会议", held_on=date(2024, 3, 1), created_by=admin
        )
        self.decision = Decision.objects.create(meeting=self.meeting, seq=1, text="推进改造")
        self.vote = self.survey = None

    def add(self, count):
        for _ in range(count):
            self._one()

    def _one(self):
        i, now, today = self.n, timezone.now(), date.today()
        self.n += 1
        admin, users, areas = self.users["admin"], self.users, self.areas
        street, community = (
            (areas["jinchen"], areas["tianxiang"])
            if i % 2
            else (areas["qingyun"], areas["yunshan"])
        )
        c = testing.make_compound(
            street,
            f"测试{i:03d}小区",
            community=community,
            latitude=Decimal("25.0") + Decimal(i) / 1000,
            longitude=Decimal("102.7") + Decimal(i) / 1000,
        )
        b = testing.make_building(c, "1栋")
        owner = testing.make_owner(c, f"业主{i}", phone="13812345678")
        u1 = testing.make_unit(b, "101", owner=owner)
        testing.make_unit(testing.make_building(c, "2栋"), "201")
        Survey.objects.create(compound=c, surveyor=users["surveyor"], surveyed_on=date(2024, 5, 1))
        Verdict.objects.create(
            compound=c, policy=self.policy, verdict="eligible", by_default=True, evaluated_at=now
        )
        plan = Plan.objects.create(
            compound=c, year=2024, status="approved", created_by=admin, total_cost=Decimal("1e6")
        )
        FundingLine.objects.create(plan=plan, source="central_subsidy", amount=Decimal("8e5"))
        vote = Vote.objects.create(
            compound=c,
            matter=7,
            title="改造方案表决",
            law="civil_code",
            opens_at=now - timedelta(days=1),
            closes_at=now + timedelta(days=10),
            status=Vote.Status.OPEN,
            created_by=admin,
        )
        Ballot.objects.create(vote=vote, unit=u1, choice="agree", channel="online")
        survey = Consultation.objects.create(
            compound=c, title="意愿征询", opens_at=now, closes_at=now + timedelta(days=3)
        )
        AccessCode.objects.create(unit=u1, code_hash=f"{i:064d}")
        Feedback.objects.create(
            compound=c,
            category="other",
            assisted=True,
            reporter_name="李四光",
            text="楼道灯坏了",
            responsible_org=self.cast["property_company"],
            due_on=today + timedelta(days=7),
        )
        ev = SatisfactionEvaluation.objects.create(compound=c, title="满意度评价")
        SatisfactionResponse.objects.create(
            evaluation=ev, unit=u1, overall=5, quality=4, content=4, civility=5, management=4
        )
        works = testing.make_works(plan, done_through="start", on=date(2024, 6, 10))
        works.milestones.filter(stage="completion").update(planned_on=today - timedelta(days=5))
        item = WorksItem.objects.create(
            works=works, name="供水管网改造", unit="m", quantity=Decimal("10"), budget=8000
        )
        CostEntry.objects.create(
            works=works,
            item=item,
            source="central_subsidy",
            kind="paid",
            amount=Decimal("300"),
            on=date(2024, 7, 1),
        )
        Entry.objects.create(
            programme=self.batch.programme,
            compound=c,
            batch=self.batch,
            cost_yuan=Decimal("1000000"),
            area_m2=Decimal("5000"),
            households=40,
        )
        ManagementArrangement.objects.create(compound=c, model="property_company")
        Task.objects.create(
            decision=self.decision,
            title=f"任务{i}",
            owner_org=self.cast["property_company"],
            compound=c,
            due_on=today,
        )
        record(actor=admin, instance=c, action="update", changes={"note": ["", str(i)]})
        Job.objects.create(user=users["district"], kind="inventory.export", title=f"导出{i}")
        if self.vote is None:
            self.vote, self.survey = vote, survey


def _count(client, url, query):
    # The full render, not a body from the list cache (gaizao.core.pagecache).
    cache.clear()
    with CaptureQueriesContext(connection) as q:
        r = client.get(url, query)
    assert r.status_code == 200, (url, r.status_code, r.content[:300])
    return len(q)


@pytest.mark.django_db
def test_query_counts_do_not_grow_with_the_jurisdiction(
    cast, areas, users, client_for, monkeypatch
):
    # The session's last-activity mark is written at most once a minute
    # (accounts.middleware.WRITE_EVERY); measuring ~60 pages twice can outlast
    # that on a loaded machine and one request of one round would count the
    # write (seen: 6 → 10 on /audit/ and the vote page). Marks are written at the
    # warm-up only.
    monkeypatch.setattr("gaizao.accounts.middleware.WRITE_EVERY", 10**9)
    world = World(cast, areas, users)
    world.add(3)
    pages = _pages(world.vote.pk, world.survey.pk, areas["district"].pk, world.batch.programme_id)
    clients = {name: client_for(users[name] if name else None) for name in {p[0] for p in pages}}
    for name, url, query in pages:  # warm: sessions, content types, caches
        clients[name].get(url, query)
    small = {(url, str(query)): _count(clients[name], url, query) for name, url, query in pages}
    world.add(27)
    large = {(url, str(query)): _count(clients[name], url, query) for name, url, query in pages}
    grew = {k: (small[k], large[k]) for k in small if small[k] != large[k]}
    assert grew == {}
    # The 30 are really seen (the counts above measured full lists).
    district = clients["district"]
    for url in ("inventory:compound_list", "works:works_list", "consultation:feedback_queue"):
        assert "测试029小区" in district.get(reverse(url)).content.decode(), url
    assert len(district.get("/api/v1/works").json()["items"]) >= 30


@pytest.mark.django_db
def test_staff_vote_page_does_not_grow_with_buildings(cast, areas, users, client_for):
    """The staff vote page (ballot entry by building, conflicts, objections)
    for a compound of 3 buildings and of 30: the same queries (issue 14
    measured 428 for a 10,000-unit compound)."""
    world = World(cast, areas, users)
    world.add(1)
    vote, compound = world.vote, world.vote.compound
    url = reverse("consultation:vote_detail", args=[vote.pk])
    staff = client_for(users["district"])
    staff.get(url)

    def add(start, stop):
        for i in range(start, stop):
            b = testing.make_building(compound, f"{i + 3}栋")
            for n in ("101", "102"):
                u = testing.make_unit(b, n)
                Ballot.objects.create(vote=vote, unit=u, choice="agree", channel="online")

    add(0, 3)
    small = _count(staff, url, {})
    add(3, 30)
    assert _count(staff, url, {}) == small
    assert "32栋" in staff.get(url).content.decode()  # every building offered for entry
