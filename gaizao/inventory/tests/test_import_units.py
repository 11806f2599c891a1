"""Unit and owner import into one compound, through HTTP and the service."""

import io
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from gaizao.core.models import AuditEntry
from gaizao.inventory.importing import parse_unit_sheet, services
from gaizao.inventory.models import Building, Owner, Unit

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER = [
    "楼栋",
    "单元",
    "房号",
    "专有部分面积(㎡)",
    "业主姓名",
    "联系电话",
    "证件号码",
    "开发商未售",
]


def xlsx(rows) -> bytes:
    wb = Workbook()
    for r in rows:
        wb.active.append(list(r))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


ROWS = [
    HEADER,
    ["1栋", "1", "101", 80.5, "张三丰", "13812345678", "530103199001011234", "否"],  # existing
    ["1栋", "1", "201", 90, "张三丰", "", "530103199001011234", "否"],  # same owner by ID
    ["2号楼", "1", "101", 70, "李四", "13900000000", "", "否"],
    ["2号楼", "1", "102", 71, "李四", "13900000000", "", "否"],  # same owner by phone
    ["2号楼", "1", "103", 72, "李四", "13700000000", "", "否"],  # another 李四
    ["2号楼", "2", "201", 65, "", "", "", "是"],
    ["2号楼", "2", "202", 66, "某房地产开发公司", "", "", "是"],
]


def upload_and_confirm(client, compound, data):
    resp = client.post(
        reverse("inventory:import"),
        {
            "kind": "units",
            "compound": compound.pk,
            "file": SimpleUploadedFile("清册.xlsx", data, content_type=XLSX),
        },
    )
    assert resp.status_code == 302, resp.content.decode()[:3000]
    url = resp["Location"]
    page = client.get(url)
    assert page.status_code == 200
    return url, page.content.decode()


def test_units_import_owners_and_developer(cast, users, client_for):
    a = cast["compound_a"]
    c = client_for(users["street_jinchen"])
    url, html = upload_and_confirm(c, a, xlsx(ROWS))
    # A street office may not see owners' personal data: masked in the preview.
    assert "张*丰" in html and "138****5678" in html and "13812345678" not in html
    assert Unit.objects.filter(building__compound=a).count() == 2
    assert c.post(url, {"confirm": "1"}).status_code == 302

    units = Unit.objects.filter(building__compound=a)
    assert units.count() == 8  # 101 and 102 existed; 101 updated, 6 new
    assert set(Building.objects.filter(compound=a).values_list("number", flat=True)) == {
        "1栋",
        "2栋",
    }
    zhang = cast["owner_a"]
    assert set(zhang.units.values_list("number", flat=True)) == {"101", "102", "201"}
    assert Owner.objects.filter(compound=a, name="张三丰").count() == 1
    lisi = Owner.objects.filter(compound=a, name="李四")
    assert lisi.count() == 2
    assert sorted(o.units.count() for o in lisi) == [1, 2]
    dev = Owner.objects.get(compound=a, is_developer=True)
    assert dev.units.count() == 2 and dev.name == "开发建设单位(未售房屋)"
    u = units.get(building__number="1栋", entrance="1", number="101")
    assert u.exclusive_area == Decimal("80.50")
    assert AuditEntry.objects.filter(action="import", object_pk=str(a.pk)).count() == 1
    assert AuditEntry.objects.filter(model="inventory.building", source="import").count() == 1

    # Re-import: nothing duplicated, nothing changed.
    r = services.commit_units(
        io.BytesIO(xlsx(ROWS)), user=users["bureau"], compound=a, filename="x.xlsx"
    )
    assert (r.created, r.updated, r.unchanged) == (0, 0, 7)
    assert units.count() == 8 and Owner.objects.filter(compound=a).count() == 4
    assert Owner.objects.filter(compound=a, is_developer=True).count() == 1


def test_units_errors_write_nothing(cast, users, client_for):
    a = cast["compound_a"]
    rows = [
        HEADER,
        ["3栋", "1", "101", 80, "甲", "", "", ""],
        ["3栋", "1", "102", 0, "乙", "", "", ""],
        ["3栋", "1", "103", "八十", "丙", "", "", ""],
        ["3栋", "1", "101", 81, "丁", "", "", ""],
    ]
    c = client_for(users["bureau"])
    url, html = upload_and_confirm(c, a, xlsx(rows))
    assert "第3行" in html and "面积必须大于0" in html
    assert "第4行" in html and "“八十”不是数字" in html
    assert "第5行" in html and "与第2行是同一楼栋、单元和房号" in html
    assert c.post(url, {"confirm": "1"}).status_code == 400
    assert not Building.objects.filter(compound=a, number="3栋").exists()
    assert Unit.objects.filter(building__compound=a).count() == 2


def test_units_into_invisible_compound_refused(cast, users, client_for):
    c = client_for(users["street_jinchen"])
    resp = c.post(
        reverse("inventory:import"),
        {
            "kind": "units",
            "compound": cast["compound_b"].pk,
            "file": SimpleUploadedFile("u.xlsx", xlsx(ROWS), content_type=XLSX),
        },
    )
    assert resp.status_code == 200 and "errorlist" in resp.content.decode()
    assert Unit.objects.filter(building__compound=cast["compound_b"]).count() == 1


def test_units_need_a_compound(cast, users, client_for):
    resp = client_for(users["bureau"]).post(
        reverse("inventory:import"),
        {"kind": "units", "file": SimpleUploadedFile("u.xlsx", xlsx(ROWS), content_type=XLSX)},
    )
    assert resp.status_code == 200 and "必须选择小区" in resp.content.decode()


def test_units_import_query_count_does_not_grow_with_rows(
    cast, users, django_assert_max_num_queries
):
    a = cast["compound_a"]
    rows = [HEADER] + [
        ["9栋", str(e), f"{f}0{r}", 60 + r, f"业主{e}{f}{r}", "", "", ""]
        for e in range(1, 5)
        for f in range(1, 8)
        for r in range(1, 5)
    ]
    with django_assert_max_num_queries(25):
        result = services.commit_units(
            io.BytesIO(xlsx(rows)), user=users["bureau"], compound=a, filename="x.xlsx"
        )
    assert result.created == 112 and result.extra["owners_created"] == 112


def test_units_written_many_rows_per_statement_keep_their_owners(cast, users):
    # 1,001 units and 668 owners: several full multi-row INSERTs and a short
    # last one (SQLite: 124 units or 142 owners per statement). Each unit must
    # get its own owner: new owners' ids are read back in insertion order.
    a = cast["compound_a"]
    rows, expected, owner = [HEADER], {}, 0
    for i in range(1001):
        if i % 3 != 2:  # every third unit shares the previous unit's owner
            owner += 1
        number = f"{i // 4 + 1}0{i % 4 + 1}"
        rows.append(["8栋", "1", number, 50 + i % 7, f"业主{owner}", f"139{owner:08d}", "", ""])
        expected[number] = (f"业主{owner}", f"139{owner:08d}", Decimal(50 + i % 7))
    result = services.commit_units(
        io.BytesIO(xlsx(rows)), user=users["bureau"], compound=a, filename="x.xlsx"
    )
    assert result.created == 1001 and result.extra["owners_created"] == owner == 668
    got = {
        n: (name, phone, Decimal(area))
        for n, name, phone, area in Unit.objects.filter(
            building__compound=a, building__number="8栋"
        ).values_list("number", "owner__name", "owner__phone", "exclusive_area")
    }
    assert got == expected


def test_unit_area_edges_are_messages_not_crashes():
    # 1e30 ㎡ made Decimal.quantize raise InvalidOperation (a 500 on the
    # page); 0.001 ㎡ passed as "> 0" and became 0.00, which the database's
    # check refuses at the end of the import.
    rows = [
        ["楼栋", "房号", "专有部分面积(㎡)"],
        ["1栋", "101", 1e30],
        ["1栋", "102", 0.001],
        ["1栋", "103", 9999999.994],
        ["1栋", "104", 10_000_000],
        ["1栋", "105", "61.5平方米"],
    ]
    p = parse_unit_sheet(io.BytesIO(xlsx(rows)), filename="u.xlsx")
    errors = {e.row: e.message for e in p.errors}
    assert "面积过大" in errors[2] and "面积过大" in errors[5]
    assert "面积必须大于0" in errors[3]
    areas = {r["row"]: r["exclusive_area"] for r in p.rows}
    assert areas[4] == Decimal("9999999.99") and areas[6] == Decimal("61.50")
