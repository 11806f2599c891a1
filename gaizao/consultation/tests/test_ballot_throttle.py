"""Issue 9 #4/#8: ballot endpoints are rate-limited per household (300
ballots in 4.4 s from one token used to be accepted)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from gaizao.consultation.models import Vote
from gaizao.consultation.tests.test_votes import local


@pytest.fixture
def vote(client_for, users, cast):
    staff = client_for(users["community_tianxiang"])
    now = timezone.now()
    staff.post(
        reverse("consultation:vote_new", args=[cast["compound_a"].pk]),
        {
            "matter": 7,
            "title": "加装电梯",
            "opens_at": local(now - timedelta(hours=1)),
            "closes_at": local(now + timedelta(days=7)),
            "notice_days": 7,
        },
    )
    v = Vote.objects.get()
    staff.post(reverse("consultation:vote_action", args=[v.pk, "open"]))
    return v


def test_api_ballots_are_limited_per_household(client_for, users, vote, settings):
    settings.GAIZAO_BALLOT_RATE = "5/h"
    c = client_for(users["resident_a"])
    url = f"/api/v1/votes/{vote.pk}/ballots"
    codes = [
        c.post(url, {"choice": "agree"}, content_type="application/json").status_code
        for _i in range(8)
    ]
    assert codes[:5] == [201] * 5 and codes[5:] == [429] * 3
    r = c.post(url, {"choice": "agree"}, content_type="application/json")
    assert "过于频繁" in r.json()["error"] and int(r["Retry-After"]) > 0
    # another household is not affected
    other = client_for(users["resident_b"])
    assert other.get("/api/v1/votes").status_code == 200


def test_page_ballots_are_limited_per_household(client_for, users, vote, settings):
    settings.GAIZAO_BALLOT_RATE = "2/h"
    c = client_for(users["resident_a"])
    url = reverse("consultation:ballot", args=[vote.pk])
    assert c.post(url, {"choice": "agree"}).status_code == 302
    assert c.post(url, {"choice": "oppose"}).status_code == 302
    r = c.post(url, {"choice": "agree"})
    assert r.status_code == 429 and "本户提交过于频繁" in r.content.decode()
