from django.db import migrations


def load(apps, schema_editor):
    from gaizao.catalogue.catalogue import ensure_builtin_catalogue

    ensure_builtin_catalogue(apps.get_model("plans", "CatalogItem"))


class Migration(migrations.Migration):
    dependencies = [("plans", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
