"""Notices to people: in-app (core.Notice, the inbox), e-mail (Django's SMTP
settings: EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD,
EMAIL_USE_TLS, DEFAULT_FROM_EMAIL) and SMS through a pluggable backend
(GAIZAO_SMS_BACKEND: "console" for development and tests, "http" for the
gateway below). Every notice is recorded, with what each channel did.

    send(recipients=[user], subject="…", body="…", kind="works.overdue",
         ref="milestone:12:overdue:0")

The HTTP gateway adapter (GAIZAO_SMS_URL, GAIZAO_SMS_TOKEN) posts, per
message, JSON {"to": "138…", "text": "…", "ref": "…"} with
"Authorization: Bearer <token>" and expects a 2xx answer; the body of any
other answer is recorded as the error. Most Chinese SMS providers sit
behind such a relay (their own signed APIs differ per vendor)."""

import json
import logging
import sys
import urllib.request

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from .models import Notice

log = logging.getLogger(__name__)
CHANNELS = ("inapp", "email", "sms")


class ConsoleSMSBackend:
    """Writes each SMS to stderr (development) and keeps it in `outbox` (tests)."""

    outbox: list[dict] = []

    def send(self, *, to: str, text: str, ref: str) -> str:
        msg = {"to": to, "text": text, "ref": ref}
        ConsoleSMSBackend.outbox.append(msg)
        print(f"[sms] {to}: {text}", file=sys.stderr)
        return "sent"


class HttpSMSBackend:
    """POSTs to an SMS relay (request shape in the module docstring)."""

    def __init__(self, url: str | None = None, token: str | None = None, timeout: float = 10):
        self.url = url or getattr(settings, "GAIZAO_SMS_URL", "")
        self.token = token or getattr(settings, "GAIZAO_SMS_TOKEN", "")
        self.timeout = timeout

    def send(self, *, to: str, text: str, ref: str) -> str:
        if not self.url:
            return "error: GAIZAO_SMS_URL not set"
        data = json.dumps({"to": to, "text": text, "ref": ref}, ensure_ascii=False).encode()
        req = urllib.request.Request(
            self.url,
            data=data,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Authorization": f"Bearer {self.token}",
            },
        )
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:  # noqa: S310
                if 200 <= resp.status < 300:
                    return "sent"
                return f"error: HTTP {resp.status}"
        except Exception as e:  # the gateway's failure is recorded, never raised
            return f"error: {e}"[:200]


def sms_backend():
    name = getattr(settings, "GAIZAO_SMS_BACKEND", "console")
    return HttpSMSBackend() if name == "http" else ConsoleSMSBackend()


def send(
    *,
    recipients: list,
    subject: str,
    body: str,
    channels=CHANNELS,
    kind: str,
    ref: str,
) -> list[Notice]:
    """One Notice per recipient; e-mail and SMS go out after the commit, and
    what each did is written back onto the notice."""
    notices, seen = [], set()
    for user in recipients:
        if user is None or user.pk in seen:  # nobody, or told once already
            continue
        seen.add(user.pk)
        n = Notice.objects.create(
            recipient=user,
            subject=subject[:200],
            body=body,
            kind=kind,
            ref=ref[:120],
            channels=list(channels),
        )
        notices.append(n)
        transaction.on_commit(lambda n=n, user=user: _deliver(n, user))
    return notices


def _deliver(n: Notice, user) -> None:
    out = {}
    if "email" in n.channels:
        if not user.email:
            out["email"] = "no address"
        else:
            try:
                send_mail(n.subject, n.body, None, [user.email])
                out["email"] = "sent"
            except Exception as e:  # SMTP trouble is recorded, not raised
                out["email"] = f"error: {e}"[:200]
    if "sms" in n.channels:
        phone = getattr(user, "phone", "")
        out["sms"] = (
            sms_backend().send(to=phone, text=f"{n.subject}:{n.body}"[:300], ref=n.ref)
            if phone
            else "no phone"
        )
    if out:
        Notice.objects.filter(pk=n.pk).update(deliveries=out)
