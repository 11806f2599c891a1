"""Password reset: by the user's own phone (SMS) or e-mail, and by their
administrator with a one-time link; links work once; permissions."""

import re

import pytest
from django.core import mail

from gaizao.core.models import AuditEntry
from gaizao.core.notify import ConsoleSMSBackend

LINK = re.compile(r"http://testserver(/accounts/reset/[^/\s]+/[^/\s]+/)")


@pytest.fixture(autouse=True)
def _outboxes(settings):
    settings.GAIZAO_SMS_BACKEND = "console"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    ConsoleSMSBackend.outbox.clear()


def _set_password(client, path, password="Neu-Passwort-2026"):
    r = client.get(path)  # Django moves the token into the session and redirects
    assert r.status_code == 302
    set_url = r["Location"]
    return client.post(set_url, {"new_password1": password, "new_password2": password})


def test_reset_by_own_phone_sms_link_works_once(users, client_for):
    u = users["street_jinchen"]
    u.phone, u.email = "13800001234", ""
    u.save()
    c = client_for(None)
    r = c.post("/accounts/reset/", {"identifier": "13800001234"})
    assert r.status_code == 302
    assert len(ConsoleSMSBackend.outbox) == 1 and ConsoleSMSBackend.outbox[0]["to"] == "13800001234"
    path = LINK.search(ConsoleSMSBackend.outbox[0]["text"]).group(1)
    r = _set_password(c, path)
    assert r.status_code == 302
    u.refresh_from_db()
    assert u.check_password("Neu-Passwort-2026")
    assert AuditEntry.objects.filter(object_pk=str(u.pk), changes__password__isnull=False).exists()
    # used once: the same link no longer works
    page = client_for(None).get(path, follow=True).content.decode()
    assert "此重置链接无效、已使用或已过期" in page


def test_reset_by_email(users, client_for):
    u = users["bureau"]
    u.email, u.phone = "bureau@example.org", ""
    u.save()
    client_for(None).post("/accounts/reset/", {"identifier": "BUREAU@example.org"})
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["bureau@example.org"]
    path = LINK.search(mail.outbox[0].body).group(1)
    assert _set_password(client_for(None), path).status_code == 302
    u.refresh_from_db()
    assert u.check_password("Neu-Passwort-2026")


def test_unknown_account_gets_the_same_answer_and_nothing_is_sent(cast, client_for):
    r = client_for(None).post("/accounts/reset/", {"identifier": "nobody"}, follow=True)
    assert "如果该账号存在" in r.content.decode()
    assert not mail.outbox and not ConsoleSMSBackend.outbox


def test_administrator_issues_a_one_time_link(users, client_for):
    admin = client_for(users["district"])
    target = users["community_tianxiang"]
    page = admin.get("/accounts/users/?q=community").content.decode()
    assert "community_tianxiang" in page
    r = admin.post(f"/accounts/users/{target.pk}/reset-link/")
    assert r.status_code == 200
    path = LINK.search(r.content.decode()).group(1)
    assert AuditEntry.objects.filter(
        actor=users["district"], object_pk=str(target.pk), changes__password_reset__isnull=False
    ).exists()
    assert _set_password(client_for(None), path).status_code == 302
    target.refresh_from_db()
    assert target.check_password("Neu-Passwort-2026")


def test_who_may_issue_links(users, client_for):
    target = users["community_tianxiang"]
    # not an administrator
    for name in ("community_yunshan", "resident_a", "contractor", "street_jinchen"):
        c = client_for(users[name])
        assert c.get("/accounts/users/").status_code == 403, name
        assert c.post(f"/accounts/users/{target.pk}/reset-link/").status_code == 403, name
    # a superuser is outside a district office's reach
    c = client_for(users["district"])
    assert c.post(f"/accounts/users/{users['admin'].pk}/reset-link/").status_code == 404
    assert client_for(None).get("/accounts/users/").status_code == 302


def test_reset_requests_are_throttled_per_identifier_and_client(users, settings):
    """Issue 13: the login limiter serves reset requests too; at the limit
    the request still goes through, one more is refused with a Chinese
    message and 429, from any address; the client limit covers every
    identifier; the same account typed another way gets no more SMS."""
    from django.test import Client

    settings.GAIZAO_RESET_RATE_ACCOUNT = "3/h"
    settings.GAIZAO_RESET_RATE_CLIENT = "5/h"
    u = users["street_jinchen"]
    u.phone, u.email = "13800001234", ""
    u.save()
    c = Client(REMOTE_ADDR="10.3.0.1")
    for _i in range(3):
        assert c.post("/accounts/reset/", {"identifier": "13800001234"}).status_code == 302
    assert len(ConsoleSMSBackend.outbox) == 3
    r = Client(REMOTE_ADDR="10.3.0.2").post("/accounts/reset/", {"identifier": "13800001234"})
    assert r.status_code == 429
    assert "重置密码的请求过于频繁" in r.content.decode() and "分钟后再试" in r.content.decode()
    # the same account by its username: the typed name is new, but the account
    # has had its three links; the same answer as always, and no fourth SMS
    r = Client(REMOTE_ADDR="10.3.0.3").post("/accounts/reset/", {"identifier": u.username})
    assert r.status_code == 302 and len(ConsoleSMSBackend.outbox) == 3
    # the client limit: 5 requests from one address, whatever they name
    c2 = Client(REMOTE_ADDR="10.3.0.9")
    for i in range(5):
        assert c2.post("/accounts/reset/", {"identifier": f"nobody{i}"}).status_code == 302
    assert c2.post("/accounts/reset/", {"identifier": "nobody-else"}).status_code == 429
    assert (
        Client(REMOTE_ADDR="10.3.0.10")
        .post("/accounts/reset/", {"identifier": "nobody-else"})
        .status_code
        == 302
    )
