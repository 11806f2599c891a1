"""Every feedback write goes through the shared audit trail
(gaizao.core.audit) besides the resident-visible timeline, and the
migration that moved the models here carries their content types and
audit entries along."""

import importlib
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from gaizao.core import audit
from gaizao.core.models import AuditEntry
from gaizao.feedback.models import Feedback, ResponsibleParty, SatisfactionEvaluation

from .conftest import approve_plan
from .test_feedback import act, report


def _trail(instance):
    return list(audit.history(instance).order_by("at", "id"))


def test_every_feedback_transition_leaves_an_audit_entry(cast, users, client_for):
    resident = client_for(users["resident_a"])
    assert report(resident, "other", "路灯不亮").status_code == 302
    fb = Feedback.objects.get()
    community = client_for(users["community_tianxiang"])
    assert community.post(act(fb.pk, "accept")).status_code == 302
    # The API is audited too, and says so.
    r = community.post(f"/api/v1/feedback/{fb.pk}/fix", {"comment": "已修好"}, "application/json")
    assert r.status_code == 200
    assert resident.post(act(fb.pk, "reopen")).status_code == 302
    fb.refresh_from_db()
    trail = _trail(fb)
    assert [e.model for e in trail] == ["feedback.feedback"] * 4
    assert [e.action for e in trail] == ["create", "update", "update", "update"]
    assert [e.changes["status"] for e in trail] == [
        ["", "open"],
        ["open", "accepted"],
        ["accepted", "fixed"],
        ["fixed", "reopened"],
    ]
    assert [e.changes.get("transition") for e in trail[1:]] == ["accept", "fix", "reopen"]
    assert [e.source for e in trail] == ["web", "web", "api", "web"]
    assert [e.actor for e in trail] == [
        users["resident_a"],
        users["community_tianxiang"],
        users["community_tianxiang"],
        users["resident_a"],
    ]
    # Reopening starts a new time limit: the trail has the old and new dates.
    assert trail[3].changes["due_on"][1] == fb.due_on.isoformat()
    # Personal data stays on the item, not in the trail.
    assert "reporter_name" not in trail[0].changes and "text" not in trail[0].changes
    # The timeline still has one line per step for the resident.
    assert [e.action for e in fb.events.order_by("at", "id")] == [
        "create",
        "accept",
        "fix",
        "reopen",
    ]


def test_auto_confirm_is_audited_as_the_command(cast, users, client_for):
    resident = client_for(users["resident_a"])
    report(resident, "other", "路灯不亮")
    fb = Feedback.objects.get()
    community = client_for(users["community_tianxiang"])
    community.post(act(fb.pk, "accept"))
    community.post(act(fb.pk, "fix"))
    Feedback.objects.filter(pk=fb.pk).update(fixed_at=timezone.now() - timedelta(days=10))
    call_command("feedback_remind", "--days", "7")
    last = _trail(fb)[-1]
    assert last.source == "cli" and last.actor is None
    assert last.changes["status"] == ["fixed", "confirmed"]
    assert last.changes["auto_confirmed"] == [False, True]


def test_photos_parties_and_satisfaction_are_audited(cast, users, client_for):
    a = cast["compound_a"]
    street = client_for(users["street_jinchen"])
    org = users["contractor"].organisation
    url = reverse("consultation:feedback_parties", args=[a.pk])
    assert street.post(url, {"kind": "contractor", "organisation": org.pk}).status_code == 302
    party = ResponsibleParty.objects.get()
    assert street.post(url, {"kind": "contractor", "organisation": ""}).status_code == 302
    assert [(e.action, e.changes["organisation"]) for e in _trail(party)] == [
        ("create", [None, org.pk]),
        ("delete", [org.pk, None]),
    ]

    approve_plan(a)
    staff = client_for(users["community_tianxiang"])
    r = staff.post(reverse("consultation:satisfaction_list"), {"compound": a.pk, "title": ""})
    assert r.status_code == 302
    ev = SatisfactionEvaluation.objects.get()
    stars = {"overall": 5, "quality": 4, "content": 4, "civility": 5, "management": 3}
    resident = client_for(users["resident_a"])
    rate = reverse("consultation:satisfaction_rate", args=[ev.pk])
    assert resident.post(rate, stars).status_code == 302
    assert resident.post(rate, {**stars, "management": 4}).status_code == 302
    staff.post(reverse("consultation:satisfaction_close", args=[ev.pk]))
    assert [e.changes["status"] for e in _trail(ev)] == [["", "open"], ["open", "closed"]]
    answer = ev.responses.get()
    second = _trail(answer)[-1]
    assert second.action == "update" and second.changes["management"] == [3, 4]


@pytest.mark.skipif(
    connection.vendor == "postgresql",
    reason="the append-only trigger (core 0002) exists after these migrations have run",
)
def test_moving_the_models_carries_content_types_and_audit_entries(db):
    """The data step of migrations/0002, run against rows as a database
    made before the move has them."""
    step = importlib.import_module("gaizao.feedback.migrations.0002_move_content_types_and_audit")
    # The test database, migrated fresh, already has feedback.feedback (made
    # after migrating): the old row, with its permissions, takes its place.
    new_ct = ContentType.objects.get_for_model(Feedback)
    old_ct = ContentType.objects.create(app_label="consultation", model="feedback")
    perm = Permission.objects.create(
        content_type=old_ct, codename="view_feedback_old", name="old view"
    )
    entry = AuditEntry.objects.create(
        action="update", model="consultation.feedback", object_pk="7", object_repr="反馈#7"
    )
    step.forwards(_migration_apps(), None)
    ContentType.objects.clear_cache()
    old_ct.refresh_from_db()
    assert (old_ct.app_label, old_ct.model) == ("feedback", "feedback")
    assert not ContentType.objects.filter(pk=new_ct.pk).exists()
    assert Permission.objects.get(pk=perm.pk).content_type_id == old_ct.pk
    entry.refresh_from_db()
    assert entry.model == "feedback.feedback"
    assert audit.model_label(entry.model) == "居民反馈"


def _migration_apps():
    """The models as migrations see them (plain managers): the audit trail's
    append-only queryset (issue 9) is not what a data migration runs with."""
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    return MigrationLoader(connection).project_state().apps
