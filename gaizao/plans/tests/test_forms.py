"""The catalogue item form (plans/forms.py) through the page: each bad field
is named in the page's errors, nothing is written."""

from gaizao.catalogue.models import CatalogItem


def test_catalogue_form_names_each_bad_field(cast, users, client_for):
    before = CatalogItem.objects.count()
    r = client_for(users["bureau"]).post(
        "/plans/catalogue/new/",
        {
            "code": "bad code!",
            "name": "",
            "tier": "gold",
            "unit": "吨",
            "facility": "moon",
            "estimate_basis": "guess",
            "unit_cost": "abc",
            "estimate_factor": "-2",
            "year": "1999",
        },
    )
    body = r.content.decode()
    assert r.status_code == 400
    for msg in (
        "请填写名称",
        "请选择类别",
        "请选择计量单位",
        "对应设施无效",
        "估算依据无效",
        "单价“abc”须为不小于 0 的数字",
        "估算系数“-2”须为不小于 0 的数字",
        "适用年度“1999”无效",
        "编码须为字母、数字或下划线",
    ):
        assert msg in body, msg
    assert CatalogItem.objects.count() == before
