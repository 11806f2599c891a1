# ruff: noqa: F811 (the vote and staff fixtures come from test_votes)
"""Deemed consent (未参与表决视为同意) only where the compound's adopted 议事规则
provide it: a second, labelled count beside the statutory one, which alone
decides."""

from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone

from gaizao.consultation.models import MeetingRules, Vote
from gaizao.core.audit import AuditEntry

from .test_votes import staff, vote  # noqa: F401 (fixtures)

SOURCE = "《天祥小区业主大会议事规则》第十八条"


def _rules(staff, cast, **data):
    return staff.post(
        reverse("consultation:staff_compound", args=[cast["compound_a"].pk]),
        {f"rules-{k}": v for k, v in data.items()},
        follow=True,
    )


def _close(staff, users, client_for, vote):
    # 101 agrees online; 102 (same owner) does not reply: 80.5 of 140.5 m²
    # took part, under the two-thirds quorum.
    client_for(users["resident_a"]).post(
        reverse("consultation:ballot", args=[vote.pk]), {"choice": "agree"}
    )
    Vote.objects.filter(pk=vote.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    staff.post(reverse("consultation:vote_action", args=[vote.pk, "close"]))
    vote.refresh_from_db()
    return vote


def test_second_count_only_where_the_rules_provide_it(staff, users, cast, client_for, vote):
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    r = _rules(staff, cast, deemed_consent="on", adopted_on=yesterday, source=SOURCE)
    assert "已登记议事规则" in r.content.decode()
    rules = MeetingRules.objects.get()
    assert rules.deemed_consent and rules.source == SOURCE
    entry = AuditEntry.objects.get(model="consultation.meetingrules")
    assert entry.actor == users["community_tianxiang"]
    assert entry.changes["source"] == [None, SOURCE]

    v = _close(staff, users, client_for, vote)
    # The statutory count decides: quorum not met, not passed.
    assert v.passed is False and v.result["quorum_met"] is False
    d = v.result["deemed"]
    assert d["passed"] is True and d["area_agreeing"] == 140.5
    assert d["source"] == SOURCE and d["adopted_on"] == yesterday
    page = staff.get(reverse("consultation:vote_detail", args=[v.pk])).content.decode()
    assert "表决未通过" in page
    assert "按本小区议事规则计票(未参与表决视为同意)" in page and "以上方法定计票为准" in page
    staff.post(reverse("consultation:vote_action", args=[v.pk, "publish"]))
    cert = staff.get(reverse("consultation:certificate", args=[v.pk])).content.decode()
    assert "本次表决未通过" in cert and "不替代上述法定计票结果" in cert and SOURCE in cert


def test_no_rule_no_second_count(staff, users, cast, client_for, vote):
    v = _close(staff, users, client_for, vote)
    assert "deemed" not in v.result
    page = staff.get(reverse("consultation:vote_detail", args=[v.pk])).content.decode()
    assert "视为同意)" not in page


def test_rule_without_deemed_consent_or_adopted_later_gives_no_second_count(
    staff, users, cast, client_for, vote
):
    MeetingRules.objects.create(
        compound=cast["compound_a"],
        deemed_consent=True,
        # adopted after the vote opened: it does not reach back
        adopted_on=timezone.localdate() + timedelta(days=1),
        source=SOURCE,
    )
    assert "deemed" not in _close(staff, users, client_for, vote).result


def test_rules_form_errors_and_permission(staff, users, cast, client_for):
    r = _rules(staff, cast, deemed_consent="on", adopted_on="", source="")
    body = r.content.decode()
    assert r.status_code == 400 and "请填写议事规则通过日期" in body and "请填写条款出处" in body
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    r = _rules(staff, cast, deemed_consent="on", adopted_on=future, source=SOURCE)
    assert r.status_code == 400 and "不能晚于今天" in r.content.decode()
    assert not MeetingRules.objects.exists()
    surveyor = client_for(users["surveyor"])
    r = surveyor.post(
        reverse("consultation:staff_compound", args=[cast["compound_a"].pk]),
        {"rules-adopted_on": date(2020, 1, 1).isoformat(), "rules-source": SOURCE},
    )
    assert r.status_code == 403 and not MeetingRules.objects.exists()
