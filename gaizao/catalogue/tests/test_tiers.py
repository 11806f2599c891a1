"""Catalogue tiers as 国办发〔2020〕23号 lists them (issue 8 item 8): 消防, 安防,
生活垃圾分类 and the repair of 楼梯 and other common parts are 基础类, each
built-in item cites its source, the data migration moves existing rows, and a
jurisdiction whose residents pay only for 完善类/提升类 charges them nothing for
these items."""

from decimal import Decimal
from importlib import import_module

from gaizao.catalogue.catalogue_data import ITEMS, SOURCES
from gaizao.catalogue.costs import CostLine, cost_by_tier
from gaizao.catalogue.models import CatalogItem
from gaizao.plans.funding import FundingFacts, FundingRules, split_funding

BASIC_BY_23 = [
    "fire_lane_clearing",  # 消防
    "unit_fire_equipment",  # 消防
    "security_cameras",  # 安防
    "unit_security_door",  # 安防
    "waste_sorting_station",  # 生活垃圾分类
    "stair_handrail_repair",  # 楼梯等公共部位维修
    "stairwell_wall_paint",  # 楼梯等公共部位维修
    "roof_waterproofing",  # 屋面
    "facade_repair",  # 外墙
]


def test_builtin_tiers_follow_23hao(db):
    items = {i.code: i for i in CatalogItem.objects.filter(jurisdiction=None, year=None)}
    for code in BASIC_BY_23:
        assert items[code].tier == "basic", code
        assert "resident" not in items[code].funding_sources, code
        assert "基础类" in items[code].source, code
    assert items["health_station"].tier == "enhancement"
    assert items["elevator_retrofit"].tier == "improvement"
    assert items["public_plaza"].tier == "improvement"  # 文化休闲设施: 完善类


def test_every_builtin_item_cites_its_source(db):
    assert set(SOURCES) == {row[0] for row in ITEMS}
    for item in CatalogItem.objects.filter(jurisdiction=None, year=None):
        assert item.source, item.code
        assert "23号" in item.source or "盘龙区2020" in item.source, item.code
    assert "盘龙区2020 提升项目" in SOURCES["security_cameras"]  # the seed listed it there


def test_migration_moves_old_rows_but_not_edited_ones(db, areas):
    m = import_module("gaizao.catalogue.migrations.0002_tiers_per_23hao_with_source")
    CatalogItem.objects.filter(code="security_cameras", jurisdiction=None).update(
        tier="improvement", funding_sources=m.OLD_SHARED, source=""
    )
    # Someone reclassified this one on purpose (not the old built-in tier).
    CatalogItem.objects.filter(code="stairwell_wall_paint", jurisdiction=None).update(
        tier="enhancement", source=""
    )
    local = CatalogItem.objects.create(
        code="security_cameras",
        name="安防监控(本区)",
        tier="improvement",
        unit="个",
        unit_cost=Decimal("3000"),
        jurisdiction=areas["district"],
    )
    from django.apps import apps

    m.forwards(apps, None)
    cam = CatalogItem.objects.get(code="security_cameras", jurisdiction=None)
    assert cam.tier == "basic" and cam.funding_sources == m.PUBLIC
    assert cam.source == SOURCES["security_cameras"]
    wall = CatalogItem.objects.get(code="stairwell_wall_paint", jurisdiction=None)
    assert wall.tier == "enhancement" and wall.source  # edited tier kept, source added
    local.refresh_from_db()
    assert local.tier == "improvement"  # a jurisdiction's own item is its own


def test_residents_pay_nothing_for_basic_items_where_the_rules_say_so(db):
    items = {i.code: i for i in CatalogItem.objects.filter(jurisdiction=None, year=None)}
    lines = [
        CostLine(items[c].tier, Decimal(q), items[c].unit_cost)
        for c, q in [
            ("security_cameras", 12),
            ("waste_sorting_station", 2),
            ("stair_handrail_repair", 150),
            ("unit_fire_equipment", 8),
        ]
    ]
    # The demo's rule: residents contribute towards 完善类 and 提升类 only.
    rules = FundingRules(
        central_per_m2={"basic": Decimal("60"), "improvement": Decimal("30")},
        provincial_per_m2={"basic": Decimal("30")},
        resident_per_m2=Decimal("5"),
        resident_tiers=["improvement", "enhancement"],
        resident_cap_share=Decimal("0.5"),
    )
    facts = FundingFacts(floor_area=Decimal("20000"), households=200)
    by_tier = cost_by_tier(lines)
    assert set(by_tier) == {"basic"}
    shares = {s.source: s.amount for s in split_funding(by_tier, facts, rules)}
    assert shares.get("resident", Decimal(0)) == 0
    assert sum(shares.values()) == sum(by_tier.values())
    # The same items filed as 完善类 (as before) would have charged residents.
    old = cost_by_tier([CostLine("improvement", ln.quantity, ln.unit_cost) for ln in lines])
    old_shares = {s.source: s.amount for s in split_funding(old, facts, rules)}
    assert old_shares["resident"] > 0
