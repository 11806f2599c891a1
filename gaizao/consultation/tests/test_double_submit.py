"""QA round 2: pressing a button twice must not file things twice."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from gaizao.consultation.models import Vote

from .test_votes import local


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
