"""Feedback API: the same rules as the pages, as JSON."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gaizao import testing
from gaizao.feedback.models import Feedback, FeedbackPhoto, ResponsibleParty

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def post(client, url, data=None):
    return client.post(url, data=data or {}, content_type="application/json")


@pytest.fixture
def contractor_org(cast, users):
    org = users["contractor"].organisation
    ResponsibleParty.objects.create(
        compound=cast["compound_a"], kind="contractor", organisation=org
    )
    return org


def test_api_lifecycle(cast, users, client_for, contractor_org):
    ra = client_for(users["resident_a"])
    r = post(
        ra, "/api/v1/feedback", {"category": "noise_dust", "text": "夜间施工噪音", "place": "3栋"}
    )
    assert r.status_code == 201, r.content
    body = r.json()
    fid = body["id"]
    assert body["status"] == "open" and body["responsible_org"] == contractor_org.name
    assert body["mine"] and body["actions"] == []
    c = client_for(users["contractor"])
    assert (
        post(c, f"/api/v1/feedback/{fid}/accept", {"comment": "已通知班组"}).json()["status"]
        == "accepted"
    )
    assert post(c, f"/api/v1/feedback/{fid}/fix").json()["status"] == "fixed"
    detail = ra.get(f"/api/v1/feedback/{fid}").json()
    assert detail["actions"] == ["confirm", "reopen"]
    r = post(ra, f"/api/v1/feedback/{fid}/reopen", {"comment": "还是很吵"})
    assert r.status_code == 200 and r.json()["status"] == "reopened"
    post(c, f"/api/v1/feedback/{fid}/accept")
    post(c, f"/api/v1/feedback/{fid}/fix")
    r = post(ra, f"/api/v1/feedback/{fid}/confirm")
    assert r.json()["status"] == "confirmed"
    events = r.json()["events"]
    assert [e["action"] for e in events] == [
        "create",
        "accept",
        "fix",
        "reopen",
        "accept",
        "fix",
        "confirm",
    ]
    assert events[3]["comment"] == "还是很吵" and events[3]["by"] == "我"


def test_api_list_scoped_and_filtered(cast, users, client_for, contractor_org):
    ra, rb = client_for(users["resident_a"]), client_for(users["resident_b"])
    post(ra, "/api/v1/feedback", {"category": "construction_quality", "text": "A1"})
    post(ra, "/api/v1/feedback", {"category": "other", "text": "A2"})
    post(rb, "/api/v1/feedback", {"category": "other", "text": "B1"})
    texts = lambda r: sorted(i["text"] for i in r.json()["items"])  # noqa: E731
    assert texts(ra.get("/api/v1/feedback")) == ["A1", "A2"]
    assert texts(rb.get("/api/v1/feedback")) == ["B1"]
    assert texts(client_for(users["contractor"]).get("/api/v1/feedback")) == ["A1"]
    street = client_for(users["street_jinchen"])
    r = street.get("/api/v1/feedback?category=other")
    assert texts(r) == ["A2"] and r.json()["next"] is None
    assert texts(street.get("/api/v1/feedback?overdue=true")) == []
    # A neighbour sees the item without its reporter.
    item = (
        client_for(users["district"])
        .get(f"/api/v1/feedback?compound_id={cast['compound_a'].pk}")
        .json()["items"][0]
    )
    assert item["reporter"].startswith("resident_a")
    n = client_for(testing.make_user("neighbour", "resident", unit=cast["units_a"][1]))
    items = n.get("/api/v1/feedback").json()["items"]
    assert {i["reporter"] for i in items} == {"本小区居民"}


def test_api_resident_other_compound_404_and_bad_input(cast, users, client_for):
    ra = client_for(users["resident_a"])
    r = post(
        ra,
        "/api/v1/feedback",
        {"category": "other", "text": "x", "compound_id": cast["compound_b"].pk},
    )
    assert r.status_code == 404 and "error" in r.json()
    rb = client_for(users["resident_b"])
    fid = post(rb, "/api/v1/feedback", {"category": "other", "text": "B"}).json()["id"]
    assert ra.get(f"/api/v1/feedback/{fid}").status_code == 404
    assert post(ra, f"/api/v1/feedback/{fid}/confirm").status_code == 404
    r = post(ra, "/api/v1/feedback", {"category": "nope", "text": " "})
    assert r.status_code == 400
    assert r.json()["error"] == "请检查填写的内容"
    assert {e["field"] for e in r.json()["errors"]} == {"category", "text"}
    r = post(ra, "/api/v1/feedback", {"text": "no category"})
    assert r.status_code == 422 and r.json()["error"] == "请求数据有误"
    assert Feedback.objects.filter(compound=cast["compound_a"]).count() == 0
    # A contractor cannot report at all.
    r = post(
        client_for(users["contractor"]), "/api/v1/feedback", {"category": "other", "text": "x"}
    )
    assert r.status_code == 400  # staff must name a compound
    r = post(
        client_for(users["contractor"]),
        "/api/v1/feedback",
        {"category": "other", "text": "x", "compound_id": cast["compound_a"].pk},
    )
    assert r.status_code == 404  # contractors do not see compounds they have no works in
    assert client_for(None).get("/api/v1/feedback").status_code == 401


def test_api_assisted_report(cast, users, client_for):
    c = client_for(users["community_tianxiang"])
    r = post(
        c,
        "/api/v1/feedback",
        {
            "category": "utilities",
            "text": "水压低",
            "compound_id": cast["compound_a"].pk,
            "reporter_name": "王大爷",
        },
    )
    assert r.status_code == 201 and r.json()["assisted"]
    r = post(
        c,
        "/api/v1/feedback",
        {"category": "utilities", "text": "水压低", "compound_id": cast["compound_a"].pk},
    )
    assert r.status_code == 400 and "姓名" in r.json()["error"]


def test_api_photos(cast, users, client_for):
    ra = client_for(users["resident_a"])
    fid = post(ra, "/api/v1/feedback", {"category": "other", "text": "有照片"}).json()["id"]
    r = ra.post(
        f"/api/v1/feedback/{fid}/photos",
        {"photos": [SimpleUploadedFile("a.png", PNG, "image/png")]},
    )
    assert r.status_code == 201 and len(r.json()["photos"]) == 1
    r = ra.post(
        f"/api/v1/feedback/{fid}/photos",
        {"photos": [SimpleUploadedFile("x.png", b"MZ\x90\x00exe", "image/png")]},
    )
    assert r.status_code == 400 and "不是图片" in r.json()["error"]
    assert FeedbackPhoto.objects.count() == 1
    other = client_for(users["community_tianxiang"])
    r = other.post(
        f"/api/v1/feedback/{fid}/photos",
        {"photos": [SimpleUploadedFile("a.png", PNG, "image/png")]},
    )
    assert r.status_code == 403


def test_api_categories(cast, users, client_for):
    r = client_for(users["resident_a"]).get("/api/v1/feedback-categories")
    assert {"value": "construction_safety", "label": "施工安全", "sla_days": 1} in r.json()
