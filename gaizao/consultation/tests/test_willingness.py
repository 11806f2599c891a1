"""Willingness survey and item menu: one answer per household (changeable
until closing), items with costs, results by household and area, export,
assisted mode, the contract selectors."""

from datetime import timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from gaizao.catalogue.models import CatalogItem
from gaizao.consultation import selectors
from gaizao.consultation.models import Consultation, ConsultationResponse
from gaizao.testing import make_user


@pytest.fixture
def items(db):
    mk = CatalogItem.objects.create
    return {
        "shed": mk(
            code="T01",
            name="电动自行车棚",
            tier="enhancement",
            unit="处",
            unit_cost=Decimal("30000"),
            estimate_basis="compound",
            estimate_factor=Decimal("1"),
        ),
        "door": mk(
            code="W01",
            name="单元防盗门(门禁)",
            tier="improvement",
            unit="套",
            unit_cost=Decimal("4500"),
            estimate_basis="entrance",
            estimate_factor=Decimal("1"),
        ),
        "roof": mk(code="J01", name="屋面防水", tier="basic", unit="m²", unit_cost=Decimal("120")),
    }


@pytest.fixture
def survey(client_for, users, cast):
    staff = client_for(users["community_tianxiang"])
    now = timezone.now()
    r = staff.post(
        reverse("consultation:survey_new", args=[cast["compound_a"].pk]),
        {
            "title": "天祥小区改造意愿征询",
            "with_menu": "on",
            "opens_at": timezone.localtime(now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "closes_at": timezone.localtime(now + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert r.status_code == 302
    return Consultation.objects.get()


def test_no_survey_means_none(cast):
    assert selectors.willingness_summary(cast["compound_a"].pk) is None
    assert selectors.menu_results(cast["compound_a"].pk) == []


def test_resident_answers_and_changes_until_closing(client_for, users, cast, survey, items):
    c = client_for(users["resident_a"])
    page = c.get(reverse("consultation:survey_fill", args=[survey.pk])).content.decode()
    # improvement and enhancement items with their costs; basic items are not on the menu
    assert "电动自行车棚" in page and "单元防盗门" in page and "屋面防水" not in page
    assert "30,000 元/处" in page and "30000.00" not in page
    r = c.post(
        reverse("consultation:survey_fill", args=[survey.pk]),
        {
            "willingness": "yes",
            "contribution_yuan": "500",
            "items": [items["shed"].pk, items["door"].pk],
        },
    )
    assert r.status_code == 302
    r = c.post(
        reverse("consultation:survey_fill", args=[survey.pk]),
        {"willingness": "indifferent", "items": [items["shed"].pk]},
    )
    assert r.status_code == 302
    resp = ConsultationResponse.objects.get()
    assert resp.willingness == "indifferent" and resp.contribution_yuan is None
    assert list(resp.choices.values_list("code", flat=True)) == ["T01"]
    # a basic item or an unknown id is refused, nothing changes
    r = c.post(
        reverse("consultation:survey_fill", args=[survey.pk]),
        {"willingness": "no", "items": [items["roof"].pk]},
    )
    assert r.status_code == 400 and "不在本小区的点单目录" in r.content.decode()
    r = c.post(
        reverse("consultation:survey_fill", args=[survey.pk]),
        {"willingness": "no", "contribution_yuan": "-5"},
    )
    assert r.status_code == 400 and "不能为负数" in r.content.decode()
    assert ConsultationResponse.objects.get().willingness == "indifferent"
    # after closing: refused
    Consultation.objects.filter(pk=survey.pk).update(closes_at=timezone.now())
    r = c.post(reverse("consultation:survey_fill", args=[survey.pk]), {"willingness": "yes"})
    assert r.status_code == 400 and "不在填写时间内" in r.content.decode()


def test_results_by_household_and_area(client_for, users, cast, survey, items):
    u1, u2 = cast["units_a"]  # 80.5 and 60 m²
    r2 = make_user("resident_a2", "resident", unit=u2)
    client_for(users["resident_a"]).post(
        reverse("consultation:survey_fill", args=[survey.pk]),
        {"willingness": "yes", "items": [items["shed"].pk]},
    )
    r = client_for(r2).post(
        f"/api/v1/participation/surveys/{survey.pk}/response",
        {"willingness": "no", "items": [items["shed"].pk, items["door"].pk]},
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    s = selectors.willingness_summary(cast["compound_a"].pk)
    assert s["households_total"] == 2 and s["households_yes"] == 1
    assert s["share_households"] == Decimal("0.5000")
    assert s["area_total"] == Decimal("140.50") and s["area_yes"] == Decimal("80.50")
    assert s["share_area"] == Decimal("0.5730")
    menu = selectors.menu_results(cast["compound_a"].pk)
    assert [(m["code"], m["households"], m["share"]) for m in menu] == [
        ("T01", 2, Decimal("1.0000")),
        ("W01", 1, Decimal("0.5000")),
    ]
    # residents see the aggregate, without personal data
    page = (
        client_for(users["resident_a"])
        .get(reverse("consultation:survey_results", args=[survey.pk]))
        .content.decode()
    )
    assert "已答复 2 / 2 户" in page and "张三丰" not in page
    # other compound: 404
    assert (
        client_for(users["resident_b"])
        .get(reverse("consultation:survey_results", args=[survey.pk]))
        .status_code
        == 404
    )
    # export for staff, personal data whole for the community, masked for the street
    x = client_for(users["community_tianxiang"]).get(
        reverse("consultation:survey_export", args=[survey.pk])
    )
    assert x.status_code == 200
    ws = load_workbook(BytesIO(x.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:6] == ("楼栋", "单元", "房号", "专有部分面积(㎡)", "业主", "改造意愿")
    assert rows[1][4] == "张三丰" and rows[1][5] == "同意改造" and rows[2][5] == "不同意"
    x = client_for(users["street_jinchen"]).get(
        reverse("consultation:survey_export", args=[survey.pk])
    )
    assert load_workbook(BytesIO(x.content)).active.cell(2, 5).value == "张*丰"
    assert (
        client_for(users["resident_a"])
        .get(reverse("consultation:survey_export", args=[survey.pk]))
        .status_code
        == 302
    )


def test_assisted_response_is_recorded(client_for, users, cast, survey, items):
    staff = client_for(users["community_tianxiang"])
    u2 = cast["units_a"][1]
    r = staff.post(
        reverse("consultation:survey_assist", args=[survey.pk]),
        {"unit": u2.pk, "willingness": "yes", "contribution_per_m2": "10"},
    )
    assert r.status_code == 302
    resp = ConsultationResponse.objects.get(unit=u2)
    assert resp.assisted_by == users["community_tianxiang"]
    assert resp.contribution_per_m2 == Decimal("10.00")
    # a property company may not act for residents
    r = client_for(users["property_company"]).post(
        reverse("consultation:survey_assist", args=[survey.pk]),
        {"unit": u2.pk, "willingness": "no"},
    )
    assert r.status_code == 403
    # the API assisted path needs a unit of this compound
    r = staff.post(
        f"/api/v1/participation/surveys/{survey.pk}/response",
        {"willingness": "yes", "unit_id": cast["unit_b"].pk},
        content_type="application/json",
    )
    assert r.status_code == 400


def test_staff_create_form_errors(client_for, users, cast):
    r = client_for(users["community_tianxiang"]).post(
        reverse("consultation:survey_new", args=[cast["compound_a"].pk]),
        {"title": "", "opens_at": "2025-02-01T10:00", "closes_at": "2025-01-01T10:00"},
    )
    assert r.status_code == 400
    html = r.content.decode()
    assert "请填写标题" in html and "截止时间应晚于开始时间" in html
    assert not Consultation.objects.exists()


def test_second_survey_refused_while_one_is_open(client_for, users, cast, survey):
    from gaizao.consultation import services
    from gaizao.core.errors import DomainError

    now = timezone.now()
    r = client_for(users["community_tianxiang"]).post(
        reverse("consultation:survey_new", args=[cast["compound_a"].pk]),
        {
            "title": "第二次征询",
            "opens_at": timezone.localtime(now).strftime("%Y-%m-%dT%H:%M"),
            "closes_at": timezone.localtime(now + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert r.status_code == 400
    assert "本小区已有正在进行的意愿征询:“天祥小区改造意愿征询”" in r.content.decode()
    kw = dict(actor=users["community_tianxiang"], title="再来一次")
    with pytest.raises(DomainError, match="本小区已有正在进行的意愿征询"):
        services.consultation_create(
            **kw,
            compound=cast["compound_a"],
            opens_at=now + timedelta(days=1),
            closes_at=now + timedelta(days=9),
        )
    assert Consultation.objects.count() == 1
    # after it closes, or in another compound: fine
    services.consultation_create(
        **kw,
        compound=cast["compound_a"],
        opens_at=survey.closes_at,
        closes_at=survey.closes_at + timedelta(days=7),
    )
    with pytest.raises(DomainError, match="已安排意愿征询"):
        services.consultation_create(
            **kw,
            compound=cast["compound_a"],
            opens_at=survey.closes_at + timedelta(days=1),
            closes_at=survey.closes_at + timedelta(days=3),
        )
    services.consultation_create(
        actor=users["street_qingyun"],
        title="云山",
        compound=cast["compound_b"],
        opens_at=now,
        closes_at=now + timedelta(days=3),
    )
    assert Consultation.objects.count() == 3


def test_contribution_in_yuan_or_per_m2_not_both(client_for, users, cast, survey):
    c = client_for(users["resident_a"])
    r = c.post(
        reverse("consultation:survey_fill", args=[survey.pk]),
        {"willingness": "yes", "contribution_yuan": "500", "contribution_per_m2": "10"},
    )
    assert r.status_code in (200, 400)
    assert "出资金额请只填一种" in r.content.decode()
    assert not ConsultationResponse.objects.exists()
    r = c.post(
        f"/api/v1/participation/surveys/{survey.pk}/response",
        {"willingness": "yes", "contribution_yuan": 500, "contribution_per_m2": 10},
        content_type="application/json",
    )
    assert r.status_code == 400 and "出资金额请只填一种" in r.json()["error"]
    assert not ConsultationResponse.objects.exists()
    r = c.post(
        reverse("consultation:survey_fill", args=[survey.pk]),
        {"willingness": "yes", "contribution_per_m2": "10"},
    )
    assert r.status_code == 302
    assert ConsultationResponse.objects.get().contribution_per_m2 == Decimal("10.00")


def test_willingness_summaries_bulk_is_constant_queries(
    client_for, users, cast, survey, django_assert_num_queries
):
    client_for(users["resident_a"]).post(
        reverse("consultation:survey_fill", args=[survey.pk]), {"willingness": "yes"}
    )
    ids = [cast["compound_a"].pk, cast["compound_b"].pk]  # compound_b: no survey
    with django_assert_num_queries(3):
        got = selectors.willingness_summaries(ids)
    assert set(got) == {cast["compound_a"].pk}
    whole = selectors.consultation_summary(survey)
    assert got[cast["compound_a"].pk]["share_area"] == whole["share_area"]
    assert got[cast["compound_a"].pk]["households_yes"] == whole["households_yes"] == 1


def test_units_sort_by_number_not_as_text(client_for, users, cast, survey):
    """Issue 13: 10栋 after 2栋, entrance 10 after 2, room 1001 after 201, on
    the assisted page and in the export (both read consultation_units)."""
    from gaizao.testing import make_building, make_unit

    ba = cast["building_a"]
    make_unit(make_building(cast["compound_a"], "10栋"), "101", "50")
    make_unit(make_building(cast["compound_a"], "2栋"), "101", "50")
    make_unit(ba, "1001", "50")
    make_unit(ba, "201", "50")
    make_unit(ba, "101", "50", entrance="10")
    make_unit(ba, "101", "50", entrance="2")
    want = [
        ("1栋", "1", "101"),
        ("1栋", "1", "102"),
        ("1栋", "1", "201"),
        ("1栋", "1", "1001"),
        ("1栋", "2", "101"),
        ("1栋", "10", "101"),
        ("2栋", "1", "101"),
        ("10栋", "1", "101"),
    ]
    staff = client_for(users["community_tianxiang"])
    x = staff.get(reverse("consultation:survey_export", args=[survey.pk]))
    rows = [r[:3] for r in load_workbook(BytesIO(x.content)).active.iter_rows(values_only=True)]
    assert rows[1 : 1 + len(want)] == want
    page = staff.get(reverse("consultation:survey_assist", args=[survey.pk]))
    got = [(u.building.number, u.entrance, u.number) for u in page.context["units"]]
    assert got == want
