from datetime import date
from decimal import Decimal
from io import BytesIO, StringIO

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from gaizao.catalogue.models import CatalogItem
from gaizao.disclosure import report
from gaizao.plans.models import PlanItem


def test_periods():
    p = report.parse_period("2024-Q2")
    assert (p.start, p.end) == (date(2024, 4, 1), date(2024, 6, 30))
    p = report.parse_period("2024-02")
    assert (p.start, p.end) == (date(2024, 2, 1), date(2024, 2, 29))
    for bad in ("2024", "2024-13", "2024-Q5", "24-01", ""):
        with pytest.raises(report.BadPeriod):
            report.parse_period(bad)


@pytest.fixture
def water(programme):
    cat = CatalogItem.objects.filter(code="water_supply_pipes").first()
    if cat is None:
        cat = CatalogItem.objects.create(
            code="water_supply_pipes", name="供水管", tier="basic", unit="m", unit_cost=280
        )
    PlanItem.objects.create(
        plan=programme["plan"],
        catalog_item=cat,
        code="water_supply_pipes",
        name="供水管",
        tier="basic",
        unit="m",
        unit_cost=280,
        quantity=Decimal("1200"),
    )
    return programme


def _v(areas, period, key):
    return report.compute(areas["district"], report.parse_period(period))["values"][key]


@pytest.mark.django_db
def test_started_once_across_the_year_and_carry_over(areas, water):
    hh = water["a"].households or 0
    months = [_v(areas, f"2024-{m:02d}", "new_started_n")[-1] for m in range(1, 13)]
    assert months == [0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]  # counted in June only
    assert sum(_v(areas, f"2024-Q{q}", "new_started_n")[-1] for q in range(1, 5)) == 1
    q2 = report.compute(areas["district"], report.parse_period("2024-Q2"))["values"]
    assert q2["ytd_started_n"][-1] == 1 and q2["new_started_hh"][-1] == hh
    assert q2["planned_n"][-1] == 2 and q2["rate_n"][-1] == Decimal("50.0")
    assert q2["open_n"][-1] == 1 and q2["carried_n"][-1] == 0
    q3 = report.compute(areas["district"], report.parse_period("2024-Q3"))["values"]
    # Q2's unfinished works carry into Q3; ytd still counts the compound once.
    assert q3["carried_n"][-1] == 1 and q3["new_started_n"][-1] == 0
    assert q3["ytd_started_n"][-1] == 1
    assert q3["funds"][-1] == 30 and q3["funds_central_subsidy"][-1] == 30  # 万元
    q4 = report.compute(areas["district"], report.parse_period("2024-Q4"))["values"]
    assert q4["new_completed_n"][-1] == 1 and q4["open_n"][-1] == 0
    assert q4["pipe_water"][-1] == Decimal("1.2")  # km
    assert q4["carried_n"][-1] == 1
    nxt = report.compute(areas["district"], report.parse_period("2025-Q1"))["values"]
    assert nxt["carried_n"][-1] == 0 and nxt["ytd_started_n"][-1] == 0


@pytest.mark.django_db
def test_totals_equal_the_sum_of_rows_and_roll_up_to_the_city(areas, water):
    for period in ("2024-06", "2024-Q3", "2024-Q4"):
        d = report.compute(areas["district"], report.parse_period(period))
        assert [c.name for c in d["columns"]][:2] == ["金辰街道", "青云街道"]
        for _c, key, _l, _u in report.ALL_ROWS:
            if key in report.RATIO_KEYS:
                continue
            vals = d["values"][key]
            assert vals[-1] == sum(vals[:-1]), (period, key)
        v = d["values"]
        assert v["funds"][-1] == sum(v[k][-1] for _c, k, _l, _u in report.FUND_ROWS)
        city = report.compute(areas["city"], report.parse_period(period))
        i = [c.pk for c in city["columns"]].index(areas["district"].pk)
        for key in ("new_started_n", "funds", "pipe_water", "planned_hh"):
            assert city["values"][key][i] == v[key][-1]


@pytest.mark.django_db
def test_report_command_writes_the_fixed_layout(tmp_path, areas, water):
    out = tmp_path / "r.xlsx"
    s = StringIO()
    call_command(
        "report", "--period", "2024-Q4", "--area", "530103000000", "-o", str(out), stdout=s
    )
    assert "r.xlsx" in s.getvalue()
    ws = load_workbook(out).active
    assert ws["A1"].value == "城镇老旧小区改造统计报表"
    assert [ws.cell(4, i).value for i in (1, 2, 3)] == ["指标名称", "代码", "计量单位"]
    codes = [ws.cell(r, 2).value for r in range(5, ws.max_row + 1)]
    assert codes == [c for c, _k, _l, _u in report.ALL_ROWS]
    row = {ws.cell(r, 2).value: r for r in range(5, ws.max_row + 1)}["10"]
    assert ws.cell(row, ws.max_column).value == 1  # completed in Q4, total column
    with pytest.raises(CommandError, match="2024-Q2"):
        call_command("report", "--period", "2024/6")
    with pytest.raises(CommandError, match="999"):
        call_command("report", "--period", "2024-06", "--area", "999")


@pytest.mark.django_db
def test_report_page_and_download(client_for, users, water):
    c = client_for(users["district"])
    r = c.get("/dashboard/report/", {"period": "2024-Q4"})
    assert r.status_code == 200 and "本期竣工小区数" in r.content.decode()
    r = c.get("/dashboard/report/", {"period": "2024-Q4", "format": "xlsx"})
    assert r.status_code == 200
    assert load_workbook(BytesIO(r.content)).active["A1"].value == "城镇老旧小区改造统计报表"
    bad = c.get("/dashboard/report/", {"period": "六月"})
    assert bad.status_code == 400 and "六月" in bad.content.decode()
    # A street office may not report on the district.
    s = client_for(users["street_qingyun"]).get(
        "/dashboard/report/", {"period": "2024-Q4", "area": "530103000000"}
    )
    assert s.status_code == 400
    assert client_for(users["surveyor"]).get("/dashboard/report/").status_code == 403
