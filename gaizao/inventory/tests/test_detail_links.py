"""From a compound straight to importing its household register."""


def test_detail_links_to_units_import_with_compound_chosen(client_for, cast):
    c = cast["compound_a"]
    page = client_for(cast["users"]["bureau"]).get(f"/compounds/{c.pk}/").content.decode()
    assert f"/compounds/import/?compound={c.pk}" in page
    form = client_for(cast["users"]["bureau"]).get(f"/compounds/import/?compound={c.pk}")
    html = form.content.decode()
    assert 'value="金辰街道·天祥小区"' in html  # typed box, filled with 街道·名称
    # Roles that may not import do not get the link.
    page = (
        client_for(cast["users"]["community_tianxiang"]).get(f"/compounds/{c.pk}/").content.decode()
    )
    assert "/compounds/import/?compound=" not in page


def test_residents_do_not_browse_the_owners_register(client_for, cast):
    """QA round 2: a resident could read (masked) neighbours and download units.xlsx."""
    c = cast["compound_a"]
    resident = client_for(cast["users"]["resident_a"])
    page = resident.get(f"/compounds/{c.pk}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "业主名册" not in body and "张*丰" not in body
    assert resident.get(f"/compounds/{c.pk}/units.xlsx").status_code == 403
    units = resident.get(f"/api/v1/buildings/{cast['building_a'].pk}/units").json()
    assert {u["owner_name"] for u in units} == {""} and {u["owner_id"] for u in units} == {None}
    # Staff still do, masked as their role requires.
    street = client_for(cast["users"]["street_jinchen"])
    assert "张*丰" in street.get(f"/compounds/{c.pk}/").content.decode()
    assert street.get(f"/compounds/{c.pk}/units.xlsx").status_code == 200


def test_detail_page_sorts_mixed_building_names(client_for, cast):
    """Numbered buildings in numeric order, unnumbered ones after them."""
    from gaizao import testing

    c = cast["compound_a"]
    for n in ("10栋", "2栋", "综合楼"):
        testing.make_building(c, n)
    body = client_for(cast["users"]["district"]).get(f"/compounds/{c.pk}/").content.decode()
    assert body.index("2栋") < body.index("10栋") < body.index("综合楼")
