"""Issue 9 #10: API tokens expire and die with a password change; sessions
end after an idle timeout without a session write on every request."""

from datetime import timedelta

from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gaizao.accounts.middleware import WRITE_EVERY
from gaizao.accounts.models import ApiToken
from gaizao.core.models import AuditEntry

ME = "/api/v1/compounds"


def _api(raw):
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_a_token_expires(users):
    tok, raw = ApiToken.issue(users["street_jinchen"])
    assert tok.expires_at > timezone.now() + timedelta(days=89)
    assert _api(raw).get(ME).status_code == 200
    ApiToken.objects.filter(pk=tok.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert _api(raw).get(ME).status_code == 401


def test_a_password_change_kills_every_token_and_other_session(users, client_for):
    user = users["street_jinchen"]
    user.set_password("old-password-123")
    user.save()
    _tok, raw = ApiToken.issue(user)
    other = client_for(user)
    me = Client()
    me.post("/accounts/login/", {"username": user.username, "password": "old-password-123"})
    r = me.post(
        reverse("accounts:password_change"),
        {
            "old_password": "old-password-123",
            "new_password1": "a-new-Password-456",
            "new_password2": "a-new-Password-456",
        },
    )
    assert r.status_code == 302
    assert _api(raw).get(ME).status_code == 401
    assert me.get("/").status_code == 200  # this session stays
    assert other.get("/").status_code == 302  # the other one ended
    assert not ApiToken.objects.filter(user=user, revoked=False).exists()


def test_a_password_set_elsewhere_also_kills_tokens(users):
    """The admin or `changepassword` bypass the page: the token carries a
    fingerprint of the password it was made under."""
    user = users["street_jinchen"]
    _tok, raw = ApiToken.issue(user)
    user.set_password("set-by-admin-789")
    user.save()
    assert _api(raw).get(ME).status_code == 401


def test_token_page_creates_and_revokes_through_services_with_audit(users, client_for):
    user = users["street_jinchen"]
    c = client_for(user)
    r = c.post(reverse("accounts:tokens"), {"name": "脚本"})
    assert r.status_code == 200 and "gz_" in r.content.decode()
    tok = ApiToken.objects.get(user=user)
    assert AuditEntry.objects.filter(model="accounts.apitoken", action="create").count() == 1
    c.post(reverse("accounts:tokens"), {"revoke": tok.pk})
    tok.refresh_from_db()
    assert tok.revoked
    assert AuditEntry.objects.filter(model="accounts.apitoken", action="update").count() == 1
    # someone else's token: 404, nothing changed
    other, _raw = ApiToken.issue(users["street_qingyun"])
    assert c.post(reverse("accounts:tokens"), {"revoke": other.pk}).status_code == 404
    # a name too long, an id out of range: a message, not a 500
    assert c.post(reverse("accounts:tokens"), {"name": "x" * 65}).status_code == 200
    assert c.post(reverse("accounts:tokens"), {"revoke": "99999999999999999999"}).status_code == 302


def test_idle_staff_session_ends(users, client_for, settings, monkeypatch):
    settings.GAIZAO_IDLE_MINUTES_STAFF = 30
    c = client_for(users["street_jinchen"])
    assert c.get("/").status_code == 200
    import time as _time

    now = _time.time()
    monkeypatch.setattr(_time, "time", lambda: now + 31 * 60)
    r = c.get("/")
    assert r.status_code == 302 and "login" in r["Location"]


def test_activity_is_written_at_most_once_a_minute(users, client_for, monkeypatch):
    c = client_for(users["street_jinchen"])
    c.get("/")
    key = c.session.session_key
    before = Session.objects.get(session_key=key).session_data
    with CaptureQueriesContext(connection) as q:
        c.get("/")
    assert not any(
        "UPDATE" in x["sql"] and "django_session" in x["sql"] for x in q.captured_queries
    )
    assert Session.objects.get(session_key=key).session_data == before
    import time as _time

    now = _time.time()
    monkeypatch.setattr(_time, "time", lambda: now + WRITE_EVERY + 5)
    c.get("/")
    assert Session.objects.get(session_key=key).session_data != before
