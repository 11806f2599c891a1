"""People's decisions on top of the scope rules (issue 8 item 7), pure like
rules.py: a 核实 (verification) settles a 待核实 verdict; a decision of the
leadership office (领导小组办公室) settles a compound whatever the rules say.
Each adds a reason row, so the verdict always shows why it is what it is.

Why a person may settle 待核实: the rules give 待核实 exactly when a fact
they need is missing or uncertain (a blank exclusion fact, an approximate
build year near a cut-off); the seed and 23号 leave establishing those facts
to the district (摸底调查, 核实), so the record keeps who checked, why, and
the evidence (models.Determination)."""

from __future__ import annotations

from dataclasses import dataclass

from .facts import Reason, Verdict
from .vocabulary import ELIGIBLE, INELIGIBLE, REVIEW

VERIFY, OVERRIDE = "verify", "override"


@dataclass
class Decision:
    kind: str  # VERIFY or OVERRIDE
    outcome: str  # ELIGIBLE or INELIGIBLE
    reason: str
    by: str = ""  # who decided (a name)
    on: str = ""  # when (YYYY-MM-DD)

    def detail(self) -> str:
        what = "核实为符合改造范围" if self.outcome == ELIGIBLE else "核实为不符合"
        if self.kind == OVERRIDE:
            what = "决定纳入改造范围" if self.outcome == ELIGIBLE else "决定不纳入改造范围"
        who = ",".join(x for x in (self.by, self.on) if x)
        return f"{what}:{self.reason}" + (f"({who})" if who else "")


def apply_decisions(
    v: Verdict, verified: Decision | None = None, override: Decision | None = None
) -> Verdict:
    """The verdict after people's decisions. A verification counts only
    while the rules say 待核实; an override of the leadership office counts
    always. Returns a new Verdict; `v` is not changed."""
    out = Verdict(v.verdict, list(v.reasons), list(v.missing), v.extension)
    if verified is not None and v.verdict == REVIEW:
        out.reasons.append(
            Reason("verified", verified.outcome == ELIGIBLE, verified.detail(), "核实")
        )
        out.verdict = verified.outcome
    if override is not None:
        out.reasons.append(
            Reason(
                "override", override.outcome == ELIGIBLE, override.detail(), "领导小组办公室决定"
            )
        )
        out.verdict = override.outcome
    if out.verdict != v.verdict:
        out.missing = []  # settled by the person who decided, who said why
    if out.verdict == INELIGIBLE:
        out.extension = False
    return out
