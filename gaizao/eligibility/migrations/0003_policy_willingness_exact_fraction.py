"""The willingness threshold becomes an exact fraction (issue 8 item 7): a
stored 66.67 % made exactly two thirds of the households fail a "≥ 2/3"
rule. Thresholds within 0.01 of a third, two thirds or three quarters become
that fraction; any other percentage becomes its exact value over 100.

Panlong's built-in policy counts single buildings: the seed never excludes
them and 23号 says 住宅小区(含单栋住宅楼)."""

from decimal import Decimal
from fractions import Fraction

from django.db import migrations, models

import gaizao.eligibility.models

KNOWN = [Fraction(1, 3), Fraction(1, 2), Fraction(2, 3), Fraction(3, 4)]


def to_fraction(pct) -> str:
    exact = Fraction(Decimal(pct)) / 100
    for f in KNOWN:
        if abs(exact - f) <= Fraction(1, 10000):  # 66.67 % / 66.66 % → 2/3
            exact = f
    if exact <= 0:
        exact = Fraction(2, 3)  # a zero threshold was never meant; the default
    return f"{exact.numerator}/{exact.denominator}"


def forwards(apps, schema_editor):
    Policy = apps.get_model("eligibility", "Policy")
    for p in Policy.objects.all():
        p.willingness_min = to_fraction(p.willingness_min_pct)
        p.save(update_fields=["willingness_min"])
    Policy.objects.filter(code="panlong-2020", is_builtin=True).update(single_buildings_count=True)


def backwards(apps, schema_editor):
    Policy = apps.get_model("eligibility", "Policy")
    for p in Policy.objects.all():
        f = Fraction(p.willingness_min)
        pct = (Decimal(f.numerator) * 100 / Decimal(f.denominator)).quantize(Decimal("0.01"))
        p.willingness_min_pct = pct
        p.save(update_fields=["willingness_min_pct"])


class Migration(migrations.Migration):
    dependencies = [
        ("eligibility", "0002_builtin_national_policy"),
    ]

    operations = [
        migrations.AddField(
            model_name="policy",
            name="willingness_min",
            field=models.CharField(
                default="2/3",
                help_text="分数或百分比,如 2/3、3/4、50%;按精确分数比较",
                max_length=24,
                validators=[gaizao.eligibility.models.validate_fraction],
                verbose_name="同意改造户数比例不低于",
            ),
        ),
        migrations.RunPython(forwards, backwards),
        migrations.RemoveField(
            model_name="policy",
            name="willingness_min_pct",
        ),
    ]
