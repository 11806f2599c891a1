"""The built-in catalogue and the item menu offered to residents."""

import pytest
from django.db import connection

from gaizao.catalogue.catalogue import ensure_builtin_catalogue
from gaizao.catalogue.catalogue_data import ITEMS
from gaizao.catalogue.models import CatalogItem


def test_builtin_catalogue_idempotent(db):
    assert ensure_builtin_catalogue() == 0
    assert CatalogItem.objects.filter(jurisdiction=None).count() == len(ITEMS) >= 45


@pytest.mark.skipif(
    connection.vendor == "postgresql",
    reason="the append-only trigger (core 0002) exists after these migrations have run",
)
def test_moved_model_keeps_its_table_and_history(db):
    """CatalogItem moved from plans (issue 7): same table, and the migration
    carries audit entries that name the old label over to the new one."""
    import importlib

    from django.contrib.contenttypes.models import ContentType

    from gaizao.core.models import AuditEntry

    assert CatalogItem._meta.db_table == "plans_catalogitem"
    assert ContentType.objects.get_for_model(CatalogItem).app_label == "catalogue"
    item = CatalogItem.objects.first()
    entry = AuditEntry.objects.create(
        action="update", model="plans.catalogitem", object_pk=str(item.pk), object_repr="x"
    )
    migration = importlib.import_module("gaizao.catalogue.migrations.0001_initial")
    migration.forwards(_migration_apps(), None)
    entry.refresh_from_db()
    assert entry.model == "catalogue.catalogitem"
    assert ContentType.objects.filter(app_label="plans", model="catalogitem").count() == 0


def _migration_apps():
    """The models as migrations see them (plain managers): the audit trail's
    append-only queryset (issue 9) is not what a data migration runs with."""
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    return MigrationLoader(connection).project_state().apps
