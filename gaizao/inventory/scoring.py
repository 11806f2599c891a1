"""Condition score: a pure function over (facility code, rating) pairs."""

from decimal import ROUND_HALF_UP, Decimal

from .facilities import BY_CODE
from .models import RATING_VALUE


def condition_score(ratings: dict[str, str]) -> Decimal | None:
    """0–100: the weighted share of facilities in working order.

    Facilities rated "na" (not applicable) or unknown codes are left out;
    None when nothing applicable was rated."""
    total = Decimal(0)
    kept = Decimal(0)
    for code, rating in ratings.items():
        fac = BY_CODE.get(code)
        if fac is None or rating not in RATING_VALUE:
            continue
        w = Decimal(fac.weight)
        total += w
        kept += w * RATING_VALUE[rating]
    if not total:
        return None
    return (kept * 100 / total).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


GRADES = [  # (lower bound, code, label)
    (Decimal(80), "good", "良好"),
    (Decimal(60), "fair", "一般"),
    (Decimal(40), "poor", "较差"),
    (Decimal(0), "bad", "很差"),
]
GRADE_BOUNDS = {"good": (80, None), "fair": (60, 80), "poor": (40, 60), "bad": (0, 40)}


def grade(score) -> tuple[str, str]:
    if score is None:
        return "unknown", "未调查"
    for bound, code, label in GRADES:
        if Decimal(score) >= bound:
            return code, label
    return "bad", "很差"
