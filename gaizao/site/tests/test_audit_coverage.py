"""Issue 9 #6: every write leaves an audit entry with the channel it came
through (web, api, admin, import, cli). 7 of 17 write kinds were recorded."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gaizao.accounts.models import ApiToken, Role, User
from gaizao.consultation import services as consultation
from gaizao.consultation.models import Ballot, Vote, VoteRules
from gaizao.core import audit
from gaizao.core.models import AuditEntry
from gaizao.eligibility import services as eligibility
from gaizao.feedback.services import feedback as feedback_services
from gaizao.testing import make_user


def entries(model, **kw):
    return AuditEntry.objects.filter(model=model, **kw)


def photo():
    return SimpleUploadedFile("sheet.jpg", b"\xff\xd8\xff\xe0fakejpeg", content_type="image/jpeg")


@pytest.fixture
def open_vote(client_for, users, cast, areas):
    VoteRules.objects.update_or_create(
        area=areas["district"], defaults={"notice_days_before": 0, "min_voting_days": 1}
    )
    staff = client_for(users["community_tianxiang"])
    now = timezone.now()
    fmt = "%Y-%m-%dT%H:%M"
    staff.post(
        reverse("consultation:vote_new", args=[cast["compound_a"].pk]),
        {
            "matter": 7,
            "title": "加装电梯",
            "opens_at": timezone.localtime(now - timedelta(hours=1)).strftime(fmt),
            "closes_at": timezone.localtime(now + timedelta(days=7)).strftime(fmt),
            "notice_days": 7,
        },
    )
    v = Vote.objects.get()
    staff.post(reverse("consultation:vote_action", args=[v.pk, "open"]))
    v.refresh_from_db()
    assert v.status == "open"
    return v


def test_ballots_of_every_channel_are_audited(client_for, users, cast, open_vote):
    u1, u2 = cast["units_a"]
    r = client_for(users["resident_a"]).post(
        f"/api/v1/votes/{open_vote.pk}/ballots",
        {"choice": "agree"},
        content_type="application/json",
    )
    assert r.status_code == 201
    online = entries("consultation.ballot", action="create").get()
    assert online.source == "api" and online.changes["channel"] == [None, "online"]
    staff = users["community_tianxiang"]
    consultation.ballot_cast(
        actor=staff, vote=open_vote, unit=u2, choice="oppose", channel="paper", sheet_photo=photo()
    )
    paper = entries("consultation.ballot", action="create").first()
    assert paper.source == "web" and paper.changes["channel"] == [None, "paper"]
    # a repeated (assisted) ballot becomes a conflict: audited too
    make_user("community_w", "community", area=cast["compound_a"].community)
    with pytest.raises(consultation.DuplicateBallot):
        consultation.ballot_cast(
            actor=staff,
            vote=open_vote,
            unit=u2,
            choice="agree",
            channel="assisted",
            witness=User.objects.get(username="community_w"),
        )
    assert entries("consultation.ballotconflict", action="create").count() == 1


def test_an_assisted_ballot_is_audited(users, cast, open_vote):
    make_user("community_w", "community", area=cast["compound_a"].community)
    consultation.ballot_cast(
        actor=users["community_tianxiang"],
        vote=open_vote,
        unit=cast["units_a"][0],
        choice="agree",
        channel="assisted",
        witness=User.objects.get(username="community_w"),
    )
    e = entries("consultation.ballot", action="create").get()
    assert e.changes["channel"] == [None, "assisted"] and e.actor == users["community_tianxiang"]


def test_feedback_transitions_are_audited(users, cast):
    fb = feedback_services.feedback_create(
        actor=users["resident_a"], category="other", text="路灯不亮"
    )
    n = entries("feedback.feedback").count()
    feedback_services.feedback_transition(
        actor=users["community_tianxiang"], feedback=fb, action="accept"
    )
    assert entries("feedback.feedback").count() == n + 1


def test_eligibility_evaluations_are_audited(users, cast, areas):
    eligibility.evaluate_compound(cast["compound_a"], actor=users["bureau"])
    assert entries("inventory.compound", object_pk=str(cast["compound_a"].pk)).exists()
    eligibility.evaluate_area(actor=users["bureau"], area=areas["district"])
    e = entries("regions.area").get()
    assert e.changes["eligibility_evaluated"] >= 1


def test_token_create_and_revoke_are_audited(users, client_for):
    c = client_for(users["bureau"])
    c.post(reverse("accounts:tokens"), {"name": "x"})
    tok = ApiToken.objects.get()
    c.post(reverse("accounts:tokens"), {"revoke": tok.pk})
    assert list(entries("accounts.apitoken").values_list("action", flat=True)) == [
        "update",
        "create",
    ]


@pytest.fixture
def admin_client(db, client_for):
    su = User.objects.create_superuser("root", password="x-very-long-password-1")
    return su, client_for(su)


def test_admin_edits_of_votes_ballots_and_users_are_audited(admin_client, users, cast, open_vote):
    su, c = admin_client
    # a role changed in the admin
    user = users["street_jinchen"]
    url = reverse("admin:accounts_user_change", args=[user.pk])
    page = c.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list)}
    data.update(
        {
            "username": user.username,
            "role": Role.COMMUNITY,
            "area": user.area_id,
            "date_joined_0": "2024-01-01",
            "date_joined_1": "00:00:00",
            "last_login_0": "",
            "last_login_1": "",
            "is_active": "on",
        }
    )
    data.pop("password", None)
    data.pop("last_login", None)
    data.pop("date_joined", None)
    r = c.post(url, data)
    assert r.status_code == 302, r.context["adminform"].form.errors if r.context else r
    e = entries("accounts.user", object_pk=str(user.pk)).get()
    assert e.source == "admin" and e.actor == su
    assert e.changes["role"] == ["street_office", "community"]
    assert "password" not in e.changes
    # a ballot deleted in the admin
    b = consultation.ballot_cast(
        actor=users["resident_a"], vote=open_vote, unit=cast["units_a"][0], choice="agree"
    )
    r = c.post(reverse("admin:consultation_ballot_delete", args=[b.pk]), {"post": "yes"})
    assert r.status_code == 302 and not Ballot.objects.filter(pk=b.pk).exists()
    d = entries("consultation.ballot", action="delete").get()
    assert d.source == "admin" and d.changes["choice"] == ["agree", None]
    # bulk delete ("delete selected") in the admin list
    b2 = consultation.ballot_cast(
        actor=users["resident_a"], vote=open_vote, unit=cast["units_a"][0], choice="oppose"
    )
    r = c.post(
        reverse("admin:consultation_ballot_changelist"),
        {"action": "delete_selected", "_selected_action": [b2.pk], "post": "yes"},
    )
    assert r.status_code == 302 and not Ballot.objects.filter(pk=b2.pk).exists()
    assert entries("consultation.ballot", action="delete").count() == 2


def test_audit_channel_context():
    assert audit.current_channel() == "web"
    with audit.channel("api"):
        assert audit.current_channel() == "api"
    assert audit.current_channel() == "web"


def test_secret_fields_never_reach_the_trail(users):
    snap = audit.snapshot(users["bureau"])
    assert snap["password"] == "***"


def test_a_password_changed_in_the_admin_is_audited_and_ends_sessions(admin_client, users):
    su, c = admin_client
    user = users["street_jinchen"]
    victim = Client()
    victim.force_login(user)
    _tok, raw = ApiToken.issue(user)
    url = reverse("admin:auth_user_password_change", args=[user.pk])
    # a mismatch writes nothing
    r = c.post(url, {"password1": "Neu-Passwort-2026", "password2": "other-Passwort-2026"})
    assert r.status_code == 200
    assert not entries("accounts.user", object_pk=str(user.pk)).exists()
    r = c.post(url, {"password1": "Neu-Passwort-2026", "password2": "Neu-Passwort-2026"})
    assert r.status_code == 302
    e = entries("accounts.user", object_pk=str(user.pk)).get()
    assert e.source == "admin" and e.actor == su
    assert e.changes["password"] == ["***", "***"] and e.changes["tokens_revoked"] == 1
    assert victim.get("/").status_code == 302  # the user's sessions ended
    assert ApiToken.objects.get().revoked
