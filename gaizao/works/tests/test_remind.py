"""Overdue computation, escalation, `gaizao remind` idempotent, the SMS
HTTP gateway adapter against a stub server on a loopback port."""

import json
import threading
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError

from gaizao.core import notify
from gaizao.core.models import Notice
from gaizao.works.models import Milestone
from gaizao.works.responsibility import lateness

T = date(2026, 6, 10)


def test_lateness_rule():
    assert lateness(T, None, T - timedelta(days=10)).state == "ok"
    assert lateness(T, None, T - timedelta(days=3)).state == "due"
    assert lateness(T, None, T).state == "due"
    lt = lateness(T, None, T + timedelta(days=1))
    assert (lt.state, lt.days_late, lt.level) == ("overdue", 1, 0)
    assert lateness(T, None, T + timedelta(days=7)).level == 1
    assert lateness(T, None, T + timedelta(days=14)).level == 2
    assert lateness(T, None, T + timedelta(days=400)).level == 2  # the top is the district
    assert lateness(T, None, T + timedelta(days=8), escalate_days=3).level == 2
    assert lateness(T, T + timedelta(days=2), T + timedelta(days=30)).state == "done"
    assert lateness(None, None, T).state == "ok"


@pytest.mark.django_db(transaction=True)
def test_remind_escalates_and_is_idempotent(cast, users, works_a, capsys, settings):
    settings.GAIZAO_ESCALATE_AFTER_DAYS = 7
    notify.ConsoleSMSBackend.outbox.clear()
    m = Milestone.objects.get(works=works_a, stage="design")
    users["contractor"].email = "c@example.org"
    users["contractor"].phone = "13900000000"
    users["contractor"].save()
    m.responsible_org = users["contractor"].organisation
    m.planned_on = T
    m.save()
    Milestone.objects.filter(works=works_a, stage="tender").update(planned_on=None)
    # two days late: the responsible organisation only
    call_command("remind", "--today", (T + timedelta(days=2)).isoformat())
    got = Notice.objects.filter(kind="works.reminder")
    assert {n.recipient.username for n in got} == {"contractor"}
    n = got.get()
    assert "逾期2天" in n.subject and n.deliveries == {"email": "sent", "sms": "sent"}
    assert len(mail.outbox) == 1 and notify.ConsoleSMSBackend.outbox[-1]["to"] == "13900000000"
    # the same day again: nothing new
    call_command("remind", "--today", (T + timedelta(days=2)).isoformat())
    assert Notice.objects.filter(kind="works.reminder").count() == 1
    # eight days late: the street office hears of it; fifteen: the district
    call_command("remind", "--today", (T + timedelta(days=8)).isoformat())
    assert set(Notice.objects.values_list("recipient__username", flat=True)) == {
        "contractor",
        "street_jinchen",
    }
    call_command("remind", "--today", (T + timedelta(days=15)).isoformat(), "--json")
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert out["by_level"] == {"2": 2} or out["by_level"] == {2: 2}
    assert set(Notice.objects.values_list("recipient__username", flat=True)) == {
        "contractor",
        "street_jinchen",
        "district",
        "bureau",
    }
    # the inbox shows them
    assert users["district"].notices.count() == 1


@pytest.mark.django_db(transaction=True)
def test_remind_due_soon(cast, users, works_a):
    Milestone.objects.filter(works=works_a).update(planned_on=None)
    m = Milestone.objects.get(works=works_a, stage="design")
    m.responsible_person = users["street_jinchen"]
    m.planned_on = T
    m.save()
    call_command("remind", "--today", (T - timedelta(days=2)).isoformat())
    n = Notice.objects.get()
    assert n.recipient == users["street_jinchen"] and "到期提醒" in n.subject


def test_bad_date_is_a_clear_error():
    with pytest.raises(CommandError, match="不是有效日期"):
        call_command("remind", "--today", "2026-13-01")


class _Stub(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Stub.received.append((self.headers["Authorization"], json.loads(body)))
        code = 500 if b"fail" in body else 200
        self.send_response(code)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *a):
        pass


def test_http_sms_gateway_against_a_loopback_stub():
    srv = HTTPServer(("127.0.0.1", 0), _Stub)
    th = threading.Thread(target=srv.serve_forever, daemon=True)
    th.start()
    try:
        url = f"http://127.0.0.1:{srv.server_port}/sms"
        gw = notify.HttpSMSBackend(url=url, token="t0k")
        assert gw.send(to="13800000000", text="节点逾期", ref="milestone:1:overdue:0") == "sent"
        auth, payload = _Stub.received[-1]
        assert auth == "Bearer t0k"
        assert payload == {"to": "13800000000", "text": "节点逾期", "ref": "milestone:1:overdue:0"}
        assert gw.send(to="1", text="fail", ref="r").startswith("error")
    finally:
        srv.shutdown()
    # nobody listening: recorded as an error, never raised
    assert (
        notify.HttpSMSBackend(url=url, token="x", timeout=1)
        .send(to="1", text="t", ref="r")
        .startswith("error")
    )
