"""The audit trail is append-only (issue 9 #6): not through the model, the
queryset, the admin, nor (PostgreSQL) raw SQL."""

import pytest
from django.db import DatabaseError, connection, transaction

from gaizao.core import audit
from gaizao.core.models import AppendOnlyError, AuditEntry


@pytest.fixture
def entry(cast, users):
    return audit.record(actor=users["bureau"], instance=cast["compound_a"], action="update")


def test_model_and_queryset_refuse_change_and_delete(entry):
    entry.object_repr = "forged"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(object_repr="forged")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get(pk=entry.pk).object_repr != "forged"


def test_admin_cannot_change_or_delete(entry, users, client_for):
    c = client_for(users["admin"])
    url = f"/admin/core/auditentry/{entry.pk}/change/"
    assert c.get(url).status_code == 200  # readable
    r = c.post(url.replace("change/", "delete/"), {"post": "yes"})
    assert r.status_code == 403
    r = c.post(
        "/admin/core/auditentry/",
        {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"},
    )
    assert AuditEntry.objects.filter(pk=entry.pk).exists()
    assert c.post(url, {"object_repr": "forged"}).status_code == 403
    assert AuditEntry.objects.get(pk=entry.pk).object_repr != "forged"


def test_deleting_a_user_with_history_is_refused(entry, users):
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        users["bureau"].delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL trigger")
def test_postgresql_trigger_refuses_raw_update_and_delete(entry):
    for sql in (
        "UPDATE core_auditentry SET object_repr = 'forged' WHERE id = %s",
        "DELETE FROM core_auditentry WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql, [entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).object_repr != "forged"
