"""From a compound straight to importing its household register."""


def test_detail_links_to_units_import_with_compound_chosen(client_for, cast):
    c = cast["compound_a"]
    page = client_for(cast["users"]["bureau"]).get(f"/compounds/{c.pk}/").content.decode()
    assert f"/compounds/import/?compound={c.pk}" in page
    form = client_for(cast["users"]["bureau"]).get(f"/compounds/import/?compound={c.pk}")
    html = form.content.decode()
    assert f'<option value="{c.pk}" selected>' in html
    # Roles that may not import do not get the link.
    page = (
        client_for(cast["users"]["community_tianxiang"]).get(f"/compounds/{c.pk}/").content.decode()
    )
    assert "/compounds/import/?compound=" not in page
