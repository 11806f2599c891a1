"""Follow the models that moved from consultation (issue 7): their content
types (and so their permissions) and the audit entries that name them, so
an object's history stays reachable under its new label."""

from django.db import migrations

MODELS = [
    "feedback",
    "feedbackphoto",
    "feedbackevent",
    "responsibleparty",
    "satisfactionevaluation",
    "satisfactionresponse",
]


def _move(apps, old_label, new_label):
    ContentType = apps.get_model("contenttypes", "ContentType")
    AuditEntry = apps.get_model("core", "AuditEntry")
    for model in MODELS:
        old = ContentType.objects.filter(app_label=old_label, model=model).first()
        if old is not None:
            # A content type already made under the new label (post_migrate
            # of an interrupted run) is empty: the old one, with its
            # permissions, takes its place.
            ContentType.objects.filter(app_label=new_label, model=model).delete()
            old.app_label = new_label
            old.save(update_fields=["app_label"])
        AuditEntry.objects.filter(model=f"{old_label}.{model}").update(
            model=f"{new_label}.{model}"
        )


def forwards(apps, schema_editor):
    _move(apps, "consultation", "feedback")


def backwards(apps, schema_editor):
    _move(apps, "feedback", "consultation")


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("core", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
