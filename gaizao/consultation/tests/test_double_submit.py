"""QA round 2: pressing a button twice must not file things twice."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from gaizao.consultation.models import Feedback, Vote

from .test_feedback import report
from .test_votes import local


def test_same_feedback_twice_is_one_report(client_for, users):
    c = client_for(users["resident_a"])
    assert report(c, "other", "双击测试").status_code == 302
    r = report(c, "other", "双击测试")
    assert Feedback.objects.count() == 1
    assert "已提交过相同的反映" in r.content.decode()
    # A different problem is a new report.
    assert report(c, "other", "另一个问题").status_code == 302
    assert Feedback.objects.count() == 2


def test_second_vote_on_a_running_matter_is_refused(client_for, users, cast):
    staff = client_for(users["community_tianxiang"])
    url = reverse("consultation:vote_new", args=[cast["compound_a"].pk])
    now = timezone.now()
    data = {
        "matter": 4,
        "title": "选聘物业服务企业",
        "description": "",
        "opens_at": local(now - timedelta(hours=1)),
        "closes_at": local(now + timedelta(days=7)),
        "notice_days": 7,
    }
    assert staff.post(url, data).status_code == 302
    r = staff.post(url, data)
    assert Vote.objects.count() == 1
    assert "请勿重复发起" in r.content.decode()
    # Another matter may run at the same time.
    assert staff.post(url, {**data, "matter": 2, "title": "修改管理规约"}).status_code == 302
    assert Vote.objects.count() == 2


def test_portal_points_to_feedback_awaiting_an_answer(client_for, users, cast):
    from gaizao.consultation import services_feedback as svc

    c = client_for(users["resident_a"])
    assert report(c, "other", "路灯不亮").status_code == 302
    fb = Feedback.objects.get()
    assert "问题解决了吗" not in c.get("/participate/").content.decode()
    staff = users["community_tianxiang"]
    svc.feedback_transition(actor=staff, feedback=fb, action="accept")
    fb.refresh_from_db()
    svc.feedback_transition(actor=staff, feedback=fb, action="fix")
    assert "有 1 条反映已处理,请告诉我们:问题解决了吗?" in c.get("/participate/").content.decode()
