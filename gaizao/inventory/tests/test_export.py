"""Export: compounds re-import cleanly; unit exports mask personal data."""

import io
from datetime import date
from decimal import Decimal

from django.core.management import call_command
from openpyxl import load_workbook

from gaizao import testing
from gaizao.inventory.exporting import COMPOUND_COLUMNS, export_compounds_xlsx, export_units_xlsx
from gaizao.inventory.importing import parse_compound_sheet, parse_unit_sheet, services
from gaizao.inventory.models import Compound, Survey, Unit


def test_compound_export_round_trip(cast, users, areas):
    a = cast["compound_a"]
    a.built_date = date(1994, 7, 1)
    a.built_year = 1994
    a.investment_yuan = Decimal("1234567.89")
    a.in_shantytown_plan = False
    a.demolition_within_years = 2
    a.latitude, a.longitude = Decimal("25.039500"), Decimal("102.726500")
    a.note = "测试备注"
    a.save()
    Survey.objects.create(compound=a, surveyed_on=date(2024, 5, 1), score=Decimal("63.5"))
    data = export_compounds_xlsx(Compound.objects.all())
    ws = load_workbook(io.BytesIO(data)).active
    assert [c.value for c in ws[1]] == [c.header for c in COMPOUND_COLUMNS]
    assert ws.cell(2, len(COMPOUND_COLUMNS)).value == 63.5  # latest survey score

    parsed = parse_compound_sheet(io.BytesIO(data), filename="e.xlsx")
    assert parsed.errors == [] and parsed.ignored_columns == []
    row = next(r for r in parsed.rows if r["name"] == "天祥小区")
    assert row["build_date"] == date(1994, 7, 1) and row["floor_area_m2"] == a.floor_area
    assert row["investment_yuan"] == Decimal("1234567.89")
    assert row["demolition_within_years"] == 2 and row["in_shantytown_plan"] is False
    assert (
        row["property_company"] == "甲物业公司" and row["management_status"] == "property_company"
    )

    # Re-importing the export changes nothing and creates nothing.
    before = Compound.objects.count()
    result = services.commit_compounds(io.BytesIO(data), user=users["bureau"], filename="e.xlsx")
    assert (result.created, result.updated, result.unchanged) == (0, 0, before)
    assert Compound.objects.count() == before


def test_unit_export_masks_unless_allowed(cast):
    qs = Unit.objects.filter(building__compound=cast["compound_a"])
    masked = load_workbook(io.BytesIO(export_units_xlsx(qs, mask_personal=True))).active
    row = [c.value for c in masked[2]]
    assert row[5] == "张*丰" and row[6] == "138****5678" and "1990" not in row[7]
    whole = export_units_xlsx(qs, mask_personal=False)
    parsed = parse_unit_sheet(io.BytesIO(whole), filename="u.xlsx")
    assert parsed.errors == []
    assert [(r["building"], r["number"], r["owner_name"], r["id_number"]) for r in parsed.rows] == [
        ("1栋", "101", "张三丰", "530103199001011234"),
        ("1栋", "102", "张三丰", "530103199001011234"),
    ]


def test_unit_export_view_masks_for_street_office(cast, users, client_for):
    a = cast["compound_a"]
    url = f"/compounds/{a.pk}/units.xlsx"
    resp = client_for(users["street_jinchen"]).get(url)
    assert resp.status_code == 200
    assert load_workbook(io.BytesIO(resp.content)).active.cell(2, 6).value == "张*丰"
    resp = client_for(users["community_tianxiang"]).get(url)
    assert load_workbook(io.BytesIO(resp.content)).active.cell(2, 6).value == "张三丰"
    assert client_for(users["street_qingyun"]).get(url).status_code == 404


def test_export_command(cast, tmp_path, areas):
    testing.make_compound(areas["qingyun"], "另一小区")
    out = tmp_path / "jinchen.xlsx"
    call_command("export", "--area", "530103005000", "-o", str(out), stdout=io.StringIO())
    names = [r[0] for r in load_workbook(out).active.iter_rows(min_row=2, values_only=True)]
    assert names == ["天祥小区"]
    units = tmp_path / "u.xlsx"
    call_command(
        "export",
        "--units",
        "--compound",
        str(cast["compound_a"].pk),
        "-o",
        str(units),
        stdout=io.StringIO(),
    )
    assert load_workbook(units).active.cell(2, 6).value == "张*丰"  # masked by default
