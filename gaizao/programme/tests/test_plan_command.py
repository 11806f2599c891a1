"""`gaizao plan --instance FILE.json`: output, and malformed instances."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from gaizao.programme.optimiser import InstanceError, instance_from_dict

GOOD = {
    "periods": [
        {
            "id": "2020上",
            "area_target_m2": 150,
            "budget_yuan": 300,
            "weight": 1.0,
            "household_cap_extension": None,
        },
        {
            "id": "2020下",
            "area_target_m2": None,
            "budget_yuan": 200,
            "weight": 0.8,
            "household_cap_extension": 50,
        },
    ],
    "compounds": [
        {
            "id": "翠湖小区",
            "area_m2": 100,
            "households": 40,
            "cost_yuan": 150,
            "score": 80,
            "street": "拓东",
            "cluster": None,
            "extension": False,
            "locked_period": None,
        },
        {
            "id": "金星小区",
            "area_m2": 100,
            "households": 30,
            "cost_yuan": 150,
            "score": 60,
            "street": "拓东",
            "cluster": None,
            "extension": True,
            "locked_period": None,
        },
        {
            "id": "北京路1号",
            "area_m2": 100,
            "households": 30,
            "cost_yuan": 150,
            "score": 20,
            "street": None,
            "cluster": None,
            "extension": False,
            "locked_period": "2020下",
        },
    ],
    "max_concurrent_per_street": 2,
}


def run(tmp_path, data, *extra):
    f = tmp_path / "inst.json"
    f.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    out = io.StringIO()
    call_command("plan", "--instance", str(f), *extra, stdout=out)
    return json.loads(out.getvalue())


def test_plan_prints_the_result(tmp_path):
    res = run(tmp_path, GOOD, "--time-limit", "5")
    assert set(res) >= {
        "assignment",
        "objective",
        "bound",
        "gap",
        "seconds",
        "status",
        "shortfalls",
    }
    assert res["assignment"] == {"翠湖小区": "2020上", "金星小区": "2020上", "北京路1号": "2020下"}
    assert res["objective"] == pytest.approx(80 + 60 + 0.8 * 20)
    assert res["status"] == "optimal" and res["bound"] >= res["objective"]
    assert res["shortfalls"] == []


@pytest.mark.parametrize(
    "mutate, field",
    [
        (lambda d: d["compounds"][1].update(area_m2=-5), "compounds[1].area_m2"),
        (lambda d: d["compounds"][0].update(cost_yuan="很多"), "compounds[0].cost_yuan"),
        (lambda d: d["compounds"][2].update(locked_period="2031"), "compounds[2].locked_period"),
        (lambda d: d["compounds"][1].update(id="翠湖小区"), "compounds[1].id"),
        (lambda d: d["periods"][0].pop("weight"), "periods[0].weight"),
        (lambda d: d["periods"][1].update(budget_yuan=[1]), "periods[1].budget_yuan"),
        (lambda d: d.update(max_concurrent_per_street=1.5), "max_concurrent_per_street"),
        (lambda d: d.update(periods=[]), "periods"),
        (lambda d: d["compounds"][0].update(households=2.5), "compounds[0].households"),
        (lambda d: d["compounds"][0].update(extension="yes"), "compounds[0].extension"),
    ],
)
def test_malformed_instance_names_the_field(tmp_path, mutate, field):
    data = json.loads(json.dumps(GOOD))
    mutate(data)
    with pytest.raises(InstanceError) as e:
        instance_from_dict(data)
    msg = str(e.value)
    assert field in msg and "\n" not in msg and msg.startswith("实例无效")
    with pytest.raises(CommandError) as ce:
        run(tmp_path, data)
    assert ce.value.returncode == 2 and field in str(ce.value)


def test_cluster_locked_to_two_periods_is_malformed():
    data = json.loads(json.dumps(GOOD))
    data["compounds"][0].update(cluster="片区", locked_period="2020上")
    data["compounds"][1].update(cluster="片区", locked_period="2020下")
    with pytest.raises(InstanceError, match="片区"):
        instance_from_dict(data)


def test_bad_file_and_bad_json(tmp_path):
    with pytest.raises(CommandError, match="找不到实例文件") as e:
        call_command("plan", "--instance", str(tmp_path / "none.json"))
    assert e.value.returncode == 2
    bad = tmp_path / "bad.json"
    bad.write_text("{periods: 1", encoding="utf-8")
    with pytest.raises(CommandError, match="不是有效的 JSON（第 1 行"):
        call_command("plan", "--instance", str(bad))


@pytest.mark.django_db
def test_database_mode_says_it_is_not_there_yet():
    with pytest.raises(CommandError, match="--instance") as e:
        call_command("plan", "盘龙2020")
    assert e.value.returncode == 2
    assert "\n" not in str(e.value)


def test_explain_says_why_in_or_out(tmp_path):
    data = json.loads(json.dumps(GOOD))
    data["compounds"].append(
        {
            "id": "贵小区",
            "area_m2": 10,
            "households": 5,
            "cost_yuan": 290,
            "score": 1,
            "street": None,
            "cluster": None,
            "extension": False,
            "locked_period": None,
        }
    )
    res = run(tmp_path, data, "--explain")
    ex = res["explanations"]
    assert set(ex) == {"翠湖小区", "金星小区", "北京路1号", "贵小区"}
    assert ex["北京路1号"]["status"] == "locked" and "锁定" in ex["北京路1号"]["text"]
    assert ex["翠湖小区"]["status"] == "in" and ex["翠湖小区"]["period"] == "2020上"
    assert ex["贵小区"]["status"] == "out" and ex["贵小区"]["period"] is None
    assert "未入选" in ex["贵小区"]["text"]
    assert ex["贵小区"]["price"] >= ex["贵小区"]["worth"] or "边际" in ex["贵小区"]["text"]
