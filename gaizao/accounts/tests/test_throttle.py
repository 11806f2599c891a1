"""Issue 9 #8: staff login throttled per account and per client address with
an expiring lockout; access codes counted increment-first (no
check-then-insert), behind the configured trusted proxy header."""

import threading
import time

import pytest
from django.test import Client
from django.urls import reverse

from gaizao.consultation import services as consultation
from gaizao.consultation.models import AccessAttempt
from gaizao.core import throttle
from gaizao.core.errors import DomainError

LOGIN = "/accounts/login/"


def test_sixty_wrong_passwords_then_the_right_one_is_refused(users, client):
    user = users["street_jinchen"]
    user.set_password("right-password-1")
    user.save()
    for _i in range(10):
        r = client.post(LOGIN, {"username": user.username, "password": "wrong"})
        assert r.status_code == 200
    for _i in range(50):
        r = client.post(LOGIN, {"username": user.username, "password": "wrong"})
        assert r.status_code == 429
    r = client.post(LOGIN, {"username": user.username, "password": "right-password-1"})
    assert r.status_code == 429
    assert "_auth_user_id" not in client.session
    assert "登录失败次数过多" in r.content.decode() and "分钟后再试" in r.content.decode()


def test_the_account_lock_holds_from_another_address(users, client, settings):
    user = users["street_jinchen"]
    user.set_password("right-password-1")
    user.save()
    for i in range(11):
        Client(REMOTE_ADDR=f"10.1.0.{i}").post(LOGIN, {"username": user.username, "password": "x"})
    r = Client(REMOTE_ADDR="10.9.9.9").post(
        LOGIN, {"username": user.username.upper(), "password": "right-password-1"}
    )
    assert r.status_code == 429


def test_the_client_lock_covers_every_account(users, settings):
    settings.GAIZAO_LOGIN_RATE_CLIENT = "5/15m"
    c = Client(REMOTE_ADDR="10.2.0.1")
    for i in range(5):
        c.post(LOGIN, {"username": f"nobody{i}", "password": "x"})
    assert c.post(LOGIN, {"username": "someone-else", "password": "x"}).status_code == 429
    # another client is not affected
    assert (
        Client(REMOTE_ADDR="10.2.0.2").post(LOGIN, {"username": "a", "password": "x"}).status_code
        == 200
    )


def test_the_lockout_expires(users, settings, monkeypatch):
    settings.GAIZAO_LOGIN_RATE_ACCOUNT = "2/1m"
    user = users["street_jinchen"]
    user.set_password("right-password-1")
    user.save()
    c = Client()
    for _i in range(3):
        c.post(LOGIN, {"username": user.username, "password": "x"})
    assert (
        c.post(LOGIN, {"username": user.username, "password": "right-password-1"}).status_code
        == 429
    )
    later = time.time() + 125
    monkeypatch.setattr(time, "time", lambda: later)
    r = c.post(LOGIN, {"username": user.username, "password": "right-password-1"})
    assert r.status_code == 302


def test_client_address_from_the_trusted_proxy_header_only(rf, settings):
    req = rf.get(
        "/", HTTP_X_FORWARDED_FOR="1.1.1.1", HTTP_X_REAL_IP="2.2.2.2", REMOTE_ADDR="3.3.3.3"
    )
    assert throttle.client_ip(req) == "3.3.3.3"  # no header configured: the peer
    settings.GAIZAO_CLIENT_IP_HEADER = "X-Real-IP"
    assert throttle.client_ip(req) == "2.2.2.2"


def test_concurrent_attempts_pass_exactly_the_limit(settings):
    """60 concurrent attempts from 20 threads: exactly 10 get through (the
    old check-then-insert let 11 through). access_code_redeem counts with
    this same hit() before it looks at the code."""
    passed = []
    barrier = threading.Barrier(20)

    def attempt():
        barrier.wait()
        for _i in range(3):
            if not throttle.hit("access.code", "10.3.0.1", "10/15m").over:
                passed.append(1)

    threads = [threading.Thread(target=attempt) for _i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(passed) == 10


def test_wrong_codes_are_counted_before_the_lookup(db):
    outcomes = []
    for _i in range(12):
        try:
            consultation.access_code_redeem(code="ABCD-EFGH", ip="10.3.0.2")
        except DomainError as e:
            outcomes.append(e.code)
    assert outcomes == ["access_denied"] * 10 + ["rate_limited"] * 2
    assert AccessAttempt.objects.count() == 10


@pytest.mark.django_db
def test_code_attempts_are_limited_per_client_with_a_clear_message(client):
    for _i in range(10):
        client.post(reverse("consultation:enter_code"), {"code": "ZZZZ-ZZZZ"})
    r = client.post(reverse("consultation:enter_code"), {"code": "ZZZZ-ZZZZ"})
    assert "错误次数过多" in r.content.decode()
