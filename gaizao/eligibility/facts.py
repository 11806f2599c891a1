"""The plain data the scope rules (rules.py) work on: a compound's facts, a
policy's rules, the reasons and the verdict, and how numbers are written in
reasons. Pure: no database access."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

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
    in_main_urban_area: bool | None = None
    management_status: str = ""  # "" = unknown
    latest_score: Decimal | None = None  # 0–100, latest condition survey
    surveyed: bool = False  # a condition survey exists
    facility_ratings: dict[str, str] = field(default_factory=dict)  # facility code → rating
    in_shantytown_plan: bool | None = None
    demolition_within_years: int | None = None  # None: no plan
    self_built_area: Decimal | None = None
    floor_area: Decimal | None = None
    is_urban_village: bool | None = None
    is_single_building: bool = False
    households: int | None = None
    willingness: Decimal | None = None  # share of households in favour, 0–1; None: no survey
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
    willingness_min_pct: Decimal = Decimal("66.67")
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


def num(value) -> str:
    return f"{Decimal(value).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}"
