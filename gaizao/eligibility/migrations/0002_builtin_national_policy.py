"""Every deployment has the nationwide fallback policy (国办发〔2020〕23号);
the Panlong policy is added by ensure_builtin_policies() once the Panlong
district exists (the demo, or `gaizao eligibility --install-policies`)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from gaizao.eligibility.builtin import NATIONAL_2020

    Policy = apps.get_model("eligibility", "Policy")
    if Policy.objects.filter(code=NATIONAL_2020["code"]).exists():
        return
    values = {k: v for k, v in NATIONAL_2020.items() if k not in ("code", "area_code")}
    if Policy.objects.filter(is_default=True, area__isnull=True).exists():
        values["is_default"] = False
    Policy.objects.create(code=NATIONAL_2020["code"], is_builtin=True, area=None, **values)


def backwards(apps, schema_editor):
    apps.get_model("eligibility", "Policy").objects.filter(code="national-2020").delete()


class Migration(migrations.Migration):
    dependencies = [("eligibility", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
