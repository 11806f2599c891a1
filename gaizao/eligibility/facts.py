"""The plain data the scope rules (rules.py) work on: a compound's facts, a
policy's rules, the reasons and the verdict, and how numbers are written in
reasons. Pure: no database access."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from .vocabulary import (
    DEMOLITION,
    ENVIRONMENT,
    FACILITIES,
    MANAGEMENT,
    NEGLECT,
    SELF_BUILT,
    SHANTYTOWN,
    URBAN_VILLAGE,
    VERDICT_LABELS,
    WILLINGNESS_REQUIRED,
)


@dataclass
class CompoundFacts:
    """What the rules know about one compound. None means "not known"."""

    name: str = ""
    built_date: date | None = None
    built_year: int | None = None
    built_year_approximate: bool = False  # "2000年左右": a window of years, not one year
    in_main_urban_area: bool | None = None
    management_status: str = ""  # "" = unknown
    latest_score: Decimal | None = None  # 0–100, latest condition survey
    surveyed: bool = False  # a condition survey exists
    facility_ratings: dict[str, str] = field(default_factory=dict)  # facility code → rating
    in_shantytown_plan: bool | None = None
    demolition_planned: bool | None = None  # None: not yet checked (未核实)
    demolition_within_years: int | None = None  # None: no plan, or its timing unknown
    self_built_area: Decimal | None = None
    floor_area: Decimal | None = None
    is_urban_village: bool | None = None
    is_single_building: bool = False
    households: int | None = None
    # Share of households in favour, 0–1, exact (yes/total); None: no survey.
    willingness: Fraction | Decimal | None = None
    willingness_open: bool = False  # the survey is still open: answers may still come


@dataclass
class PolicyRules:
    """A policy's parameters (models.Policy.rules() builds one)."""

    name: str = ""
    built_cutoff: date = date(2000, 1, 1)
    cutoff_inclusive: bool = False  # False: built before the date; True: on or before
    extension_cutoff: date | None = None  # inclusive like the cut-off
    extension_cap_pct: Decimal | None = None  # share of the year's households
    require_main_urban: bool = False
    single_buildings_count: bool = True
    criteria: tuple[str, ...] = (NEGLECT, FACILITIES, ENVIRONMENT, MANAGEMENT)
    conditions_min: int = 1  # at least this many of `criteria` must hold
    neglect_score_below: Decimal = Decimal("60")
    neglect_statuses: tuple[str, ...] = ("none", "self_governance")
    facilities_broken_pct: Decimal = Decimal("30")
    environment_facilities: tuple[str, ...] = (
        "waste_sorting",
        "illegal_structures",
        "cooking_fumes",
    )
    environment_min: int = 1
    poor_management_statuses: tuple[str, ...] = ("none", "self_governance")
    willingness_mode: str = WILLINGNESS_REQUIRED
    # Exact: "2/3" means two thirds, so 2 of 3 households pass (a stored
    # 66.67 % would fail them).
    willingness_min: Fraction = Fraction(2, 3)
    exclusions: tuple[str, ...] = (SHANTYTOWN, DEMOLITION, SELF_BUILT, URBAN_VILLAGE)
    demolition_years: int | None = 3  # None: any planned demolition excludes
    self_built_pct: Decimal = Decimal("50")


@dataclass
class Reason:
    criterion: str  # stable code, e.g. "built", "exclusion.urban_village", "need.neglect"
    passed: bool | None  # None: unknown for lack of data
    detail: str
    label: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Verdict:
    verdict: str
    reasons: list[Reason] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    extension: bool = False  # eligible only through the extension window

    @property
    def label(self) -> str:
        return VERDICT_LABELS[self.verdict]

    def as_dict(self) -> dict:
        return {
            "verdict": self.verdict,
            "reasons": [r.as_dict() for r in self.reasons],
            "missing": list(self.missing),
            "extension": self.extension,
        }

    @classmethod
    def from_dict(cls, d: dict) -> Verdict:
        return cls(
            verdict=d["verdict"],
            reasons=[Reason(**r) for r in d.get("reasons", [])],
            missing=list(d.get("missing", [])),
            extension=bool(d.get("extension")),
        )


def pct(value, places: str = "0.1") -> str:
    """42.54 → "42.5%" (measured shares); thresholds keep two places."""
    v = Decimal(value).quantize(Decimal(places), rounding=ROUND_HALF_UP)
    return f"{v.normalize():f}%"


def limit(value) -> str:
    """A policy's threshold as written: 66.67 → "66.67%", 30.00 → "30%"."""
    return pct(value, "0.01")


def fraction_text(value: Fraction) -> str:
    """A threshold as a policy writes it: 2/3 → "2/3(66.67%)", 1/2 → "50%"."""
    value = Fraction(value)
    as_pct = Decimal(value.numerator) * 100 / Decimal(value.denominator)
    if (value * 100).denominator == 1 or (value * 10000).denominator == 1:
        return limit(as_pct)
    return f"{value.numerator}/{value.denominator}({limit(as_pct)})"


def parse_fraction(text) -> Fraction:
    """ "2/3", "3/4", "50%", "66.67%", "0.5" → an exact Fraction in (0, 1].
    A bare number above 1 is read as a percentage ("75" → 3/4). Raises
    ValueError with a Chinese message naming what is wrong."""
    if isinstance(text, Fraction):
        value = text
    else:
        s = str(text or "").strip().replace("%", "").replace("%", "").replace("/", "/")
        if not s:
            raise ValueError("比例不能为空")
        percent = str(text).strip().endswith(("%", "%"))
        try:
            if "/" in s:
                num_, den = (int(x.strip()) for x in s.split("/", 1))
                value = Fraction(num_, den)
            else:
                value = Fraction(Decimal(s))
                if percent or value > 1:
                    value /= 100
        except (ValueError, ArithmeticError, ZeroDivisionError):
            raise ValueError(f"“{text}”不是有效的比例(例如 2/3、3/4、50%)")
    if not 0 < value <= 1:
        raise ValueError(f"“{text}”应在 0 到 1(100%)之间且大于 0")
    return value


def num(value) -> str:
    return f"{Decimal(value).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}"
