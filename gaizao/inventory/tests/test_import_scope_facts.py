"""Scope facts from a sheet (issue 8 item 7): a blank demolition cell stays
unknown (未核实) while 否 is recorded as no plan; a round-figure build year is
kept as approximate, a bound ("2000年以前") is not; and both survive an
export and re-import unchanged."""

import io
from datetime import date

import pytest

from gaizao.inventory.exporting import export_compounds_xlsx
from gaizao.inventory.importing import services
from gaizao.inventory.importing.cells import ABOUT, BOUND, build_time
from gaizao.inventory.models import Compound

from .test_import_parsing import parse


@pytest.mark.parametrize(
    "cell,year,kind",
    [
        ("2000年左右", 2000, ABOUT),
        ("约1999", 1999, ABOUT),
        ("约1999年", 1999, ABOUT),
        ("大约1985年前后", 1985, ABOUT),
        ("90年代", 1990, ABOUT),
        ("2000年以前", 1999, BOUND),
        ("1999", 1999, False),
    ],
)
def test_build_time_kinds(cell, year, kind):
    y, _d, approx = build_time(cell)
    assert (y, approx) == (year, kind)


def test_sheet_keeps_approximate_years_and_unknown_demolition():
    p = parse(
        [
            ["小区名称", "建成时间", "拟拆除新建或改扩翻建", "户数"],
            ["甲", "2000年左右", "", 10],
            ["乙", "约1999", "否", 10],
            ["丙", "2000年以前", "是", 10],
            ["丁", 1995, 5, 10],
            ["戊", "", "", 10],
        ]
    )
    assert p.errors == []
    rows = {r["name"]: r for r in p.rows}
    assert rows["甲"]["build_year_approximate"] is True
    assert rows["甲"]["demolition_planned"] is None  # blank: not checked
    assert rows["乙"]["build_year_approximate"] is True and rows["乙"]["build_year"] == 1999
    assert rows["乙"]["demolition_planned"] is False
    assert rows["丙"]["build_year_approximate"] is False  # a bound, kept on the safe side
    # 是 without years in the header: a plan whose years are unknown.
    assert rows["丙"]["demolition_planned"] is True
    assert rows["丙"]["demolition_within_years"] is None
    assert rows["丁"]["demolition_planned"] is True and rows["丁"]["demolition_within_years"] == 5
    assert rows["戊"]["build_year_approximate"] is None


def test_export_round_trip_keeps_scope_facts(cast, users):
    a, b = cast["compound_a"], cast["compound_b"]
    a.built_year, a.built_date, a.built_year_approximate = 2000, None, True
    a.demolition_planned = False
    a.save()
    b.built_year, b.built_date = 1990, date(1990, 3, 5)
    b.demolition_planned = True  # years unknown
    b.save()
    data = export_compounds_xlsx(Compound.objects.all())
    result = services.commit_compounds(io.BytesIO(data), user=users["bureau"], filename="e.xlsx")
    assert (result.created, result.updated) == (0, 0)
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.built_year_approximate and a.demolition_planned is False
    assert b.demolition_planned is True and b.demolition_within_years is None


def test_years_imply_a_plan(cast):
    a = cast["compound_a"]
    a.demolition_within_years = 2
    a.save()
    a.refresh_from_db()
    assert a.demolition_planned is True
