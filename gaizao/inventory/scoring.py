"""Condition score: a pure function over (facility code, rating) pairs."""

from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext, gettext_noop

from .facilities import BY_CODE
from .models import RATING_VALUE

# The seed's 基础项目 (water, power, roads, gas) weigh more than the 提升项目:
# a compound whose pipes are broken is in poor condition however many
# benches it has. The score is 70 % basic, 30 % enhancement.
GROUP_SHARE = {"basic": Decimal("0.7"), "enhancement": Decimal("0.3")}


def condition_score(ratings: dict[str, str]) -> Decimal | None:
    """0–100: the weighted share of facilities in working order, basic and
    enhancement facilities averaged separately and combined 70/30.

    Facilities rated "na" (not applicable) or unknown codes are left out; a
    group with nothing applicable rated leaves the other to count alone;
    None when nothing applicable was rated."""
    total = {g: Decimal(0) for g in GROUP_SHARE}
    kept = {g: Decimal(0) for g in GROUP_SHARE}
    for code, rating in ratings.items():
        fac = BY_CODE.get(code)
        if fac is None or rating not in RATING_VALUE:
            continue
        w = Decimal(fac.weight)
        total[fac.group] += w
        kept[fac.group] += w * RATING_VALUE[rating]
    rated = [g for g in GROUP_SHARE if total[g]]
    if not rated:
        return None
    share = sum(GROUP_SHARE[g] for g in rated)
    score = sum(GROUP_SHARE[g] * kept[g] / total[g] for g in rated) * 100 / share
    return score.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


GRADES = [  # (lower bound, code, label)
    (Decimal(80), "good", gettext_noop("良好")),
    (Decimal(60), "fair", gettext_noop("一般")),
    (Decimal(40), "poor", gettext_noop("较差")),
    (Decimal(0), "bad", gettext_noop("很差")),
]
UNSURVEYED = gettext_noop("未调查")
GRADE_BOUNDS = {"good": (80, None), "fair": (60, 80), "poor": (40, 60), "bad": (0, 40)}


def grade_zh(score) -> tuple[str, str]:
    """(code, zh-Hans label): for what is recorded."""
    if score is None:
        return "unknown", UNSURVEYED
    for bound, code, label in GRADES:
        if Decimal(score) >= bound:
            return code, label
    return "bad", GRADES[-1][2]


def grade(score) -> tuple[str, str]:
    """(code, label in the request's language): for pages."""
    code, label = grade_zh(score)
    return code, gettext(label)
