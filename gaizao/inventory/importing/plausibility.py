"""Plausibility limits for imported compound figures, in one place.

A value outside a *warning* range may be right (a compound of studio flats,
a single tower block) and is imported once the user confirms it (a checkbox
on the preview, `--accept-warnings` on the command line). A value outside an
*error* range cannot be right and blocks the import.

Arithmetic is exact: the ratios are compared as `area ≤ limit × count` in
Decimal, never divided. Sources for the ranges:
- 住房和城乡建设部《城镇老旧小区改造》: compounds built before 2000 (so no
  build year after the current one can be right);
- 《住宅设计规范》GB 50096-2011 5.1: the smallest dwelling is 22 m² of usable
  area; households averaging under 15 m² of floor area are a typo more often
  than dormitories; over 300 m² per household is a villa estate, rare among
  old compounds; over 10,000 m² per household is impossible (a unit in
  万㎡ typed as ㎡, or households typed as buildings);
- the largest buildings in the world have under 2,000,000 m² of floor area;
  a residential building of the period over 100,000 m², or under 100 m², is
  worth a second look.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Range:
    warn_low: Decimal | None
    warn_high: Decimal | None
    error_high: Decimal | None


AREA_PER_HOUSEHOLD_M2 = Range(Decimal(15), Decimal(300), Decimal(10_000))
AREA_PER_BUILDING_M2 = Range(Decimal(100), Decimal(100_000), Decimal(2_000_000))
HOUSEHOLDS_ZERO_WARNS = True


@dataclass(frozen=True)
class Finding:
    level: str  # "warning" | "error"
    field: str
    message: str


def _ratio(area: Decimal, count: int, limits: Range, what: str) -> Finding | None:
    """area / count against the range, without dividing."""
    per = (area / count).quantize(Decimal("0.1"))  # for the message only
    if limits.error_high is not None and area > limits.error_high * count:
        return Finding(
            "error",
            "floor_area_m2",
            _("%(what)s%(per)s㎡,超过%(limit)s㎡,不可能正确(面积单位或数量是否填错?)")
            % {"what": what, "per": per, "limit": limits.error_high},
        )
    if limits.warn_high is not None and area > limits.warn_high * count:
        return Finding(
            "warning",
            "floor_area_m2",
            _("%(what)s%(per)s㎡,高于常见上限%(limit)s㎡,请核对")
            % {"what": what, "per": per, "limit": limits.warn_high},
        )
    if limits.warn_low is not None and area < limits.warn_low * count:
        return Finding(
            "warning",
            "floor_area_m2",
            _("%(what)s%(per)s㎡,低于常见下限%(limit)s㎡,请核对")
            % {"what": what, "per": per, "limit": limits.warn_low},
        )
    return None


def check_compound(row: dict, *, today: date | None = None) -> list[Finding]:
    """The findings for one parsed compound row (keys of compounds.ROW_KEYS)."""
    out: list[Finding] = []
    year = (today or date.today()).year
    if row.get("build_year") is not None and row["build_year"] > year:
        out.append(
            Finding(
                "error",
                "build",
                _("建成年份%(built)s晚于今年(%(year)s),不可能正确")
                % {"built": row["build_year"], "year": year},
            )
        )
    households, buildings, area = (
        row.get("households"),
        row.get("buildings"),
        row.get("floor_area_m2"),
    )
    if households == 0 and HOUSEHOLDS_ZERO_WARNS:
        out.append(Finding("warning", "households", _("户数为0:没有住户的小区不能表决,请核对")))
    if area is not None and households:
        f = _ratio(area, households, AREA_PER_HOUSEHOLD_M2, _("户均建筑面积"))
        if f:
            out.append(f)
    if buildings == 0:
        out.append(Finding("error", "buildings", _("楼栋数为0,不可能正确(不知道时请留空)")))
    elif area is not None and buildings:
        f = _ratio(area, buildings, AREA_PER_BUILDING_M2, _("每栋建筑面积"))
        if f:
            out.append(f)
    return out
