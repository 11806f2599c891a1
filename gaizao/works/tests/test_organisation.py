"""Organisation of the programme (issue 10, item 4): the leadership group,
joint meetings whose decisions become tasks with owners and due dates, the
tasks on the responsibility list and in `gaizao remind`, who sees and closes
them, the organisations linked to a compound, and the API."""

from datetime import date, timedelta

import pytest
from django.core.management import call_command

from gaizao.core.models import AuditEntry, Notice
from gaizao.regions.models import Organisation
from gaizao.testing import make_org
from gaizao.works.organisation.models import CompoundLink, Meeting, Task

K = Organisation.Kind


@pytest.fixture
def orgs(areas):
    return {
        "office": make_org(
            "盘龙区老旧小区改造工作领导小组办公室", K.LEADERSHIP_OFFICE, areas["district"]
        ),
        "bureau": make_org("盘龙区住房和城乡建设局", K.HOUSING_BUREAU, areas["district"]),
        "civil": make_org("盘龙区民政局", K.CIVIL_AFFAIRS, areas["district"]),
        "jinchen": make_org("金辰街道办事处", K.STREET_OFFICE, areas["jinchen"]),
        "qingyun": make_org("青云街道办事处", K.STREET_OFFICE, areas["qingyun"]),
        "tianxiang": make_org("天祥社区居委会", K.COMMUNITY_COMMITTEE, areas["tianxiang"]),
        "party": make_org("天祥社区党委", K.PARTY_ORGANISATION, areas["tianxiang"]),
        "water": make_org("供水公司盘龙分公司", K.UTILITY, areas["district"]),
    }


def _post_meeting(client, cast, orgs, users, *, held, due_a, due_b, **extra):
    data = {
        "title": "老旧小区改造联席会议(第3次)",
        "held_on": held.isoformat(),
        "convened_by": orgs["office"].pk,
        "attendees": [orgs["bureau"].pk, orgs["jinchen"].pk, orgs["qingyun"].pk],
        "minutes": "研究推进天祥小区、云山小区改造",
        "d1": "天祥小区管网改造须在雨季前完成开工准备",
        "d2": "云山小区成立业主委员会",
        "t0_decision": "1",
        "t0_title": "协调供水公司完成管线迁改方案",
        "t0_org": orgs["jinchen"].pk,
        "t0_compound": cast["compound_a"].pk,
        "t0_due": due_a.isoformat(),
        "t1_decision": "2",
        "t1_title": "指导云山小区召开业主大会",
        "t1_org": orgs["qingyun"].pk,
        "t1_compound": cast["compound_b"].pk,
        "t1_due": due_b.isoformat(),
        "t2_decision": "1",
        "t2_title": "审定管网改造施工图",
        "t2_org": orgs["bureau"].pk,
        "t2_person": users["bureau"].pk,
        "t2_due": due_b.isoformat(),
    }
    data.update(extra)
    return client.post("/works/organisation/meetings/new/", data)


@pytest.mark.django_db
def test_meeting_decisions_become_tasks_on_the_responsibility_list(cast, users, orgs, client_for):
    today = date.today()
    office = client_for(users["district"])
    r = _post_meeting(
        office,
        cast,
        orgs,
        users,
        held=today - timedelta(days=20),
        due_a=today - timedelta(days=5),
        due_b=today + timedelta(days=10),
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    m = Meeting.objects.get()
    assert r["Location"].endswith(f"/works/organisation/meetings/{m.pk}/")
    assert [d.text for d in m.decisions.all()] == [
        "天祥小区管网改造须在雨季前完成开工准备",
        "云山小区成立业主委员会",
    ]
    assert m.decisions.get(seq=1).tasks.count() == 2
    assert set(m.attendees.values_list("name", flat=True)) == {
        "盘龙区住房和城乡建设局",
        "金辰街道办事处",
        "青云街道办事处",
    }
    assert AuditEntry.objects.filter(model="works.meeting", object_pk=str(m.pk)).exists()
    # the owners were told: the Jinchen street office's staff log in by area
    told = Notice.objects.filter(kind="works.task").values_list("recipient__username", flat=True)
    assert {"street_jinchen", "street_qingyun", "bureau"} <= set(told)

    page = office.get("/works/responsibility/").content.decode()
    assert "协调供水公司完成管线迁改方案" in page  # 5 days late
    assert "指导云山小区召开业主大会" not in page  # not yet due
    assert "审定管网改造施工图" not in page
    full = office.get("/works/responsibility/?all=1").content.decode()
    assert "指导云山小区召开业主大会" in full
    x = office.get("/works/responsibility/?format=xlsx")
    assert x.status_code == 200 and x["Content-Type"].startswith("application/vnd.openxml")
    home = office.get("/works/organisation/").content.decode()
    assert "金辰街道办事处" in home and "逾期任务" in home


@pytest.mark.django_db
def test_bad_meeting_is_refused_whole(cast, users, orgs, client_for):
    today = date.today()
    office = client_for(users["district"])
    r = _post_meeting(
        office,
        cast,
        orgs,
        users,
        held=today,
        due_a=today - timedelta(days=3),  # before the meeting
        due_b=today,
        t1_org="",  # no owner
    )
    assert r.status_code == 400
    body = r.content.decode()
    assert "完成期限不能早于会议日期" in body and "请选择责任单位" in body
    assert not Meeting.objects.exists() and not Task.objects.exists()
    r = _post_meeting(
        office, cast, orgs, users, held=today, due_a=today, due_b=today, t0_org="999999"
    )
    assert r.status_code == 400 and "不在可选范围内" in r.content.decode()
    r = _post_meeting(
        office, cast, orgs, users, held=today + timedelta(days=1), due_a=today, due_b=today
    )
    assert r.status_code == 400 and "不能晚于今天" in r.content.decode()
    assert not Meeting.objects.exists()


@pytest.mark.django_db
def test_streets_see_their_own_and_close_their_tasks(cast, users, orgs, client_for):
    today = date.today()
    office = client_for(users["district"])
    _post_meeting(
        office,
        cast,
        orgs,
        users,
        held=today - timedelta(days=20),
        due_a=today - timedelta(days=5),
        due_b=today + timedelta(days=10),
    )
    m = Meeting.objects.get()
    jin = client_for(users["street_jinchen"])
    # streets read, they do not call meetings
    assert jin.get("/works/organisation/meetings/new/").status_code == 403
    detail = jin.get(f"/works/organisation/meetings/{m.pk}/").content.decode()
    assert "协调供水公司完成管线迁改方案" in detail
    assert "指导云山小区召开业主大会" not in detail  # Qingyun's task
    ours = Task.objects.get(title="协调供水公司完成管线迁改方案")
    theirs = Task.objects.get(title="指导云山小区召开业主大会")
    bureau_task = Task.objects.get(title="审定管网改造施工图")
    assert (
        jin.post(f"/works/organisation/tasks/{theirs.pk}/done/", {"on": today}).status_code == 404
    )
    # visible (district-level owner, no compound? no: the bureau is above the street) → hidden
    assert (
        jin.post(f"/works/organisation/tasks/{bureau_task.pk}/done/", {"on": today}).status_code
        == 404
    )
    r = jin.post(
        f"/works/organisation/tasks/{ours.pk}/done/",
        {"on": today.isoformat(), "note": "迁改方案已报住建局"},
    )
    assert r.status_code == 302
    ours.refresh_from_db()
    assert ours.done_on == today and ours.done_by == users["street_jinchen"]
    assert AuditEntry.objects.filter(model="works.task", object_pk=str(ours.pk)).exists()
    # twice → a message, not a second write
    jin.post(f"/works/organisation/tasks/{ours.pk}/done/", {"on": today.isoformat()})
    assert AuditEntry.objects.filter(model="works.task", object_pk=str(ours.pk)).count() == 1
    # the Qingyun community cannot see Jinchen's meeting at all once it has no task there
    yun = client_for(users["community_yunshan"])
    assert yun.get(f"/works/organisation/meetings/{m.pk}/").status_code == 200  # its street's task
    assert (
        client_for(users["contractor"]).get(f"/works/organisation/meetings/{m.pk}/").status_code
        == 404
    )
    assert client_for(users["resident_a"]).get("/works/organisation/").status_code == 403


@pytest.mark.django_db(transaction=True)
def test_remind_sends_overdue_tasks_and_escalates_once(cast, users, orgs, client_for, settings):
    settings.GAIZAO_ESCALATE_AFTER_DAYS = 7
    today = date.today()
    _post_meeting(
        client_for(users["district"]),
        cast,
        orgs,
        users,
        held=today - timedelta(days=40),
        due_a=today - timedelta(days=10),  # level 1: the street above hears
        due_b=today + timedelta(days=30),
    )
    t = Task.objects.get(title="协调供水公司完成管线迁改方案")
    call_command("remind")
    refs = set(
        Notice.objects.filter(kind="works.reminder").values_list("ref", "recipient__username")
    )
    assert (f"task:{t.pk}:overdue:0", "street_jinchen") in refs
    assert (f"task:{t.pk}:overdue:1", "street_jinchen") in refs
    assert not any(r[0].startswith(f"task:{t.pk}:overdue:2") for r in refs)
    n = Notice.objects.filter(kind="works.reminder").count()
    call_command("remind")
    assert Notice.objects.filter(kind="works.reminder").count() == n  # idempotent
    # 15 days late: the district hears
    call_command("remind", "--today", (today + timedelta(days=5)).isoformat())
    lvl2 = Notice.objects.filter(ref=f"task:{t.pk}:overdue:2").values_list(
        "recipient__username", flat=True
    )
    assert set(lvl2) == {"district", "bureau"}
    # a closed task is silent
    Task.objects.filter(pk=t.pk).update(done_on=today)
    before = Notice.objects.filter(ref__startswith=f"task:{t.pk}:").count()
    call_command("remind", "--today", (today + timedelta(days=30)).isoformat())
    assert Notice.objects.filter(ref__startswith=f"task:{t.pk}:").count() == before


@pytest.mark.django_db
def test_leadership_group_and_compound_links(cast, users, orgs, client_for):
    office = client_for(users["district"])
    r = office.post(
        "/works/organisation/group/",
        {
            "name": "盘龙区老旧小区改造工作领导小组",
            "office": orgs["office"].pk,
            "established_on": "2019-03-01",
            "basis": "盘龙区人民政府",
        },
    )
    assert r.status_code == 302
    add = {"name": "沃磊", "position": "区委副书记、区长", "role": "leader"}
    assert office.post("/works/organisation/members/", add).status_code == 302
    office.post("/works/organisation/members/", {**add, "name": "某某"})  # a second leader
    page = office.get("/works/organisation/").content.decode()
    assert "沃磊" in page and "区委副书记、区长" in page and "某某" not in page
    assert "已有组长" in page
    bad = office.post("/works/organisation/members/", {**add, "role": "boss", "name": "钱某某"})
    assert (
        bad.status_code == 302
        and "钱某某" not in office.get("/works/organisation/").content.decode()
    )
    street = client_for(users["street_jinchen"])
    assert street.post("/works/organisation/members/", add).status_code == 403
    assert street.get("/works/organisation/").status_code == 200

    c = cast["compound_a"]
    r = office.post(
        f"/works/organisation/compound/{c.pk}/",
        {"role": "party", "org": orgs["party"].pk, "note": "联系点"},
    )
    assert r.status_code == 302 and CompoundLink.objects.filter(compound=c, role="party").exists()
    page = street.get(f"/works/organisation/compound/{c.pk}/").content.decode()
    for name in [
        "金辰街道办事处",
        "天祥社区居委会",
        "天祥小区业委会",
        "甲物业公司",
        "天祥社区党委",
    ]:
        assert name in page
    assert (
        street.post(
            f"/works/organisation/compound/{c.pk}/", {"role": "party", "org": orgs["party"].pk}
        ).status_code
        == 403
    )
    other = client_for(users["street_qingyun"])
    assert other.get(f"/works/organisation/compound/{c.pk}/").status_code == 404


@pytest.mark.django_db
def test_api_meetings_and_tasks(cast, users, orgs, client_for):
    today = date.today()
    office = client_for(users["district"])
    payload = {
        "title": "联席会议(API)",
        "held_on": (today - timedelta(days=3)).isoformat(),
        "convened_by_id": orgs["office"].pk,
        "attendee_ids": [orgs["bureau"].pk],
        "decisions": [
            {
                "text": "落实天祥小区长效管理",
                "tasks": [
                    {
                        "title": "天祥小区制定管理规约",
                        "owner_org_id": orgs["tianxiang"].pk,
                        "compound_id": cast["compound_a"].pk,
                        "due_on": (today - timedelta(days=1)).isoformat(),
                    }
                ],
            }
        ],
    }
    r = office.post("/api/v1/meetings", payload, content_type="application/json")
    assert r.status_code == 201, r.content
    body = r.json()
    tid = body["decisions"][0]["tasks"][0]["id"]
    assert body["decisions"][0]["tasks"][0]["days_late"] == 1
    bad = {
        **payload,
        "decisions": [
            {"text": "x", "tasks": [{**payload["decisions"][0]["tasks"][0], "due_on": "明天"}]}
        ],
    }
    r = office.post("/api/v1/meetings", bad, content_type="application/json")
    assert r.status_code == 400 and "不是有效日期" in r.json()["error"]
    assert Meeting.objects.count() == 1
    community = client_for(users["community_tianxiang"])
    assert [t["id"] for t in community.get("/api/v1/tasks?late=true").json()["items"]] == [tid]
    assert client_for(users["street_qingyun"]).get("/api/v1/tasks").json()["items"] == []
    r = community.post(
        f"/api/v1/tasks/{tid}/done", {"on": today.isoformat()}, content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["done_on"] == today.isoformat()
    assert AuditEntry.objects.filter(model="works.task", source="api").exists()
    street = client_for(users["street_jinchen"])
    r = street.post("/api/v1/meetings", payload, content_type="application/json")
    assert r.status_code == 403


@pytest.mark.django_db
def test_api_meeting_names_organisations_in_the_same_scope_as_the_form(
    cast, users, orgs, client_for, areas
):
    """The API checks task owners and attendees with the web form's own
    scope (selectors.nameable_*): a city-level body above the district may
    be named; another district's body may not, and nothing is written."""
    from gaizao.regions.models import Area

    other = Area.objects.create(
        code="530102000000", name="五华区", level="district", parent=areas["city"]
    )
    wuhua = make_org("五华区住房和城乡建设局", K.HOUSING_BUREAU, other)
    city = make_org("昆明市住房和城乡建设局", K.HOUSING_BUREAU, areas["city"])
    office = client_for(users["district"])
    payload = {
        "title": "联席会议(范围)",
        "held_on": date.today().isoformat(),
        "convened_by_id": orgs["office"].pk,
        "attendee_ids": [city.pk],
        "decisions": [
            {
                "text": "落实市级指导",
                "tasks": [
                    {
                        "title": "市住建局指导",
                        "owner_org_id": city.pk,
                        "due_on": date.today().isoformat(),
                    }
                ],
            }
        ],
    }
    r = office.post("/api/v1/meetings", payload, content_type="application/json")
    assert r.status_code == 201, r.content
    bad = {**payload, "attendee_ids": [wuhua.pk]}
    r = office.post("/api/v1/meetings", bad, content_type="application/json")
    assert r.status_code == 400 and "参会单位不在可选范围内" in r.json()["error"]
    assert Meeting.objects.count() == 1


@pytest.mark.django_db
def test_pages_in_english(cast, users, orgs, client_for, settings, works_a):
    today = date.today()
    office = client_for(users["district"])
    _post_meeting(
        office, cast, orgs, users, held=today, due_a=today, due_b=today + timedelta(days=1)
    )
    office.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    m = Meeting.objects.get()
    page = office.get(f"/works/organisation/meetings/{m.pk}/").content.decode()
    assert "Decisions and tasks" in page and "议定事项与任务" not in page
    assert (
        "Responsibility list (responsibility down the line)"
        in office.get("/works/responsibility/").content.decode()
    )
    detail = office.get(f"/works/{works_a.pk}/").content.decode()
    assert "Milestones (design → tender → start → completion → acceptance → handover)" in detail
    r = office.post("/works/organisation/members/", {"name": "x", "position": "y", "role": "z"})
    assert "Please record the leadership group first" in office.get(r["Location"]).content.decode()


@pytest.mark.django_db
def test_refused_meeting_form_keeps_what_was_typed(cast, users, orgs, client_for):
    today = date.today()
    r = _post_meeting(
        client_for(users["district"]),
        cast,
        orgs,
        users,
        held=today,
        due_a=today,
        due_b=today,
        t1_org="",
    )
    assert r.status_code == 400
    html = r.content.decode()
    assert 'value="协调供水公司完成管线迁改方案"' in html
    # the owner box is typed (regions.picking): what was posted comes back
    assert f'name="t0_org" id="t0_org" maxlength="200" value="{orgs["jinchen"].pk}"' in html
    assert f'value="{today.isoformat()}"' in html
    # the attendees ticked stay ticked, the others not
    assert f'value="{orgs["bureau"].pk}" checked' in html
    assert f'value="{orgs["civil"].pk}" checked' not in html


@pytest.mark.django_db
def test_a_task_names_its_compound_by_typing_it(cast, users, orgs, client_for, areas):
    """The form lists no compounds (habit 18): the name is typed and looked up
    among those the user may see; two of one name need the street."""
    from gaizao.testing import make_compound
    from gaizao.works.organisation.models import Task

    today = date.today()
    office = client_for(users["district"])
    page = office.get("/works/organisation/meetings/new/").content.decode()
    assert '<select name="t0_compound"' not in page and 'name="t0_compound"' in page
    a, b = cast["compound_a"], cast["compound_b"]
    r = _post_meeting(
        office,
        cast,
        orgs,
        users,
        held=today,
        due_a=today,
        due_b=today,
        t0_compound=a.name,
        t1_compound=f"{b.street.name}·{b.name}",
    )
    assert r.status_code == 302
    assert set(Task.objects.values_list("compound__name", flat=True)) >= {a.name, b.name}
    make_compound(areas["qingyun"], a.name, community=areas["yunshan"])
    n = Task.objects.count()
    r = _post_meeting(
        office, cast, orgs, users, held=today, due_a=today, due_b=today, t0_compound=a.name
    )
    assert r.status_code == 400 and "街道·小区名" in r.content.decode()
    r = _post_meeting(
        office, cast, orgs, users, held=today, due_a=today, due_b=today, t0_compound="没有这个小区"
    )
    assert r.status_code == 400 and "不在可选范围内" in r.content.decode()
    assert Task.objects.count() == n  # nothing half-written
