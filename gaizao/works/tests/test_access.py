"""A contractor sees only its works; residents see their compound's
progress and report defects against an item; list query counts bounded."""

from datetime import date
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gaizao.plans.models import Plan
from gaizao.stewardship.models import MaintenanceOrder, ManagementArrangement
from gaizao.testing import make_compound, make_works
from gaizao.works.models import Defect, Handover

pytestmark = pytest.mark.django_db


def test_contractor_sees_only_its_works(cast, users, client_for, works_a, other_contractor):
    mine = client_for(users["contractor"])
    theirs = client_for(other_contractor)
    assert mine.get(f"/works/{works_a.pk}/").status_code == 200
    assert theirs.get(f"/works/{works_a.pk}/").status_code == 404
    assert theirs.get(f"/api/v1/works/{works_a.pk}").status_code == 404
    assert theirs.get("/api/v1/works").json() == {"items": [], "next": None}
    assert [w["id"] for w in mine.get("/api/v1/works").json()["items"]] == [works_a.pk]
    assert works_a.name not in theirs.get("/works/").content.decode()
    # nor post progress to it
    r = theirs.post(f"/works/{works_a.pk}/report/submit/", {"text": "x"})
    assert r.status_code == 404
    # the other street's office does not see it either
    assert client_for(users["street_qingyun"]).get(f"/works/{works_a.pk}/").status_code == 404
    assert client_for(users["street_jinchen"]).get(f"/works/{works_a.pk}/").status_code == 200


def test_contractor_reports_progress_with_photos(cast, users, client_for, works_a):
    c = client_for(users["contractor"])
    item = works_a.items.first()
    # not before the start
    r = c.post(
        f"/works/{works_a.pk}/report/submit/", {"text": "开挖", f"pct_{item.pk}": "20"}, follow=True
    )
    assert "尚未开工" in r.content.decode()
    for s in ("design", "tender", "start"):
        works_a.milestones.filter(stage=s).update(actual_on=date.today())
    png = BytesIO(b"\x89PNG\r\n\x1a\n" + b"0" * 64)
    png.name = "site.png"
    r = c.post(
        f"/works/{works_a.pk}/report/submit/",
        {"text": "管网开挖完成", f"pct_{item.pk}": "35", "photos": [png]},
        follow=True,
    )
    assert "进度报告已提交" in r.content.decode()
    item.refresh_from_db()
    assert item.percent_done == 35
    photo = works_a.photos.get()
    assert c.get(f"/media/{photo.image.name}").status_code == 200
    assert client_for(users["street_qingyun"]).get(f"/media/{photo.image.name}").status_code in (
        403,
        404,
    )
    # a fake photo and a bad percent are refused, nothing written
    fake = BytesIO(b"<svg></svg>")
    fake.name = "x.png"
    r = c.post(f"/works/{works_a.pk}/report/submit/", {"text": "t", "photos": [fake]}, follow=True)
    assert "不是照片" in r.content.decode()
    r = c.post(
        f"/works/{works_a.pk}/report/submit/", {"text": "t", f"pct_{item.pk}": "120"}, follow=True
    )
    assert "0–100" in r.content.decode()
    assert works_a.reports.count() == 1
    assert c.get(f"/works/{works_a.pk}/report/").status_code == 200


def test_resident_defect_in_warranty_goes_to_contractor(cast, users, client_for, works_a):
    arr = ManagementArrangement.objects.create(
        compound=cast["compound_a"], model="property_company"
    )
    works_a.milestones.update(actual_on=date.today())
    Handover.objects.create(
        works=works_a, arrangement=arr, handed_over_on=date.today(), warranty_until=date(2099, 1, 1)
    )
    item = works_a.items.first()
    c = client_for(users["resident_a"])
    r = c.post(
        f"/works/{works_a.pk}/defect/", {"item": item.pk, "text": "屋面漏水", "next": "portal"}
    )
    assert r.status_code == 302
    d = Defect.objects.get()
    assert d.in_warranty
    mo = MaintenanceOrder.objects.get()
    assert mo.source == "warranty" and mo.assignee_id == users["contractor"].organisation_id
    assert users["contractor"].notices.filter(kind="works.defect").exists()
    # the resident of another compound cannot
    assert (
        client_for(users["resident_b"])
        .post(f"/works/{works_a.pk}/defect/", {"item": item.pk, "text": "x"})
        .status_code
        == 404
    )


def test_list_query_count(cast, users, client_for, works_a):
    for i in range(5):
        other = make_compound(cast["compound_a"].street, f"小区{i}")
        make_works(Plan.objects.create(compound=other, year=2026, status="approved"))
    c = client_for(users["bureau"])
    with CaptureQueriesContext(connection) as q:
        r = c.get("/works/")
    assert r.status_code == 200 and r.content.decode().count("改造工程") >= 6
    assert len(q) <= 14, [x["sql"] for x in q]
