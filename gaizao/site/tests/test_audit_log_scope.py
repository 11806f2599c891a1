"""Issue 9 #5 and issue 8 item 10: the audit log shows only the reader's
jurisdiction, masks personal fields as the reader's role masks them
elsewhere (page and export), names related records instead of ids, and is
in the navigation of the roles that may read it."""

from io import BytesIO

from openpyxl import load_workbook

from gaizao.core import audit
from gaizao.regions.models import Area


def _owner_change(cast):
    owner = cast["owner_a"]
    audit.record(
        actor=cast["users"]["community_tianxiang"],
        instance=owner,
        action="update",
        changes={"phone": ["13812345678", "13900001111"], "name": ["张三丰", "张三"]},
    )
    c = cast["compound_a"]
    other = Area.objects.get(code="530103005007")
    audit.record(
        actor=cast["users"]["community_tianxiang"],
        instance=c,
        action="update",
        changes={"community_id": [c.community_id, other.pk]},
    )
    audit.record(
        actor=cast["users"]["bureau"],
        instance=cast["compound_b"],
        action="update",
        changes={"households": [1, 2]},
    )


def test_leadership_sees_the_district_masked_and_names(client_for, cast):
    _owner_change(cast)
    body = client_for(cast["users"]["district"]).get("/audit/").content.decode()
    assert "138****5678 → 139****1111" in body and "13812345678" not in body
    assert "张*丰" in body and "张三丰" not in body
    assert "天祥社区居委会 → 青龙山社区居委会" in body
    assert "云山" in body or "户数: 1 → 2" in body  # both streets


def test_community_sees_its_compounds_whole_and_nothing_else(client_for, cast):
    _owner_change(cast)
    body = client_for(cast["users"]["community_tianxiang"]).get("/audit/").content.decode()
    # the community works with owners directly: it sees them whole, as on the owner pages
    assert "13812345678 → 13900001111" in body
    assert "户数: 1 → 2" not in body  # compound_b is another street's


def test_street_office_sees_its_street_masked(client_for, cast):
    _owner_change(cast)
    c = client_for(cast["users"]["street_jinchen"])
    body = c.get("/audit/").content.decode()
    assert "138****5678" in body and "13812345678" not in body
    assert "户数: 1 → 2" not in body
    ws = load_workbook(BytesIO(c.get("/audit/?format=xlsx").content)).active
    cells = " ".join(str(v) for row in ws.iter_rows(values_only=True) for v in row if v)
    assert "13812345678" not in cells and "张三丰" not in cells and "138****5678" in cells
    assert "天祥社区居委会 → 青龙山社区居委会" in cells


def test_navigation_links_the_audit_log_for_its_readers(client_for, cast):
    for name in ("district", "street_jinchen", "community_tianxiang"):
        assert 'href="/audit/"' in client_for(cast["users"][name]).get("/").content.decode()
    assert (
        'href="/audit/"'
        not in client_for(cast["users"]["property_company"]).get("/").content.decode()
    )
