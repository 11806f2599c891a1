"""CatalogItem moved to the catalogue app (issue 7): state only, the table
plans_catalogitem stays where it is."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0002_builtin_catalogue"),
        ("catalogue", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="planitem",
                    name="catalog_item",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="plan_items",
                        to="catalogue.catalogitem",
                        verbose_name="改造内容",
                    ),
                ),
                migrations.DeleteModel(name="CatalogItem"),
            ],
            database_operations=[],
        ),
    ]
