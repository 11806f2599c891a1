"""The extension window's cap (国办发〔2020〕23号): compounds eligible only
through the extension may make up at most a share of the year's households.
Pure, like rules.py."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .rules import ELIGIBLE, REVIEW, Reason, Verdict, limit


@dataclass
class CapItem:
    key: object  # the caller's id for the compound
    verdict: Verdict
    households: int | None
    built_sort: tuple = ()  # older first: (year, date or "")


def apply_extension_cap(
    items: list[CapItem], cap_pct: Decimal | None, *, base_households: int = 0
) -> None:
    """Compounds eligible only through the extension window may make up at
    most `cap_pct` of the households of the year's eligible compounds
    (国办发〔2020〕23号 allows the extension; the cap is the jurisdiction's).
    The oldest are admitted first; the rest become "review" with the reason.
    Changes the verdicts in place. The denominator is the eligible compounds
    evaluated together (the jurisdiction's reserve), plus `base_households`:
    a run in chunks (evaluation.py) passes only the extension compounds and
    the households of the eligible ones it has already stored."""
    if cap_pct is None:
        return
    ext = [i for i in items if i.verdict.verdict == ELIGIBLE and i.verdict.extension]
    if not ext:
        return
    base = base_households + sum(
        (i.households or 0)
        for i in items
        if i.verdict.verdict == ELIGIBLE and not i.verdict.extension
    )
    cap = Decimal(cap_pct) / 100
    admitted = 0
    for i in sorted(ext, key=lambda i: (i.built_sort, str(i.key))):
        if i.households is None:
            i.verdict.verdict = REVIEW
            i.verdict.missing.append("户数")
            i.verdict.reasons.append(
                Reason("extension_cap", None, "缺少户数,无法核对扩展范围的户数上限", "扩展范围上限")
            )
            continue
        total = base + admitted + i.households
        if cap < 1 and Decimal(admitted + i.households) > cap * total:
            i.verdict.verdict = REVIEW
            i.verdict.reasons.append(
                Reason(
                    "extension_cap",
                    False,
                    f"扩展范围已纳入 {admitted} 户,再纳入本小区 {i.households} 户将超过"
                    f"符合条件总户数的 {limit(cap_pct)}",
                    "扩展范围上限",
                )
            )
            continue
        admitted += i.households
        i.verdict.reasons.append(
            Reason(
                "extension_cap",
                True,
                f"扩展范围累计 {admitted} 户,未超过符合条件总户数的 {limit(cap_pct)}",
                "扩展范围上限",
            )
        )
