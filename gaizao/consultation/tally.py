"""The tally of an owners' joint decision (业主共同决定): pure functions over
dataclasses, exact arithmetic (Fraction), no ORM.

Law (the rule set is chosen by the date the decision is made — the day the
vote closes; a vote open across 2021-01-01 is flagged):

* 《民法典》第二百七十八条 (in force 2021-01-01): every matter needs a quorum —
  owners holding two thirds or more (三分之二以上) of the exclusive area AND two
  thirds or more of the owners take part. Matters 6–8 then need three quarters
  or more (四分之三以上) of the participating area AND of the participating
  owners agreeing; the other matters need more than half (过半数) of each.
* 《物权法》第七十六条 (2007-10-01 … 2020-12-31): no separate quorum. Raising
  and using the maintenance fund and rebuilding (matters 5–7 in the Civil
  Code's numbering) need two thirds or more of the TOTAL area and of ALL
  owners agreeing; the other matters more than half of the total area and of
  all owners.

"以上" includes the threshold (≥); "过半数" does not (>).

Counting (最高人民法院《关于审理建筑物区分所有权纠纷案件具体应用法律若干问题的解释》):

* art. 8: area is the registered exclusive area of each unit.
* art. 9: one exclusive unit counts as one owner, but one owner holding several
  units counts once; the developer's unsold or undelivered units count as ONE
  owner together. A unit with no owner recorded counts as one owner.
* An abstention (弃权) takes part without agreeing; no reply does not take part.
* An owner with several units whose ballots differ (our rule): area is
  counted unit by unit, each unit's area with that unit's ballot; as an owner
  they take part if any of their units returned a ballot and they agree only
  if EVERY ballot returned for their units says 同意 (a mixed owner is taking
  part but not agreeing — an owner's agreement must be unambiguous). The same
  rule applies to the developer's units as one owner.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.utils.translation import gettext, gettext_noop

CIVIL_CODE = "civil_code"
PROPERTY_LAW = "property_law"
# zh-Hans (gettext_noop): what is recorded stays Chinese; pages translate at display.
LAW_CHOICES = [
    (CIVIL_CODE, gettext_noop("民法典(2021年1月1日起施行)")),
    (PROPERTY_LAW, gettext_noop("物权法(2007—2020)")),
]
LAW_LABELS = dict(LAW_CHOICES)
CIVIL_CODE_IN_FORCE = date(2021, 1, 1)

# 民法典 第二百七十八条第一款, items 1–9.
MATTERS: dict[int, str] = {
    1: gettext_noop("制定和修改业主大会议事规则"),
    2: gettext_noop("制定和修改管理规约"),
    3: gettext_noop("选举业主委员会或者更换业主委员会成员"),
    4: gettext_noop("选聘和解聘物业服务企业或者其他管理人"),
    5: gettext_noop("使用建筑物及其附属设施的维修资金"),
    6: gettext_noop("筹集建筑物及其附属设施的维修资金"),
    7: gettext_noop("改建、重建建筑物及其附属设施"),
    8: gettext_noop("改变共有部分的用途或者利用共有部分从事经营活动"),
    9: gettext_noop("有关共有和共同管理权利的其他重大事项"),
}

AGREE, OPPOSE, ABSTAIN = "agree", "oppose", "abstain"
CHOICES = (AGREE, OPPOSE, ABSTAIN)


@dataclass(frozen=True)
class Threshold:
    share: Fraction
    inclusive: bool  # True: "以上" (≥); False: "过半数" (>)

    def met(self, part, whole) -> bool:
        if whole == 0:
            return False
        ratio = Fraction(part) / Fraction(whole)
        return ratio >= self.share if self.inclusive else ratio > self.share

    @property
    def label(self) -> str:
        if self.share == Fraction(1, 2) and not self.inclusive:
            return "过半数"
        names = {Fraction(2, 3): "三分之二", Fraction(3, 4): "四分之三"}
        name = names.get(self.share, str(self.share))
        return name + ("以上" if self.inclusive else "(不含本数)")


@dataclass(frozen=True)
class RuleSet:
    law: str
    article: str
    special_matters: frozenset[int]
    # None: no separate quorum (物权法).
    quorum: Threshold | None
    special: Threshold
    ordinary: Threshold
    # "participating": shares of those who took part; "total": of all owners/area.
    base: str


TWO_THIRDS = Threshold(Fraction(2, 3), True)
THREE_QUARTERS = Threshold(Fraction(3, 4), True)
MAJORITY = Threshold(Fraction(1, 2), False)

# The one table of rule sets, by law.
RULE_SETS: dict[str, RuleSet] = {
    CIVIL_CODE: RuleSet(
        law=CIVIL_CODE,
        article=gettext_noop("《民法典》第二百七十八条"),
        special_matters=frozenset({6, 7, 8}),
        quorum=TWO_THIRDS,
        special=THREE_QUARTERS,
        ordinary=MAJORITY,
        base="participating",
    ),
    PROPERTY_LAW: RuleSet(
        law=PROPERTY_LAW,
        article=gettext_noop("《物权法》第七十六条"),
        # 筹集和使用维修资金 (5, 6) and 改建、重建 (7).
        special_matters=frozenset({5, 6, 7}),
        quorum=None,
        special=TWO_THIRDS,
        ordinary=MAJORITY,
        base="total",
    ),
}


def law_for_date(d: date) -> str:
    """The law in force on the day the decision is made (the vote closes)."""
    return CIVIL_CODE if d >= CIVIL_CODE_IN_FORCE else PROPERTY_LAW


def spans_2021(opens: date, closes: date) -> bool:
    """Open under the Property Law, decided under the Civil Code: flagged."""
    return opens < CIVIL_CODE_IN_FORCE <= closes


# 《物权法》第七十六条第一款 numbers its own items 1–7; the rule sets above
# are keyed by the Civil Code's items, so each Property Law item maps to the
# Civil Code item with the same subject and the same Property Law threshold
# (its item 5 "筹集和使用维修资金" is two Civil Code items, 5 and 6, both
# at two thirds under the Property Law).
PROPERTY_LAW_ITEMS: dict[int, tuple[str, int]] = {
    1: (gettext_noop("制定和修改业主大会议事规则"), 1),
    2: (gettext_noop("制定和修改建筑物及其附属设施的管理规约"), 2),
    3: (gettext_noop("选举业主委员会或者更换业主委员会成员"), 3),
    4: (gettext_noop("选聘和解聘物业服务企业或者其他管理人"), 4),
    5: (gettext_noop("筹集和使用建筑物及其附属设施的维修资金"), 5),
    6: (gettext_noop("改建、重建建筑物及其附属设施"), 7),
    7: (gettext_noop("有关共有和共同管理权利的其他重大事项"), 9),
}
_ITEM_NUMERALS = "一二三四五六七八九"


def matter_for_item(law: str, item: int) -> int:
    """The item number as the law itself numbers it (a notice cites it so) →
    the matter key of the rule sets (the Civil Code's numbering)."""
    if law == PROPERTY_LAW:
        if item not in PROPERTY_LAW_ITEMS:
            raise ValueError(f"《物权法》第七十六条第一款只有第 1–7 项,而不是 {item}")
        return PROPERTY_LAW_ITEMS[item][1]
    if item not in MATTERS:
        raise ValueError(f"《民法典》第二百七十八条第一款只有第 1–9 项,而不是 {item}")
    return item


def item_citation(law: str, item: int) -> str:
    """ "《物权法》第七十六条第一款第七项 有关共有和共同管理权利的其他重大事项"."""
    name = PROPERTY_LAW_ITEMS[item][0] if law == PROPERTY_LAW else MATTERS[item]
    return f"{RULE_SETS[law].article}第一款第{_ITEM_NUMERALS[item - 1]}项 {name}"


def rule_for(law: str, matter: int) -> tuple[RuleSet, Threshold]:
    if law not in RULE_SETS:
        raise ValueError(f"未知的适用法律:{law}")
    if matter not in MATTERS:
        raise ValueError(f"表决事项应为 1–9,而不是 {matter}")
    rs = RULE_SETS[law]
    return rs, (rs.special if matter in rs.special_matters else rs.ordinary)


# Threshold labels, for the catalog: describe_rule translates them.
_THRESHOLD_LABELS = (
    gettext_noop("过半数"),
    gettext_noop("三分之二以上"),
    gettext_noop("四分之三以上"),
)


def describe_rule(law: str, matter: int) -> str:
    """The rule in words, in the request's language (shown, never recorded)."""
    rs, th = rule_for(law, matter)
    d = {"article": gettext(rs.article), "threshold": gettext(th.label)}
    if rs.base == "participating":
        d["quorum"] = gettext(rs.quorum.label)
        return (
            gettext(
                "%(article)s:专有部分面积占比%(quorum)s且人数占比%(quorum)s的业主"
                "参与表决,并经参与表决专有部分面积%(threshold)s的业主且参与表决人数%(threshold)s的业主同意"
            )
            % d
        )
    return (
        gettext(
            "%(article)s:经专有部分占建筑物总面积%(threshold)s的业主且占总人数%(threshold)s的业主同意"
        )
        % d
    )


@dataclass(frozen=True)
class UnitVote:
    """One exclusive unit (专有部分) and what its ballot said.

    owner: a key identifying the owner (e.g. "o12"); None if no owner is
    recorded (the unit then counts as its own owner). developer: the unit is
    the developer's unsold/undelivered unit. choice: agree/oppose/abstain, or
    None for no reply."""

    unit: str
    area: Decimal
    owner: str | None = None
    developer: bool = False
    choice: str | None = None


@dataclass
class TallyResult:
    matter: int
    law: str
    owners_total: int
    area_total: Fraction
    owners_participating: int
    area_participating: Fraction
    owners_agreeing: int
    area_agreeing: Fraction
    quorum_met: bool
    passed: bool
    reasons: list[str] = field(default_factory=list)
    rule: str = ""

    def as_dict(self) -> dict:
        """JSON-ready: owners as integers, areas as numbers in m² (2 places)."""
        return {
            "matter": self.matter,
            "law": self.law,
            "owners_total": self.owners_total,
            "area_total": area_number(self.area_total),
            "owners_participating": self.owners_participating,
            "area_participating": area_number(self.area_participating),
            "owners_agreeing": self.owners_agreeing,
            "area_agreeing": area_number(self.area_agreeing),
            "quorum_met": self.quorum_met,
            "passed": self.passed,
            "reasons": list(self.reasons),
        }


def area_decimal(x: Fraction) -> Decimal:
    return (Decimal(x.numerator) / Decimal(x.denominator)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )


def area_number(x: Fraction) -> float | int:
    d = area_decimal(x)
    return int(d) if d == d.to_integral_value() else float(d)


def percent(part, whole) -> str:
    """A share for display: "66.67%" (rounded; the decision uses exact fractions)."""
    if not whole:
        return "—"
    f = Fraction(part) / Fraction(whole) * 100
    d = (Decimal(f.numerator) / Decimal(f.denominator)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
    return f"{d}%"


def owner_key(u: UnitVote) -> str:
    if u.developer:
        return "developer"  # all the developer's units: one owner (解释 第九条)
    return u.owner if u.owner is not None else f"unit:{u.unit}"


def tally(units: Iterable[UnitVote], *, matter: int, law: str = CIVIL_CODE) -> TallyResult:
    rs, threshold = rule_for(law, matter)
    units = list(units)
    seen: set[str] = set()
    area_total = area_part = area_agree = Fraction(0)
    # owner key → list of choices returned for their units (None = no reply)
    owners: dict[str, list[str | None]] = {}
    for u in units:
        if u.unit in seen:
            raise ValueError(f"房屋 {u.unit} 重复出现")
        seen.add(u.unit)
        if u.choice is not None and u.choice not in CHOICES:
            raise ValueError(f"房屋 {u.unit} 的表决意见无效:{u.choice}")
        area = Fraction(u.area)
        if area <= 0:
            raise ValueError(f"房屋 {u.unit} 的专有部分面积应大于 0")
        area_total += area
        if u.choice is not None:
            area_part += area
            if u.choice == AGREE:
                area_agree += area
        owners.setdefault(owner_key(u), []).append(u.choice)

    owners_total = len(owners)
    owners_part = owners_agree = 0
    for choices in owners.values():
        returned = [c for c in choices if c is not None]
        if returned:
            owners_part += 1
            if all(c == AGREE for c in returned):
                owners_agree += 1

    reasons: list[str] = []
    if rs.quorum is not None:
        q_area = rs.quorum.met(area_part, area_total)
        q_owners = rs.quorum.met(owners_part, owners_total)
        reasons.append(
            f"参与表决的专有部分面积 {area_decimal(area_part)}㎡ / 总面积 {area_decimal(area_total)}㎡"
            f" = {percent(area_part, area_total)},{'达到' if q_area else '未达到'}{rs.quorum.label}"
        )
        reasons.append(
            f"参与表决人数 {owners_part} / 业主总人数 {owners_total} = "
            f"{percent(owners_part, owners_total)},{'达到' if q_owners else '未达到'}{rs.quorum.label}"
        )
        quorum_met = q_area and q_owners
    else:
        quorum_met = True
        reasons.append(f"{rs.article}不设参与表决门槛,同意比例以总面积和总人数计算")

    if rs.base == "participating":
        area_base, owners_base, base_name = area_part, owners_part, "参与表决"
    else:
        area_base, owners_base, base_name = area_total, owners_total, "总"
    a_ok = threshold.met(area_agree, area_base)
    o_ok = threshold.met(owners_agree, owners_base)
    reasons.append(
        f"同意的专有部分面积 {area_decimal(area_agree)}㎡ / {base_name}面积 {area_decimal(area_base)}㎡"
        f" = {percent(area_agree, area_base)},{'达到' if a_ok else '未达到'}{threshold.label}"
    )
    reasons.append(
        f"同意人数 {owners_agree} / {base_name}人数 {owners_base} = "
        f"{percent(owners_agree, owners_base)},{'达到' if o_ok else '未达到'}{threshold.label}"
    )
    passed = quorum_met and a_ok and o_ok
    if not quorum_met:
        reasons.append("参与表决未达法定人数和面积,表决不成立")
    reasons.append("表决通过" if passed else "表决未通过")
    return TallyResult(
        matter=matter,
        law=law,
        owners_total=owners_total,
        area_total=area_total,
        owners_participating=owners_part,
        area_participating=area_part,
        owners_agreeing=owners_agree,
        area_agreeing=area_agree,
        quorum_met=quorum_met,
        passed=passed,
        reasons=reasons,
        rule=describe_rule(law, matter),
    )


def with_deemed_consent(units: Iterable[UnitVote]) -> list[UnitVote]:
    """The units as a compound's adopted 议事规则 with deemed consent
    (未参与表决视为同意) reads them: no reply counts as 同意. Only for the
    second, labelled count beside the statutory one — the law counts those
    who took part (民法典 第二百七十八条), and that count decides."""
    return [replace(u, choice=AGREE) if u.choice is None else u for u in units]
