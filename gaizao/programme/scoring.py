"""Priority score of a compound from weighted criteria (issue 15, item 2).

Pure: plain facts in, a score and its parts out, exact arithmetic (Decimal).
Each criterion maps a fact to a value in [0, 1]; the score is
Σ weight × value, each part kept so the page can show it criterion by
criterion. A missing fact counts 0 and is marked as missing.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

AGE_CAP_YEARS = 40  # compounds 40 years or older count fully on age

LABELS = {
    "condition": "设施状况差距",
    "age": "房龄",
    "willingness": "居民改造意愿",
    "vote": "业主表决通过",
    "contribution": "居民出资承诺",
    "management": "长效管理落实",
    "cluster": "纳入片区",
}
ORDER = list(LABELS)

TWO = Decimal("0.01")


@dataclass(frozen=True)
class ScoreFacts:
    survey_score: Decimal | None = None  # latest condition survey, 0–100 (higher is better)
    built_year: int | None = None
    willingness_share: Decimal | None = None  # 0–1
    vote_passed: bool = False
    contribution_pledged: bool = False
    management_settled: bool = False
    in_cluster: bool = False


def _decimal(value) -> Decimal:
    fr = Fraction(value)
    return Decimal(fr.numerator) / Decimal(fr.denominator)


def _values(f: ScoreFacts, year: int) -> dict[str, Decimal | None]:
    cond = None
    if f.survey_score is not None:
        cond = min(max((Decimal(100) - Decimal(f.survey_score)) / 100, Decimal(0)), Decimal(1))
    age = None
    if f.built_year:
        age = min(max(Decimal(year - f.built_year), Decimal(0)) / AGE_CAP_YEARS, Decimal(1))
    will = (
        None
        if f.willingness_share is None
        # eligibility gives the share as an exact Fraction (yes/total).
        else min(max(_decimal(f.willingness_share), Decimal(0)), Decimal(1))
    )
    return {
        "condition": cond,
        "age": age,
        "willingness": will,
        "vote": Decimal(int(f.vote_passed)),
        "contribution": Decimal(int(f.contribution_pledged)),
        "management": Decimal(int(f.management_settled)),
        "cluster": Decimal(int(f.in_cluster)),
    }


def score(f: ScoreFacts, weights: dict, *, year: int) -> tuple[Decimal, dict]:
    """(score, parts): parts[criterion] = {value, weight, points, missing}."""
    parts = {}
    total = Decimal(0)
    for key, value in _values(f, year).items():
        w = Decimal(str(weights.get(key, 0)))
        v = value if value is not None else Decimal(0)
        points = (w * v).quantize(TWO, ROUND_HALF_UP)
        total += points
        parts[key] = {
            "value": str(v.quantize(Decimal("0.0001"), ROUND_HALF_UP)),
            "weight": str(w),
            "points": str(points),
            "missing": value is None,
        }
    return total, parts
