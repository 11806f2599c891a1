"""Feedback's parts of tests that used to live with consultation and core:
photos judged by their bytes and served through the feedback chokepoint
(protected media asks this app), a double tap filing once, and the
resident portal pointing to items that wait for an answer."""

from datetime import date

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gaizao.feedback import services as svc
from gaizao.feedback.models import Feedback, FeedbackPhoto

from .test_feedback import report

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
HTML = b"<!doctype html><script>alert(document.cookie)</script>"


def upload(name, data, ctype):
    return SimpleUploadedFile(name, data, content_type=ctype)


def test_feedback_photo_follows_feedback_visibility(client_for, cast):
    fb = Feedback.objects.create(
        compound=cast["compound_a"],
        reporter=cast["users"]["resident_a"],
        category="other",
        text="路灯不亮",
        due_on=date(2026, 12, 1),
        responsible_org=cast["property_company"],
    )
    p = FeedbackPhoto(feedback=fb)
    p.image.save("lamp.png", ContentFile(PNG))
    url = "/media/" + p.image.name
    assert client_for(cast["users"]["resident_a"]).get(url).status_code == 200
    assert client_for(cast["users"]["resident_b"]).get(url).status_code == 404
    assert client_for(cast["users"]["street_qingyun"]).get(url).status_code == 404


def test_feedback_photo_named_after_its_real_type(cast, users, client_for):
    c = client_for(users["resident_a"])
    r = c.post(
        reverse("consultation:feedback_new"),
        {
            "category": "other",
            "text": "路灯不亮",
            "photos": [upload("刘阿姨的照片.jpg", PNG, "image/jpeg")],
        },
    )
    assert r.status_code == 302
    name = FeedbackPhoto.objects.get().image.name
    assert name.endswith(".png") and "刘阿姨" not in name
    r = c.post(
        reverse("consultation:feedback_new"),
        {"category": "other", "text": "x", "photos": [upload("a.jpg", HTML, "image/jpeg")]},
    )
    assert r.status_code == 400 and "“a.jpg”不是图片" in r.content.decode()
    assert FeedbackPhoto.objects.count() == 1


def test_same_feedback_twice_is_one_report(client_for, users):
    c = client_for(users["resident_a"])
    assert report(c, "other", "双击测试").status_code == 302
    r = report(c, "other", "双击测试")
    assert Feedback.objects.count() == 1
    assert "已提交过相同的反映" in r.content.decode()
    # A different problem is a new report.
    assert report(c, "other", "另一个问题").status_code == 302
    assert Feedback.objects.count() == 2


def test_portal_points_to_feedback_awaiting_an_answer(client_for, users, cast):
    c = client_for(users["resident_a"])
    assert report(c, "other", "路灯不亮").status_code == 302
    fb = Feedback.objects.get()
    assert "问题解决了吗" not in c.get("/participate/").content.decode()
    staff = users["community_tianxiang"]
    svc.feedback_transition(actor=staff, feedback=fb, action="accept")
    fb.refresh_from_db()
    svc.feedback_transition(actor=staff, feedback=fb, action="fix")
    assert "有 1 条反映已处理,请告诉我们:问题解决了吗?" in c.get("/participate/").content.decode()
