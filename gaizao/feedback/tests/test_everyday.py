"""Issue 13 (everyday use) on feedback: after-photos with 整改完成, the
"问题解决了吗?" card shows what was done, the comment box sits above the
buttons, and an objection staff record names the household."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gaizao.core.models import AuditEntry
from gaizao.feedback.models import Feedback, FeedbackPhoto

from .test_feedback import JPEG, LIST, NEW, PNG, act, report


@pytest.fixture
def fixed(cast, users, client_for):
    report(client_for(users["resident_a"]), "property_service", "垃圾三天没人清运")
    fb = Feedback.objects.get()
    pc = client_for(users["property_company"])
    pc.post(act(fb.pk, "accept"))
    r = pc.post(
        act(fb.pk, "fix"),
        {
            "comment": "已清运并消毒",
            "photos": [
                SimpleUploadedFile("after1.png", PNG, "image/png"),
                SimpleUploadedFile("after2.jpg", JPEG, "image/jpeg"),
            ],
        },
    )
    assert r.status_code == 302
    fb.refresh_from_db()
    return fb


def test_fix_takes_after_photos_and_the_card_shows_them(fixed, users, client_for):
    fb = fixed
    assert fb.status == "fixed"
    shots = FeedbackPhoto.objects.filter(feedback=fb)
    assert shots.count() == 2 and all(p.event.action == "fix" for p in shots)
    page = client_for(users["resident_a"]).get(LIST).content.decode()
    assert "问题解决了吗" in page and "已清运并消毒" in page
    for p in shots:
        assert p.image.url in page
    # the comment box comes before the 没解决 button
    card = page[page.index("问题解决了吗") :]
    assert card.index('name="comment"') < card.index("没解决</button>")
    # the detail page lists them with the 整改 step, not among the report's photos
    detail = client_for(users["resident_a"]).get(
        reverse("consultation:feedback_detail", args=[fb.pk])
    )
    assert "整改后照片 1" in detail.content.decode()
    assert AuditEntry.objects.filter(changes__after_photos=2).exists()


def test_fix_form_offers_a_photo_field(cast, users, client_for):
    report(client_for(users["resident_a"]), "property_service", "路灯不亮")
    fb = Feedback.objects.get()
    pc = client_for(users["property_company"])
    pc.post(act(fb.pk, "accept"))
    page = pc.get(reverse("consultation:feedback_detail", args=[fb.pk])).content.decode()
    assert 'name="photos"' in page and 'enctype="multipart/form-data"' in page


def test_a_bad_after_photo_refuses_the_fix_and_writes_nothing(cast, users, client_for):
    report(client_for(users["resident_a"]), "property_service", "路灯不亮")
    fb = Feedback.objects.get()
    pc = client_for(users["property_company"])
    pc.post(act(fb.pk, "accept"))
    r = pc.post(
        act(fb.pk, "fix"),
        {"photos": [SimpleUploadedFile("x.jpg", b"%PDF-1.4 nope", "image/jpeg")]},
        follow=True,
    )
    assert "不是图片" in r.content.decode()
    fb.refresh_from_db()
    assert fb.status == "accepted" and not FeedbackPhoto.objects.exists()


def test_staff_recorded_objection_names_the_household(cast, users, client_for):
    community = client_for(users["community_tianxiang"])
    community.post(
        NEW,
        {
            "compound": cast["compound_a"].pk,
            "reporter_name": "李奶奶",
            "category": "other",
            "text": "楼下积水",
            "place": "1栋",
        },
    )
    fb = Feedback.objects.get()
    community.post(act(fb.pk, "accept"))
    community.post(act(fb.pk, "fix"))
    page = community.get(reverse("consultation:feedback_detail", args=[fb.pk])).content.decode()
    assert 'name="unit"' in page
    # without a household the objection is refused, nothing written
    r = community.post(act(fb.pk, "reopen"), {"comment": "还在积水"}, follow=True)
    assert "请选择提出异议的住户" in r.content.decode()
    fb.refresh_from_db()
    assert fb.status == "fixed"
    # a unit of another compound is refused
    community.post(act(fb.pk, "reopen"), {"unit": cast["unit_b"].pk})
    fb.refresh_from_db()
    assert fb.status == "fixed"
    u2 = cast["units_a"][1]
    community.post(act(fb.pk, "reopen"), {"comment": "还在积水", "unit": u2.pk})
    fb.refresh_from_db()
    assert fb.status == "reopened"
    ev = fb.events.last()
    assert ev.assisted and ev.unit == u2
    page = community.get(reverse("consultation:feedback_detail", args=[fb.pk])).content.decode()
    assert "答复住户:1栋" in page
