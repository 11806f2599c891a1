"""The art. 278 tally at its exact boundaries (pure functions, no database)."""

from decimal import Decimal

import pytest

from gaizao.consultation import tally as T
from gaizao.consultation.tally import UnitVote


def units(spec):
    """spec: list of (area, choice[, owner[, developer]])."""
    out = []
    for i, s in enumerate(spec):
        area, choice = s[0], s[1]
        owner = s[2] if len(s) > 2 else None
        dev = s[3] if len(s) > 3 else False
        out.append(
            UnitVote(
                unit=str(i), area=Decimal(str(area)), owner=owner, developer=dev, choice=choice
            )
        )
    return out


A, OP, X, N = "agree", "oppose", "abstain", None


def test_quorum_two_thirds_reached_exactly():
    # 3 owners, 2 take part holding exactly 2/3 of the area; both agree.
    r = T.tally(units([(10, A), (10, A), (10, N)]), matter=1)
    assert r.owners_participating == 2 and r.owners_total == 3
    assert r.quorum_met is True and r.passed is True


def test_quorum_just_under_two_thirds_fails():
    # owners 2/3 exactly, but area 19.99/30 < 2/3 → no quorum.
    r = T.tally(units([(10, A), (9.99, A), (10.01, N)]), matter=1)
    assert r.quorum_met is False and r.passed is False
    assert any("未达到三分之二以上" in x for x in r.reasons)


def test_quorum_owner_count_just_under():
    # area well over 2/3 but only 6 of 10 owners take part (< 2/3).
    spec = [(100, A)] * 6 + [(1, N)] * 4
    r = T.tally(units(spec), matter=2)
    assert r.area_participating / r.area_total > Decimal(2) / 3
    assert r.quorum_met is False and r.passed is False


def test_exactly_half_is_not_a_majority():
    # 4 take part, 2 agree holding exactly half the participating area.
    r = T.tally(units([(10, A), (10, A), (10, OP), (10, OP)]), matter=4)
    assert r.quorum_met and r.owners_agreeing == 2
    assert r.passed is False


def test_just_over_half_passes():
    r = T.tally(units([(10.01, A), (10, A), (10, OP), (10, X), (10, A)]), matter=4)
    # 3 of 5 owners and 30.01 of 50.01 m² agree.
    assert r.passed is True
    r2 = T.tally(units([(10.01, A), (10, OP)]), matter=4)  # area 50.02% but owners 1/2
    assert r2.passed is False


def test_three_quarters_reached_exactly_for_matter_7():
    # 4 participants, 3 agree with exactly 3/4 of the participating area.
    r = T.tally(units([(20, A), (20, A), (20, A), (20, OP)]), matter=7)
    assert r.passed is True


def test_three_quarters_just_under():
    r = T.tally(units([(20, A), (20, A), (19.99, A), (20.01, OP)]), matter=7)
    assert r.owners_agreeing == 3
    assert r.passed is False
    # the same numbers pass an ordinary matter (more than half)
    assert T.tally(units([(20, A), (20, A), (19.99, A), (20.01, OP)]), matter=3).passed


@pytest.mark.parametrize(
    "matter,special", [(5, False), (6, True), (7, True), (8, True), (9, False)]
)
def test_which_matters_need_three_quarters(matter, special):
    # 7 of 10 agree (70 %): passes a majority matter, fails a 3/4 matter.
    spec = [(10, A)] * 7 + [(10, OP)] * 3
    assert T.tally(units(spec), matter=matter).passed is (not special)


def test_abstention_takes_part_but_does_not_agree():
    r = T.tally(units([(10, A), (10, X), (10, X), (10, N)]), matter=1)
    assert r.owners_participating == 3 and r.owners_agreeing == 1
    assert r.area_participating == 30 and r.area_agreeing == 10
    assert r.quorum_met and not r.passed


def test_no_reply_does_not_take_part():
    r = T.tally(units([(10, A), (10, N), (10, N)]), matter=1)
    assert r.owners_participating == 1 and r.area_participating == 10
    assert r.quorum_met is False


def test_multi_unit_owner_counts_once():
    r = T.tally(units([(10, A, "zhang"), (10, A, "zhang"), (10, OP, "li")]), matter=1)
    assert r.owners_total == 2 and r.owners_participating == 2 and r.owners_agreeing == 1
    assert r.area_agreeing == 20
    assert r.passed is False  # owners 1/2 is not more than half


def test_multi_unit_owner_divergent_ballots():
    # zhang: one unit agrees, one opposes → takes part, does not agree as an
    # owner; area still counts unit by unit.
    r = T.tally(units([(30, A, "zhang"), (10, OP, "zhang"), (10, A, "li")]), matter=1)
    assert r.owners_participating == 2 and r.owners_agreeing == 1
    assert r.area_agreeing == 40
    # an owner whose other unit did not reply still agrees
    r = T.tally(units([(30, A, "zhang"), (10, N, "zhang"), (10, A, "li")]), matter=1)
    assert r.owners_agreeing == 2 and r.area_participating == 40


def test_developer_units_count_as_one_owner():
    spec = [(10, A, "dev1", True), (10, A, "dev2", True), (10, A, "dev1", True), (10, OP, "wang")]
    r = T.tally(units(spec), matter=4)
    assert r.owners_total == 2 and r.owners_agreeing == 1
    assert r.passed is False  # 1 of 2 owners: not more than half


def test_units_without_owner_count_one_each():
    r = T.tally(units([(10, A), (10, A), (10, OP, "li"), (10, OP, "li")]), matter=4)
    assert r.owners_total == 3 and r.owners_agreeing == 2


def test_property_law_uses_totals_and_two_thirds():
    # 物权法: 2/3 of ALL owners and area for 改建重建; no quorum.
    spec = [(10, A)] * 2 + [(10, N)]
    r = T.tally(units(spec), matter=7, law=T.PROPERTY_LAW)
    assert r.quorum_met is True and r.passed is True  # 2/3 exactly, "以上"
    spec = [(10, A)] * 6 + [(10, N)] * 4  # 60 % of all
    assert T.tally(units(spec), matter=7, law=T.PROPERTY_LAW).passed is False
    # Under the Civil Code the same ballots would fail the quorum.
    assert T.tally(units(spec), matter=7).quorum_met is False
    # ordinary matter: more than half of the total, not of the participants
    spec = [(10, A)] * 5 + [(10, N)] * 5
    assert T.tally(units(spec), matter=1, law=T.PROPERTY_LAW).passed is False
    spec = [(10, A)] * 6 + [(10, N)] * 4
    assert T.tally(units(spec), matter=1, law=T.PROPERTY_LAW).passed is True
    # matter 5 (using the fund) was a two-thirds matter under 物权法, not under 民法典
    spec = [(10, A)] * 7 + [(10, OP)] * 3
    assert T.tally(units(spec), matter=5, law=T.PROPERTY_LAW).passed is True
    spec = [(10, A)] * 6 + [(10, OP)] * 4
    assert T.tally(units(spec), matter=5, law=T.PROPERTY_LAW).passed is False
    assert T.tally(units(spec), matter=5).passed is True


def test_law_by_date_and_rule_table():
    from datetime import date

    assert T.law_for_date(date(2020, 12, 31)) == T.PROPERTY_LAW
    assert T.law_for_date(date(2021, 1, 1)) == T.CIVIL_CODE
    assert T.RULE_SETS[T.CIVIL_CODE].special_matters == {6, 7, 8}
    assert "四分之三以上" in T.describe_rule(T.CIVIL_CODE, 7)
    assert "过半数" in T.describe_rule(T.CIVIL_CODE, 1)


def test_exact_arithmetic_and_json_numbers():
    r = T.tally(units([(33.33, A), (33.33, A), (33.34, N)]), matter=1)
    d = r.as_dict()
    assert d["area_total"] == 100 and d["area_participating"] == 66.66
    assert r.quorum_met is False  # 66.66 < 66.666…


def test_bad_input_rejected():
    with pytest.raises(ValueError):
        T.tally(units([(10, "maybe")]), matter=1)
    with pytest.raises(ValueError):
        T.tally(units([(10, A)]), matter=10)
