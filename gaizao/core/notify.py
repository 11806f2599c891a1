"""Notifications to people (owners, staff): one call, pluggable backends.

    notify.send(users, subject, body, topic="consultation.vote:12")

Backends are chosen by settings.GAIZAO_NOTIFY_BACKENDS (dotted paths; default:
in-app and console). Each backend gets a Message per recipient:

* InAppBackend  – a core.Notification row, shown in the portal;
* EmailBackend  – Django's send_mail to user.email (skips users without one);
* ConsoleBackend – logs the message (development, tests);
* SmsBackend    – the interface for a text-message gateway; ConsoleSmsBackend
  logs what it would send to user.phone. A real gateway subclasses SmsBackend
  and implements send_sms(phone, text).

Messages are sent after the surrounding transaction commits (on_commit), so
a rolled-back decision tells nobody. Written here rather than taken from a
library because the choice of gateway is the jurisdiction's and the in-app
store is ours; Django's mail layer does the email part.
"""

import logging
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils.module_loading import import_string

from .models import Notification

log = logging.getLogger("gaizao.notify")

DEFAULT_BACKENDS = [
    "gaizao.core.notify.InAppBackend",
    "gaizao.core.notify.ConsoleBackend",
]


@dataclass(frozen=True)
class Message:
    user: object
    subject: str
    body: str
    topic: str = ""


class Backend:
    def send(self, message: Message) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class InAppBackend(Backend):
    def send(self, message: Message) -> None:
        Notification.objects.create(
            user=message.user,
            subject=message.subject[:200],
            body=message.body,
            topic=message.topic[:100],
        )


class ConsoleBackend(Backend):
    def send(self, message: Message) -> None:
        log.info("notify %s: %s — %s", message.user, message.subject, message.body)


class EmailBackend(Backend):
    def send(self, message: Message) -> None:
        email = getattr(message.user, "email", "")
        if email:
            send_mail(message.subject, message.body, None, [email], fail_silently=True)


class SmsBackend(Backend):
    """A text-message gateway: subclass and implement send_sms."""

    def send(self, message: Message) -> None:
        phone = getattr(message.user, "phone", "") or ""
        if phone:
            self.send_sms(phone, f"{message.subject}:{message.body}"[:300])

    def send_sms(self, phone: str, text: str) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class ConsoleSmsBackend(SmsBackend):
    def send_sms(self, phone: str, text: str) -> None:
        log.info("sms %s: %s", phone[:3] + "****" + phone[-4:], text)


@cache
def _backends(paths: tuple[str, ...]) -> list[Backend]:
    return [import_string(p)() for p in paths]


def backends() -> list[Backend]:
    return _backends(tuple(getattr(settings, "GAIZAO_NOTIFY_BACKENDS", DEFAULT_BACKENDS)))


def send(users, subject: str, body: str = "", *, topic: str = "") -> None:
    """Tell each user (None and duplicates skipped), after commit."""
    seen, recipients = set(), []
    for u in users:
        if u is not None and u.pk not in seen:
            seen.add(u.pk)
            recipients.append(u)

    def deliver():
        for u in recipients:
            m = Message(user=u, subject=str(subject), body=str(body), topic=topic)
            for b in backends():
                try:
                    b.send(m)
                except Exception:  # one failing gateway must not stop the others
                    log.exception("notify backend %s failed", type(b).__name__)

    transaction.on_commit(deliver)
