"""Feedback (过程共建): routing, lifecycle, overdue and auto-confirm, who sees
what, photo checks, the staff queue and its export — through HTTP."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from gaizao import testing
from gaizao.feedback import selectors as sel
from gaizao.feedback import services as svc
from gaizao.feedback.models import Feedback, FeedbackEvent, FeedbackPhoto, ResponsibleParty
from gaizao.regions.models import Organisation

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64

NEW = reverse("consultation:feedback_new")
LIST = reverse("consultation:feedback_list")
QUEUE = reverse("consultation:feedback_queue")


def act(pk, action):
    return reverse("consultation:feedback_act", args=[pk, action])


def report(client, category="construction_quality", text="楼道墙面刚刷就开裂", **extra):
    data = {"category": category, "text": text, "place": "1栋2单元", **extra}
    return client.post(NEW, data)


@pytest.fixture
def contractor_org(cast, users):
    org = users["contractor"].organisation
    ResponsibleParty.objects.create(
        compound=cast["compound_a"], kind="contractor", organisation=org
    )
    return org


# Routing ---------------------------------------------------------------------


def test_routing_by_category(cast, users, contractor_org):
    a = cast["compound_a"]
    # construction → the assigned contractor
    assert svc.route(a, "noise_dust") == contractor_org
    assert svc.route(a, "construction_safety") == contractor_org
    # management → the property company
    assert svc.route(a, "property_service") == cast["property_company"]
    assert svc.route(a, "facility_damage") == cast["property_company"]
    # other → the community committee of the compound's community, made on demand
    org = svc.route(a, "other")
    assert org.kind == Organisation.Kind.COMMUNITY_COMMITTEE and org.area == a.community
    assert svc.route(a, "other") == org  # not made twice
    # pipes, power, gas without a utility on record → the community; with one → the utility
    assert svc.route(a, "utilities") == org
    water = testing.make_org("盘龙供水公司", Organisation.Kind.UTILITY)
    ResponsibleParty.objects.create(compound=a, kind="utility", organisation=water)
    assert svc.route(a, "utilities") == water
    # compound_b: no contractor and no property company → its community
    b = cast["compound_b"]
    assert svc.route(b, "construction_quality").area == b.community
    assert svc.route(b, "property_service").area == b.community


def test_report_routes_and_sets_due_date(cast, users, client_for, contractor_org):
    c = client_for(users["resident_a"])
    r = report(c, "construction_safety", "脚手架没有防护网")
    assert r.status_code == 302
    fb = Feedback.objects.get()
    assert fb.compound == cast["compound_a"] and fb.reporter == users["resident_a"]
    assert fb.unit == cast["units_a"][0] and not fb.assisted
    assert fb.responsible_org == contractor_org
    assert fb.status == "open"
    assert fb.due_on == timezone.localdate() + timedelta(days=svc.SLA_DAYS["construction_safety"])
    assert list(fb.events.values_list("action", flat=True)) == ["create"]


# Lifecycle -------------------------------------------------------------------


def test_full_lifecycle_open_accepted_fixed_confirmed(cast, users, client_for, contractor_org):
    resident = client_for(users["resident_a"])
    report(resident)
    fb = Feedback.objects.get()
    contractor = client_for(users["contractor"])
    assert contractor.post(act(fb.pk, "accept"), {"comment": "明天派人查看"}).status_code == 302
    fb.refresh_from_db()
    assert fb.status == "accepted"
    assert contractor.post(act(fb.pk, "fix"), {"comment": "已重新批灰刷漆"}).status_code == 302
    fb.refresh_from_db()
    assert fb.status == "fixed" and fb.fixed_at is not None
    # The reporter's page asks "问题解决了吗?"
    page = resident.get(LIST).content.decode()
    assert "问题解决了吗" in page and "已解决" in page and "没解决" in page
    r = resident.post(act(fb.pk, "confirm"), {"partial": "prompt"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and "谢谢您的确认" in r.content.decode()
    fb.refresh_from_db()
    assert fb.status == "confirmed" and fb.closed_at is not None
    events = list(fb.events.order_by("at", "id"))
    assert [e.action for e in events] == ["create", "accept", "fix", "confirm"]
    assert [e.to_status for e in events] == ["open", "accepted", "fixed", "confirmed"]
    assert events[1].actor == users["contractor"] and events[1].comment == "明天派人查看"
    assert "问题解决了吗" not in resident.get(LIST).content.decode()
    # Timeline on the detail page
    page = resident.get(reverse("consultation:feedback_detail", args=[fb.pk])).content.decode()
    for word in ["提交反馈", "受理", "整改完成", "确认已解决", "已重新批灰刷漆"]:
        assert word in page


def test_fixed_reopened_accepted_again(cast, users, client_for):
    resident = client_for(users["resident_a"])
    report(resident, "property_service", "垃圾三天没人清运")
    fb = Feedback.objects.get()
    assert fb.responsible_org == cast["property_company"]
    pc = client_for(users["property_company"])
    pc.post(act(fb.pk, "accept"))
    pc.post(act(fb.pk, "fix"))
    r = resident.post(act(fb.pk, "reopen"), {"comment": "只清了一半"})
    assert r.status_code == 302
    fb.refresh_from_db()
    assert fb.status == "reopened" and fb.fixed_at is None
    assert fb.events.last().comment == "只清了一半"
    # The responsible side takes it again, with a fresh time limit.
    assert fb.due_on == timezone.localdate() + timedelta(days=svc.SLA_DAYS["property_service"])
    r = pc.post(act(fb.pk, "accept"), HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and 'id="fb-panel"' in r.content.decode()
    fb.refresh_from_db()
    assert fb.status == "accepted"
    assert list(fb.events.values_list("action", flat=True)) == [
        "create",
        "accept",
        "fix",
        "reopen",
        "accept",
    ]


def test_wrong_state_is_a_message_not_a_change(cast, users, client_for):
    report(client_for(users["resident_a"]))
    fb = Feedback.objects.get()
    community = client_for(users["community_tianxiang"])
    r = community.post(act(fb.pk, "fix"), HTTP_HX_REQUEST="true")
    assert r.status_code == 400
    assert "不能整改完成" in r.content.decode()
    fb.refresh_from_db()
    assert fb.status == "open" and fb.events.count() == 1
    assert community.post(act(fb.pk, "nonsense")).status_code == 404


# Overdue and auto-confirm ----------------------------------------------------


def test_overdue_listed_and_auto_confirmed_by_command(cast, users, client_for, capsys):
    resident = client_for(users["resident_a"])
    report(resident, "noise_dust", "晚上十点还在切割")
    report(resident, "other", "希望增加晾衣架")
    late, ontime = Feedback.objects.order_by("id")
    Feedback.objects.filter(pk=late.pk).update(due_on=timezone.localdate() - timedelta(days=3))
    staff = client_for(users["street_jinchen"])
    page = staff.get(QUEUE + "?overdue=1").content.decode()
    assert f"#{late.pk}" in page and f"#{ontime.pk}" not in page
    assert 'class="overdue"' in page

    # An item fixed 10 days ago without an answer, another fixed yesterday.
    community = client_for(users["community_tianxiang"])
    for fb in (late, ontime):
        community.post(act(fb.pk, "accept"))
        community.post(act(fb.pk, "fix"))
    Feedback.objects.filter(pk=late.pk).update(fixed_at=timezone.now() - timedelta(days=10))
    Feedback.objects.filter(pk=ontime.pk).update(fixed_at=timezone.now() - timedelta(days=1))
    call_command("feedback_remind", "--days", "7")
    out = capsys.readouterr().out
    assert "自动确认 1 条" in out
    late.refresh_from_db()
    ontime.refresh_from_db()
    assert late.status == "confirmed" and late.auto_confirmed
    assert ontime.status == "fixed"
    ev = late.events.last()
    assert ev.action == FeedbackEvent.Action.AUTO_CONFIRM and ev.actor is None


def test_remind_lists_overdue(cast, users, client_for, capsys):
    report(client_for(users["resident_a"]), "construction_safety", "井盖没盖")
    fb = Feedback.objects.get()
    Feedback.objects.filter(pk=fb.pk).update(due_on=timezone.localdate() - timedelta(days=2))
    call_command("feedback_remind")
    out = capsys.readouterr().out
    assert "超过办理期限 1 条" in out and f"#{fb.pk}" in out and "超期 2 天" in out


# Visibility --------------------------------------------------------------------


def test_resident_cannot_see_or_report_on_another_compound(cast, users, client_for):
    report(client_for(users["resident_b"]), "other", "云山小区的问题")
    fb_b = Feedback.objects.get()
    assert fb_b.compound == cast["compound_b"]
    ra = client_for(users["resident_a"])
    assert ra.get(reverse("consultation:feedback_detail", args=[fb_b.pk])).status_code == 404
    assert ra.post(act(fb_b.pk, "confirm")).status_code == 404
    assert "云山小区的问题" not in ra.get(LIST).content.decode()
    # Another street's staff do not see it either.
    assert (
        client_for(users["street_jinchen"])
        .get(reverse("consultation:feedback_detail", args=[fb_b.pk]))
        .status_code
        == 404
    )


def test_neighbour_sees_item_without_reporter_and_cannot_answer(cast, users, client_for):
    neighbour = testing.make_user("neighbour", "resident", unit=cast["units_a"][1])
    report(client_for(users["resident_a"]), "other", "路灯不亮")
    fb = Feedback.objects.get()
    community = client_for(users["community_tianxiang"])
    community.post(act(fb.pk, "accept"))
    community.post(act(fb.pk, "fix"))
    n = client_for(neighbour)
    page = n.get(reverse("consultation:feedback_detail", args=[fb.pk])).content.decode()
    assert "路灯不亮" in page and "本小区居民" in page
    assert "resident_a" not in page and "101" not in page
    assert "本小区其他反馈" in n.get(LIST).content.decode()
    assert n.post(act(fb.pk, "confirm")).status_code == 403
    fb.refresh_from_db()
    assert fb.status == "fixed"
    # Staff of the jurisdiction see who reported it.
    page = community.get(reverse("consultation:feedback_detail", args=[fb.pk])).content.decode()
    assert "resident_a" in page


# Photos --------------------------------------------------------------------------


def test_photos_saved(cast, users, client_for):
    c = client_for(users["resident_a"])
    r = c.post(
        NEW,
        {
            "category": "facility_damage",
            "text": "单元门坏了",
            "place": "1栋",
            "photos": [
                SimpleUploadedFile("a.png", PNG, "image/png"),
                SimpleUploadedFile("b.jpg", JPEG, "image/jpeg"),
            ],
        },
    )
    assert r.status_code == 302
    assert FeedbackPhoto.objects.filter(feedback__text="单元门坏了").count() == 2


def test_photo_that_is_not_an_image_is_refused_and_nothing_saved(cast, users, client_for):
    c = client_for(users["resident_a"])
    fake = SimpleUploadedFile("report.png", b"%PDF-1.4 not an image", "image/png")
    r = c.post(
        NEW,
        {
            "category": "facility_damage",
            "text": "单元门坏了",
            "photos": [SimpleUploadedFile("ok.png", PNG, "image/png"), fake],
        },
    )
    assert r.status_code == 400
    assert "“report.png”不是图片" in r.content.decode()
    assert Feedback.objects.count() == 0 and FeedbackPhoto.objects.count() == 0
    assert FeedbackEvent.objects.count() == 0


def test_photo_over_10_mb_refused(cast, users, client_for):
    c = client_for(users["resident_a"])
    big = SimpleUploadedFile("big.jpg", JPEG + b"\x00" * (10 * 1024 * 1024), "image/jpeg")
    r = c.post(NEW, {"category": "other", "text": "太大", "photos": [big]})
    assert r.status_code == 400 and "超过 10 MB" in r.content.decode()
    assert Feedback.objects.count() == 0


def test_form_errors_in_chinese(cast, users, client_for):
    r = client_for(users["resident_a"]).post(NEW, {"category": "bogus", "text": ""})
    body = r.content.decode()
    assert r.status_code == 400 and "请选择问题类别" in body and "请写明遇到的问题" in body
    assert Feedback.objects.count() == 0


def test_new_form_is_phone_first(cast, users, client_for):
    body = client_for(users["resident_a"]).get(NEW).content.decode()
    assert 'accept="image/*"' in body and "capture=" not in body
    assert "施工安全" in body and "噪音扬尘" in body


# Assisted ----------------------------------------------------------------------


def test_assisted_report_and_answer_by_community(cast, users, client_for):
    community = client_for(users["community_tianxiang"])
    r = community.post(
        NEW,
        {
            "compound": cast["compound_a"].pk,
            "reporter_name": "李奶奶",
            "reporter_phone": "13900001111",
            "category": "other",
            "text": "楼下积水",
            "place": "2栋",
        },
    )
    assert r.status_code == 302
    fb = Feedback.objects.get()
    assert fb.assisted and fb.reporter is None and fb.recorded_by == users["community_tianxiang"]
    community.post(act(fb.pk, "accept"))
    community.post(act(fb.pk, "fix"))
    community.post(act(fb.pk, "confirm"), {"comment": "电话回访,李奶奶说已解决"})
    fb.refresh_from_db()
    assert fb.status == "confirmed"
    assert fb.events.last().assisted
    # Another street may not record on this compound: it is not in their area.
    r = client_for(users["street_qingyun"]).post(
        NEW,
        {
            "compound": cast["compound_a"].pk,
            "reporter_name": "某",
            "category": "other",
            "text": "x",
        },
    )
    assert r.status_code == 400 and Feedback.objects.count() == 1
    # A contractor may not record for residents at all.
    assert client_for(users["contractor"]).get(NEW).status_code == 403


# Staff queue -------------------------------------------------------------------


def test_queue_scoped_filtered_and_exported(
    cast, users, client_for, contractor_org, django_assert_max_num_queries
):
    ra = client_for(users["resident_a"])
    report(ra, "construction_quality", "外墙保温层脱落")
    report(ra, "property_service", "保安不在岗")
    report(client_for(users["resident_b"]), "other", "云山的反馈")
    # The contractor sees only what is routed to it.
    page = client_for(users["contractor"]).get(QUEUE).content.decode()
    assert "外墙保温层脱落" in page and "保安不在岗" not in page and "云山的反馈" not in page
    # The property company sees its compound's items (and the reporter masked).
    page = client_for(users["property_company"]).get(QUEUE + "?mine=1").content.decode()
    assert "保安不在岗" in page and "外墙保温层脱落" not in page
    # Street staff: by jurisdiction; filters by category and status.
    street = client_for(users["street_jinchen"])
    with django_assert_max_num_queries(10):
        page = street.get(QUEUE).content.decode()
    assert "外墙保温层脱落" in page and "保安不在岗" in page and "云山的反馈" not in page
    page = street.get(QUEUE + "?category=property_service").content.decode()
    assert "保安不在岗" in page and "外墙保温层脱落" not in page
    assert "外墙保温层脱落" not in street.get(QUEUE + "?status=confirmed").content.decode()
    # Export
    r = street.get(reverse("consultation:feedback_export"))
    assert r.status_code == 200
    ws = load_workbook(BytesIO(r.content)).active
    rows = list(ws.values)
    assert rows[0][0] == "编号" and len(rows) == 3
    assert {row[5] for row in rows[1:]} == {"外墙保温层脱落", "保安不在岗"}
    # Residents have no queue.
    assert ra.get(QUEUE).status_code == 403


def test_queue_query_count_does_not_grow(cast, users, client_for, django_assert_max_num_queries):
    ra = client_for(users["resident_a"])
    for i in range(15):
        report(ra, "other", f"问题 {i}")
    district = client_for(users["district"])
    with django_assert_max_num_queries(10):
        r = district.get(QUEUE)
    assert r.status_code == 200 and "问题 14" in r.content.decode()


def test_responsible_party_page(cast, users, client_for):
    contractor = users["contractor"].organisation
    url = reverse("consultation:feedback_parties", args=[cast["compound_a"].pk])
    street = client_for(users["street_jinchen"])
    assert street.get(url).status_code == 200
    r = street.post(url, {"kind": "contractor", "organisation": contractor.pk})
    assert r.status_code == 302
    assert svc.route(cast["compound_a"], "progress") == contractor
    # The property company is not a contractor.
    r = street.post(url, {"kind": "contractor", "organisation": cast["property_company"].pk})
    assert r.status_code == 400
    assert (
        client_for(users["community_tianxiang"]).post(url, {"kind": "contractor"}).status_code
        == 403
    )
    assert client_for(users["street_qingyun"]).get(url).status_code == 404


def test_timeline_names_the_organisation_once(cast, users, client_for):
    pc = users["property_company"].organisation
    kefu = testing.make_user("kefu", "property_company", organisation=pc)
    kefu.display_name = f"{pc.name} 客服"
    kefu.save(update_fields=["display_name"])
    other = users["property_company"]
    fb = Feedback(reporter=users["resident_a"])
    staff = users["community_tianxiang"]
    assert sel.actor_label(staff, FeedbackEvent(actor=kefu), fb) == f"{pc.name} 客服"
    assert sel.actor_label(staff, FeedbackEvent(actor=other), fb) == f"{pc.name} property_company"
    assert sel.actor_label(users["resident_a"], FeedbackEvent(actor=kefu), fb) == pc.name
