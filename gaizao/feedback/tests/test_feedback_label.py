"""QA round 2: a contractor lost the unit of a code-redeemed reporter
("3********户"): an account named after its unit is not a person's name."""

from gaizao.feedback.models import Feedback
from gaizao.feedback.selectors import reporter_label


def test_unit_named_account_shows_the_unit_to_masked_roles(cast, users):
    resident = users["resident_a"]
    unit = cast["units_a"][0]
    resident.display_name = f"{unit.building.number}{unit}住户"
    resident.save()
    fb = Feedback.objects.create(
        compound=cast["compound_a"],
        reporter=resident,
        unit=unit,
        recorded_by=resident,
        category="other",
        text="楼道灯不亮",
        due_on="2026-12-01",
        responsible_org=cast["property_company"],
    )
    label = reporter_label(users["property_company"], fb)
    assert label == f"{unit.building.number}{unit}", label
    assert "*" not in label


def test_named_reporter_is_masked_with_unit(cast, users):
    unit = cast["units_a"][0]
    fb = Feedback.objects.create(
        compound=cast["compound_a"],
        reporter=None,
        unit=unit,
        recorded_by=users["community_tianxiang"],
        assisted=True,
        reporter_name="张三丰",
        category="other",
        text="路面破损",
        due_on="2026-12-01",
        responsible_org=cast["property_company"],
    )
    label = reporter_label(users["property_company"], fb)
    assert label.startswith("张*丰 ") and f"{unit.building.number}{unit}" in label
