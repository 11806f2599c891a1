"""Issue 13 (everyday use): pages that join apps."""


def test_property_company_home_is_titled_with_its_company(users, client_for, cast):
    body = client_for(users["property_company"]).get("/").content.decode()
    assert "全部辖区" not in body
    assert f"<h1>{cast['property_company'].name} · 老旧小区概况</h1>" in body
