"""以管定建: the manager must fit the management model and belong to the
compound's district; the form offers only such organisations."""

import pytest

from gaizao.core.errors import DomainError
from gaizao.regions.models import Area, Organisation
from gaizao.stewardship.models import ManagementArrangement
from gaizao.stewardship.services import arrangement_save
from gaizao.testing import make_org

K = Organisation.Kind


@pytest.fixture
def orgs(cast, areas):
    other = Area.objects.create(
        code="530102000000", name="五华区", level="district", parent=areas["city"]
    )
    return {
        "pc": cast["property_company"],  # 甲物业公司, 金辰街道
        "rights": make_org("乙产权单位", K.PROPERTY_RIGHTS_UNIT, areas["district"]),
        "oc": make_org("天祥小区业委会2", K.OWNERS_COMMITTEE, areas["tianxiang"]),
        "cc": make_org("天祥社区居委会", K.COMMUNITY_COMMITTEE, areas["tianxiang"]),
        "far_pc": make_org("五华物业公司", K.PROPERTY_COMPANY, other),
        "nowhere_pc": make_org("无区划物业", K.PROPERTY_COMPANY, None),
        "contractor": make_org("丙施工单位", K.CONTRACTOR, areas["district"]),
    }


@pytest.mark.parametrize(
    "model,org",
    [
        ("property_company", "pc"),
        ("property_rights_unit", "rights"),
        ("self_governance", "oc"),
        ("community_trustee", "cc"),
        ("state_owned", "rights"),
    ],
)
def test_fitting_manager_accepted(cast, users, orgs, model, org):
    arr = arrangement_save(
        actor=users["bureau"],
        compound=cast["compound_a"],
        data={"model": model, "manager": orgs[org].pk, "rules_adopted": True},
    )
    assert arr.manager == orgs[org]


@pytest.mark.parametrize(
    "model,org,message",
    [
        (
            "property_company",
            "rights",
            "管理单位“乙产权单位”是产权单位,不能按“物业服务企业”模式管理小区(应为:物业服务企业)",
        ),
        ("property_rights_unit", "pc", "不能按“产权单位管理”模式"),
        ("self_governance", "pc", "应为:业主委员会"),
        ("community_trustee", "oc", "应为:社区居委会"),
        ("property_company", "contractor", "是施工单位"),
        (
            "property_company",
            "far_pc",
            "管理单位“五华物业公司”不在天祥小区所在的盘龙区,请选择本区登记的单位",
        ),
        ("property_company", "nowhere_pc", "不在天祥小区所在的盘龙区"),
    ],
)
def test_unfitting_manager_refused(cast, users, orgs, model, org, message):
    with pytest.raises(DomainError) as e:
        arrangement_save(
            actor=users["bureau"],
            compound=cast["compound_a"],
            data={"model": model, "manager": orgs[org].pk},
        )
    assert message in e.value.message
    assert not ManagementArrangement.objects.exists()


def test_self_governance_by_name_only(cast, users, orgs):
    arr = arrangement_save(
        actor=users["bureau"],
        compound=cast["compound_a"],
        data={"model": "self_governance", "manager_name": "天祥小区居民自管小组"},
    )
    assert arr.manager_label == "天祥小区居民自管小组"


def test_form_offers_only_fitting_organisations_of_the_district(cast, users, orgs, client_for):
    a = cast["compound_a"]
    c = client_for(users["community_tianxiang"])
    body = c.get(f"/stewardship/compound/{a.pk}/").content.decode()
    for k in ("pc", "rights", "oc", "cc"):
        assert f'value="{orgs[k].pk}"' in body
    for k in ("far_pc", "nowhere_pc", "contractor"):
        assert f'value="{orgs[k].pk}"' not in body
    assert "物业服务企业(适用于:物业服务企业、国有企业兜底管理)" in body
    # and through the page, a refusal names the problem and keeps nothing
    r = c.post(
        f"/stewardship/compound/{a.pk}/",
        {"model": "community_trustee", "manager": orgs["pc"].pk, "rules_adopted": "on"},
    )
    assert r.status_code == 400
    assert "不能按“社区托管”模式管理小区" in r.content.decode()
    assert not ManagementArrangement.objects.exists()
    # the API gives the same message
    r = c.put(
        f"/api/v1/compounds/{a.pk}/management",
        {"model": "property_company", "manager_id": orgs["far_pc"].pk},
        content_type="application/json",
    )
    assert r.status_code == 400 and "不在天祥小区所在的盘龙区" in r.json()["error"]
