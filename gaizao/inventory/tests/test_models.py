"""Database constraints for what must never be wrong, and the condition score."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from gaizao import testing
from gaizao.inventory.facilities import BY_CODE, FACILITIES
from gaizao.inventory.models import Compound, Unit
from gaizao.inventory.scoring import condition_score, grade


def _fails(fn):
    with pytest.raises(IntegrityError), transaction.atomic():
        fn()


def test_constraints(cast, areas):
    a = cast["compound_a"]
    b = cast["building_a"]
    _fails(lambda: testing.make_compound(areas["jinchen"], "天祥小区"))  # same name, same street
    testing.make_compound(areas["qingyun"], "天祥小区")  # another street: allowed
    _fails(lambda: testing.make_compound(areas["jinchen"], "零面积", floor_area=Decimal("0")))
    _fails(lambda: testing.make_compound(areas["jinchen"], "负面积", floor_area=Decimal("-5")))
    _fails(lambda: testing.make_compound(areas["jinchen"], "年份错", built_year=1800))
    _fails(lambda: testing.make_building(a, "1栋"))  # duplicate building number
    _fails(lambda: testing.make_unit(b, "101", "50"))  # duplicate unit in the same entrance
    testing.make_unit(b, "101", "50", entrance="2")  # same number, another entrance
    _fails(lambda: testing.make_unit(b, "999", "0"))
    _fails(lambda: Unit.objects.create(building=b, number="998", exclusive_area=Decimal("-1")))
    assert Compound.objects.filter(name="天祥小区").count() == 2


def test_every_seed_facility_is_surveyed():
    # The seed's 基础项目 and 提升项目 facilities, each once.
    names = " ".join(f.name for f in FACILITIES)
    for word in [
        "供水",
        "污水",
        "化粪池",
        "雨污分流",
        "太阳能",
        "路灯",
        "楼道照明",
        "强弱电",
        "道路",
        "停车",
        "燃气",
        "电动自行车",
        "消防通道",
        "垃圾分类",
        "监控",
        "无障碍",
        "扶手",
        "墙面",
        "楼栋标识",
        "消防设施",
        "防盗门",
        "围墙",
        "油烟",
        "乱搭乱建",
        "广场",
        "健身",
        "座椅",
        "信报箱",
        "宣传栏",
        "卫生站",
        "图书室",
        "绿化",
    ]:
        assert word in names, word
    assert len(BY_CODE) == len(FACILITIES)


def test_condition_score():
    assert condition_score({}) is None
    assert condition_score({"water_pipes": "na"}) is None
    assert condition_score({"water_pipes": "good"}) == Decimal("100.0")
    assert condition_score({"water_pipes": "missing"}) == Decimal("0.0")
    # basic 100 %, enhancement 0 % → 70 / 30
    assert condition_score({"water_pipes": "good", "reading_room": "missing"}) == Decimal("70.0")
    assert condition_score({"water_pipes": "missing", "reading_room": "good"}) == Decimal("30.0")
    assert condition_score({"water_pipes": "worn"}) == Decimal("60.0")
    assert grade(Decimal("80")) == ("good", "良好")
    assert grade(Decimal("79.9"))[0] == "fair"
    assert grade(Decimal("39.9"))[0] == "bad"
    assert grade(None)[0] == "unknown"


def test_broken_basic_facilities_are_not_good():
    """QA: five broken basic networks with everything else fine scored 80.8 (良好)."""
    from gaizao.inventory.facilities import FACILITIES

    ratings = {f.code: "good" for f in FACILITIES}
    for code in [
        "water_pipes",
        "sewage_pipes",
        "septic_drains",
        "power_telecom_lines",
        "gas_pipes",
    ]:
        ratings[code] = "broken"
    assert grade(condition_score(ratings))[0] != "good"


def test_coordinates_must_be_on_earth(client_for, cast):
    """QA: PATCH latitude 999 was stored."""
    c = cast["compound_a"]
    api = client_for(cast["users"]["street_jinchen"])
    r = api.patch(f"/api/v1/compounds/{c.pk}", {"latitude": "999"}, content_type="application/json")
    assert r.status_code in (400, 422), r.content
    assert "纬度" in r.content.decode() or "latitude" in r.content.decode()
    r = api.patch(
        f"/api/v1/compounds/{c.pk}", {"longitude": "-500"}, content_type="application/json"
    )
    assert r.status_code in (400, 422)
    c.refresh_from_db()
    assert c.latitude is None and c.longitude is None
    _fails(lambda: Compound.objects.filter(pk=c.pk).update(latitude=Decimal("91")))


def test_investment_demolition_and_self_built_bounds(client_for, cast):
    """QA round 2: negative investment, 99999999999 years and a self-built area
    larger than the compound were accepted."""
    c = cast["compound_a"]  # floor area 20,000 m²
    api = client_for(cast["users"]["street_jinchen"])
    url = f"/api/v1/compounds/{c.pk}"
    for body in (
        {"investment_yuan": -100},
        {"demolition_within_years": 101},
        {"self_built_area": "30000"},
    ):
        r = api.patch(url, body, content_type="application/json")
        assert r.status_code in (400, 422), (body, r.content)
        assert "error" in r.json()
    c.refresh_from_db()
    assert c.investment_yuan is None and c.demolition_within_years is None
    assert c.self_built_area is None
    assert (
        api.patch(url, {"self_built_area": "5000"}, content_type="application/json").status_code
        == 200
    )
    _fails(lambda: Compound.objects.filter(pk=c.pk).update(investment_yuan=Decimal("-1")))
    _fails(lambda: Compound.objects.filter(pk=c.pk).update(demolition_within_years=500))


def test_import_refuses_self_built_area_above_floor_area(tmp_path):
    from gaizao.inventory.importing import parse_compound_sheet

    p = tmp_path / "c.csv"
    p.write_text(
        "小区名称,所属街道,建筑面积(平方米),居民自建住房面积\n甲小区,金辰街道,1000,1500\n",
        encoding="utf-8",
    )
    parsed = parse_compound_sheet(p)
    assert any("大于建筑面积" in e.message and e.row == 2 for e in parsed.errors)
