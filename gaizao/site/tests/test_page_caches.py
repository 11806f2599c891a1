"""The cached bodies and JSON answers added for issue 14's slow pages (the
compound detail, the responsibility list, the compound map's data and the
API lists): a write shows up at once, each user gets their own (masked)
copy, a day's change drops them, and the page frame with its CSRF token is
never kept. Also the typed organisation and person lookups that replaced
the capped drop-downs, and their scope."""

from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import RequestFactory
from django.utils import timezone, translation

from gaizao.accounts.models import Role
from gaizao.core import pagecache, summaries
from gaizao.regions.models import Area, Organisation
from gaizao.testing import make_compound, make_org, make_user
from gaizao.works.organisation.models import Decision, Meeting, Task


def _kept(user, path, part, **get):
    """The body kept for `user` asking `path` (None when not kept)."""
    r = RequestFactory().get(path, get)
    r.user = user
    with translation.override("zh-hans"):
        return cache.get(pagecache.body_key(r, part))


@pytest.mark.django_db
def test_compound_detail_is_kept_per_user_masked_and_fresh_after_a_write(cast, users, client_for):
    a = cast["compound_a"]
    url = f"/compounds/{a.pk}/"
    community = client_for(users["community_tianxiang"])  # sees personal data
    district = client_for(users["district"])  # sees masked names
    assert "张三丰" in community.get(url).content.decode()
    kept = _kept(users["community_tianxiang"], url, f"compound.{a.pk}")
    assert kept is not None and "张三丰" in kept
    assert "csrfmiddlewaretoken" not in kept  # the frame is never kept
    html = district.get(url).content.decode()
    assert "张三丰" not in html and "张*丰" in html  # not the other user's copy
    # a write shows at once
    a.name = "天祥新村"
    a.save()
    assert "天祥新村" in district.get(url).content.decode()
    # a compound outside the user's area is still refused (the check is not cached)
    assert client_for(users["street_qingyun"]).get(url).status_code == 404


@pytest.mark.django_db
def test_responsibility_list_drops_a_task_done_at_once(cast, users, client_for):
    office = make_org("金辰街道办事处", Organisation.Kind.STREET_OFFICE, cast["compound_a"].street)
    m = Meeting.objects.create(
        area=cast["compound_a"].street.parent,
        title="联席会议",
        held_on=date.today() - timedelta(days=9),
        created_by=users["district"],
    )
    d = Decision.objects.create(meeting=m, seq=1, text="推进")
    t = Task.objects.create(
        decision=d, title="管线迁改方案", owner_org=office, due_on=date.today() - timedelta(days=3)
    )
    c = client_for(users["district"])
    assert "管线迁改方案" in c.get("/works/responsibility/").content.decode()
    assert _kept(users["district"], "/works/responsibility/", "works.responsibility")
    t.done_on = date.today()
    t.save()
    assert "管线迁改方案" not in c.get("/works/responsibility/").content.decode()


@pytest.mark.django_db
def test_map_data_and_api_lists_are_fresh_after_a_write(cast, users, client_for, areas):
    c = client_for(users["district"])
    first = c.get("/compounds/map/data.json").json()
    api = c.get("/api/v1/compounds").json()
    assert first["count"] == 2 and len(api["items"]) == 2
    assert c.get("/compounds/map/data.json").json() == first  # kept
    make_compound(areas["qingyun"], "新建小区")
    assert c.get("/compounds/map/data.json").json()["count"] == 3
    names = [x["name"] for x in c.get("/api/v1/compounds").json()["items"]]
    assert "新建小区" in names
    # another user's answer is their own, not the district's kept copy
    mine = client_for(users["street_jinchen"]).get("/api/v1/compounds").json()
    assert [x["name"] for x in mine["items"]] == ["天祥小区"]
    # the same bytes as django-ninja writes: JSON, UTF-8, Chinese unescaped
    r = c.get("/api/v1/compounds")
    assert r["Content-Type"] == "application/json; charset=utf-8"
    assert "新建小区" in r.content.decode()
    # errors are answered, never kept
    assert c.get("/api/v1/compounds", {"after": "forged"}).status_code == 422
    assert c.get("/compounds/map/data.json", {"bbox": "x"}).status_code == 400


@pytest.mark.django_db
def test_every_api_list_answers_through_the_cache(cast, users, client_for):
    c = client_for(users["district"])
    for url in (
        "/api/v1/compounds",
        "/api/v1/clusters",
        "/api/v1/feedback",
        "/api/v1/satisfaction",
        "/api/v1/areas",
        "/api/v1/meetings",
        "/api/v1/tasks",
        "/api/v1/works",
        "/api/v1/responsibility/late",
        "/api/v1/programmes",
        "/api/v1/eligibility/reserve",
        "/api/v1/votes",
        "/api/v1/participation/surveys",
    ):
        first = c.get(url)
        assert first.status_code == 200, (url, first.content[:300])
        assert c.get(url).content == first.content, url


@pytest.mark.django_db
def test_a_day_passing_or_a_commit_drops_kept_bodies(users, monkeypatch, cast):
    r = RequestFactory().get("/x/")
    r.user = users["district"]
    k = pagecache.body_key(r, "p")
    tomorrow = timezone.localdate() + timedelta(days=1)
    monkeypatch.setattr(pagecache.timezone, "localdate", lambda: tomorrow)
    assert pagecache.body_key(r, "p") != k
    monkeypatch.undo()
    # A write bumps at once and again at commit (a body another worker
    # rendered in between from the old rows is not kept under the new
    # version); one commit callback however many rows the transaction writes.
    v = summaries.version()
    cast["compound_b"].save()
    cast["compound_b"].save()
    assert summaries.version() == v + 2
    # (The test runs inside one transaction: its callbacks wait for a commit
    # that never comes, so they are looked at, not run.)
    at_commit = [e for e in connection.run_on_commit if e[1] is summaries.bump_version]
    assert len(at_commit) == 1


# --- typed organisation and person lookups --------------------------------


@pytest.fixture
def far(areas):
    """Another district's street office and a person there, and a second
    street office inside 盘龙区."""
    other = Area.objects.create(
        code="530102000000", name="五华区", level="district", parent=areas["city"]
    )
    st = Area.objects.create(code="530102001000", name="华山街道", level="street", parent=other)
    return {
        "far_office": make_org("华山街道办事处", Organisation.Kind.STREET_OFFICE, st),
        "far_person": make_user("huashan", Role.STREET_OFFICE, area=st),
        "jinchen_office": make_org(
            "金辰街道办事处", Organisation.Kind.STREET_OFFICE, areas["jinchen"]
        ),
        "qingyun_office": make_org(
            "青云街道办事处", Organisation.Kind.STREET_OFFICE, areas["qingyun"]
        ),
        "contractor": make_org("盘龙建设公司", Organisation.Kind.CONTRACTOR, areas["district"]),
    }


def _labels(client, url, **q):
    r = client.get(url, q)
    assert r.status_code == 200, r.content[:300]
    return [x["label"] for x in r.json()["results"]]


@pytest.mark.django_db
def test_org_and_person_suggestions_are_scoped_to_the_user(users, client_for, far):
    district = client_for(users["district"])
    offices = _labels(district, "/works/organisation/suggest/organisations/", q="街道办事处")
    assert offices == ["金辰街道办事处", "青云街道办事处"]  # not 五华区's 华山
    assert "华山街道办事处" not in offices
    # a street office is offered its own street and the district above, not another street
    street = client_for(users["street_jinchen"])
    offered = _labels(street, "/works/organisation/suggest/organisations/", q="街道办事处")
    assert offered == ["金辰街道办事处"]
    assert set(_labels(street, "/works/organisation/suggest/organisations/", q="建设")) == {
        "盘龙建设公司",  # the district's, above the street
        "乙建设公司",  # registered with no area: works anywhere
    }
    # filtered by kind (the works form's contractor box)
    assert _labels(
        district, "/works/organisation/suggest/organisations/", q="公司", kind="contractor"
    ) == sorted(["盘龙建设公司", "乙建设公司"])
    assert (
        _labels(district, "/works/organisation/suggest/organisations/", q="公司", kind="designer")
        == []
    )
    people = _labels(district, "/works/organisation/suggest/people/", q="street")
    assert "street_jinchen(street_jinchen)" in people
    assert _labels(district, "/works/organisation/suggest/people/", q="huashan") == []
    assert _labels(district, "/works/organisation/suggest/people/", q="") == []
    # residents and contractors may not ask
    assert (
        client_for(users["resident_a"])
        .get("/works/organisation/suggest/people/", {"q": "a"})
        .status_code
        == 403
    )


@pytest.mark.django_db
def test_meeting_form_takes_typed_names_and_refuses_out_of_scope(cast, users, client_for, far):
    c = client_for(users["district"])
    page = c.get("/works/organisation/meetings/new/").content.decode()
    assert 'name="t0_org" id="t0_org"' in page and "/works/organisation/suggest/people/" in page
    assert "华山街道办事处" not in page and "盘龙建设公司" not in page  # nothing listed
    data = {
        "title": "联席会议",
        "held_on": date.today().isoformat(),
        "minutes": "",
        "d1": "推进改造",
        "t0_decision": "1",
        "t0_title": "完成管线方案",
        "t0_org": "金辰街道办事处",
        "t0_person": "street_jinchen(street_jinchen)",
        "t0_due": (date.today() + timedelta(days=5)).isoformat(),
    }
    r = c.post("/works/organisation/meetings/new/", data)
    assert r.status_code == 302, r.content.decode()[:1500]
    t = Task.objects.get()
    assert t.owner_org == far["jinchen_office"] and t.owner_person == users["street_jinchen"]
    # another district's office or person is refused with a message, nothing written
    for field, value in (("t0_org", "华山街道办事处"), ("t0_person", "huashan")):
        r = c.post("/works/organisation/meetings/new/", data | {field: value})
        assert r.status_code == 400
        assert "不在可选范围内" in r.content.decode()
    assert Task.objects.count() == 1


@pytest.mark.django_db
def test_compound_link_and_works_forms_take_typed_names(cast, users, client_for, far, areas):
    from gaizao.plans.models import Plan
    from gaizao.works.models import Works
    from gaizao.works.organisation.models import CompoundLink

    c = client_for(users["district"])
    a = cast["compound_a"]
    party = make_org("天祥社区党委", Organisation.Kind.PARTY_ORGANISATION, areas["tianxiang"])
    make_org("华山社区党委", Organisation.Kind.PARTY_ORGANISATION, far["far_office"].area)
    page = c.get(f"/works/organisation/compound/{a.pk}/").content.decode()
    assert "kind=party_organisation" in page and "天祥社区党委" not in page  # nothing listed
    url = f"/works/organisation/compound/{a.pk}/"
    c.post(url, {"role": "party", "org": "华山社区党委"})  # another district's: refused
    assert not CompoundLink.objects.exists()
    c.post(url, {"role": "party", "org": "天祥社区党委"})
    assert CompoundLink.objects.get().organisation == party
    # the works form: typed, kind-checked, scoped
    plan = Plan.objects.create(compound=a, year=2024, status="approved", created_by=users["admin"])
    new = f"/works/new/{plan.pk}/"
    page = c.get(new).content.decode()
    assert "kind=contractor" in page and "盘龙建设公司" not in page
    r = c.post(new, {"contractor": "华山街道办事处"})  # not a contractor
    assert r.status_code == 400 and "不在可选范围内" in r.content.decode()
    r = c.post(new, {"contractor": "盘龙建设公司", "implementer": "金辰街道办事处"})
    assert r.status_code == 302, r.content.decode()[:1000]
    w = Works.objects.get()
    assert w.contractor == far["contractor"] and w.implementer == far["jinchen_office"]
