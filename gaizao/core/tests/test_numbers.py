from decimal import Decimal

import pytest
from django.template import Context, Template

from gaizao.core.templatetags.gz_numbers import format_yuan


@pytest.mark.parametrize(
    "value, shown",
    [
        (Decimal("650000.00"), "650,000"),
        (Decimal("93160"), "93,160"),
        ("1234.5", "1,234.50"),
        (Decimal("0.005"), "0.01"),
        (0, "0"),
        (None, "—"),
        ("", "—"),
        ("abc", "—"),
        ("NaN", "—"),
    ],
)
def test_yuan_groups_by_three_and_drops_whole_cents(value, shown):
    assert format_yuan(value) == shown


def test_filters_in_a_template():
    t = Template("{% load gz_numbers %}{{ a|yuan }} 元/{{ b|money }}/{{ c|qty }}")
    out = t.render(Context({"a": Decimal("650000.00"), "b": 22900, "c": Decimal("22900.00")}))
    assert out == "650,000 元/22,900.00/22,900"
