"""`gaizao tally`: a paper tally sheet read as a system of record — owners by
ID or as a set of names, the developer only when named, strict marks, exact
areas in the SPC art. 8 order, the law's own item numbers and the law by the
closing date."""

import json
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse


def sheet(tmp_path, text, name="s.csv"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def run(path, *args):
    out = StringIO()
    call_command("tally", str(path), *args, stdout=out)
    return json.loads(out.getvalue())


def refused(path, capsys, *args):
    with pytest.raises(CommandError) as e:
        call_command("tally", str(path), "--matter", "1", *args)
    return str(e.value), capsys.readouterr().err


def test_same_name_different_id_numbers_are_two_owners(tmp_path):
    p = sheet(
        tmp_path,
        "房号,业主,身份证号,专有部分面积,表决意见\n"
        "101,王芳,320102198001011234,80,同意\n"
        "102,王芳,320102199002025678,80,反对\n"
        "103,李明,32010219700303123x,80,同意\n"
        "104,李明,32010219700303123X,80,同意\n",
    )
    r = run(p, "--matter", "1")
    # Two 王芳 are two owners; 李明's two units (same ID, x/X) are one owner.
    assert r["owners_identified_by"] == "id"
    assert r["owners_total"] == 3 and r["owners_agreeing"] == 2


def test_co_owners_are_an_unordered_set(tmp_path):
    p = sheet(
        tmp_path,
        "房号,业主,专有部分面积,表决意见\n"
        "101,张三、李四,80,同意\n"
        "102,李四、张三,80,同意\n"
        "103,张三,80,反对\n",
    )
    r = run(p, "--matter", "1")
    # 张三、李四 == 李四、张三 (one owner of two units); 张三 alone is another owner.
    assert r["owners_identified_by"] == "name"
    assert r["owners_total"] == 2 and r["owners_agreeing"] == 1


def test_developer_only_when_named_never_by_substring(tmp_path, capsys):
    text = (
        "房号,业主,专有部分面积,表决意见\n"
        "101,盘龙房地产开发有限公司,100,反对\n"
        "102,盘龙房地产开发有限公司二部,100,反对\n"
        "103,某某软件开发有限公司,100,同意\n"
        "104,建设单位职工张伟,100,同意\n"
    )
    p = sheet(tmp_path, text)
    r = run(p, "--matter", "1")
    # No developer column and no --developer: four buyers, none merged.
    assert r["developer_units"] == 0 and r["owners_total"] == 4
    r = run(p, "--matter", "1", "--developer", "盘龙房地产开发有限公司")
    # Exactly the named owner: one unit; the software company stays a buyer.
    assert r["developer_units"] == 1 and r["owners_total"] == 4
    msg, _err = refused(p, capsys, "--developer", "盘龙开发")
    assert "没有名为“盘龙开发”的业主" in msg


def test_developer_by_explicit_column(tmp_path, capsys):
    p = sheet(
        tmp_path,
        "房号,业主,专有部分面积,表决意见,未售\n"
        "101,盘龙公司,100,同意,是\n"
        "102,盘龙公司二部,100,,是\n"
        "103,某某软件开发有限公司,100,反对,\n"
        "104,王五,100,同意,否\n",
    )
    r = run(p, "--matter", "1")
    # The two unsold units are ONE owner (解释 第九条), who agrees.
    assert r["developer_units"] == 2 and r["owners_total"] == 3
    assert r["owners_agreeing"] == 2
    bad = sheet(
        tmp_path,
        "房号,业主,专有部分面积,表决意见,未售\n101,甲,100,同意,也许\n",
        name="bad.csv",
    )
    msg, err = refused(bad, capsys)
    assert "1 处错误" in msg and "第2行“未售”列" in err


@pytest.mark.parametrize("mark", ["—", "-", "√", "×", "赞成", "不同意", "0"])
def test_marks_other_than_the_three_are_refused(tmp_path, capsys, mark):
    p = sheet(
        tmp_path,
        f"房号,专有部分面积,表决意见\n101,80,同意\n102,80,{mark}\n103,80,\n104,80, 弃权 \n",
    )
    msg, err = refused(p, capsys)
    assert "1 处错误" in msg
    assert f"第3行“表决意见”列: “{mark}”不是有效的表决意见" in err


def test_blank_and_the_three_marks(tmp_path):
    p = sheet(
        tmp_path, "房号,专有部分面积,表决意见\n101,80,同意\n102,80,反对\n103,80,\n104,80,弃权\n"
    )
    r = run(p, "--matter", "1")
    # The blank did not take part; the abstention did.
    assert r["owners_participating"] == 3 and r["owners_agreeing"] == 1


@pytest.mark.parametrize("area", ["约80", "80左右", "80余"])
def test_approximate_area_refused(tmp_path, capsys, area):
    p = sheet(tmp_path, f"房号,专有部分面积,表决意见\n101,80,同意\n102,{area},同意\n")
    msg, err = refused(p, capsys)
    assert f"第3行“专有部分面积”列: “{area}”是约数" in err


def test_area_order_registered_surveyed_contract(tmp_path, capsys):
    p = sheet(
        tmp_path,
        "房号,产权面积,实测面积,合同面积,表决意见\n"
        "101,80.5,81,82,同意\n"  # registered
        "102,,90,92,同意\n"  # not registered: surveyed
        "103,,,100,反对\n",  # neither: contract
    )
    r = run(p, "--matter", "1")
    assert r["area_total"] == 270.5
    assert r["area_sources"] == {"registered": 1, "surveyed": 1, "contract": 1}
    assert [(u["unit"], u["area"], u["area_source"]) for u in r["units"]] == [
        ("101", 80.5, "registered"),
        ("102", 90, "surveyed"),
        ("103", 100, "contract"),
    ]
    # A sheet with the surveyed column only is read, not refused.
    only = sheet(tmp_path, "房号,实测面积,表决意见\n101,75,同意\n", name="only.csv")
    assert run(only, "--matter", "1")["area_sources"]["surveyed"] == 1
    none = sheet(
        tmp_path, "房号,产权面积,实测面积,表决意见\n101,80,,同意\n102,,,同意\n", name="none.csv"
    )
    msg, err = refused(none, capsys)
    assert "第3行“产权面积”列: 没有面积" in err


def _sixty_percent(tmp_path):
    # 10 units of 100 m², 6 agree, 4 oppose: 60 % of all owners and area.
    rows = "".join(f"{i},业主{i},100,{'同意' if i <= 6 else '反对'}\n" for i in range(1, 11))
    return sheet(tmp_path, "房号,业主,面积,表决意见\n" + rows)


def test_property_law_uses_its_own_item_numbers(tmp_path, capsys):
    p = _sixty_percent(tmp_path)
    # A 2019 notice citing 第七十六条(七) (其他重大事项): 过半数 → passes.
    r = run(p, "--matter", "7", "--law", "property_law")
    assert r["passed"] is True and "过半数" in r["rule"]
    assert (
        r["matter_cited"] == "《物权法》第七十六条第一款第七项 有关共有和共同管理权利的其他重大事项"
    )
    # 第七十六条(五) (维修资金) and (六) (改建、重建): two thirds of the total → fails.
    for item in ("5", "6"):
        r = run(p, "--matter", item, "--law", "property_law")
        assert r["passed"] is False and "三分之二以上" in r["rule"]
    with pytest.raises(CommandError, match="只有第 1–7 项"):
        call_command("tally", str(p), "--matter", "8", "--law", "property_law")
    # Under the Civil Code item 7 is 改建、重建 at three quarters: fails.
    assert run(p, "--matter", "7")["passed"] is False


def test_law_by_closing_date_with_flag(tmp_path, capsys):
    p = _sixty_percent(tmp_path)
    r = run(p, "--matter", "9", "--opens", "2020-12-20", "--closes", "2021-01-10")
    assert r["law"] == "civil_code" and r["spans_2021"] is True
    assert "跨越 2021-01-01" in capsys.readouterr().err
    r = run(p, "--matter", "7", "--opens", "2020-12-01", "--closes", "2020-12-31")
    assert r["law"] == "property_law" and "spans_2021" not in r
    with pytest.raises(CommandError, match="以截止之日施行的法律为准"):
        call_command(
            "tally", str(p), "--matter", "7", "--law", "property_law", "--closes", "2021-01-10"
        )
    with pytest.raises(CommandError, match="日期“2021/13/01”无效"):
        call_command("tally", str(p), "--matter", "7", "--closes", "2021/13/01")


def test_web_sheet_check_shows_result_or_errors(client_for, cast):
    url = reverse("consultation:sheet_check", args=[cast["compound_a"].pk])
    c = client_for(cast["users"]["community_tianxiang"])
    assert c.get(url).status_code == 200

    def post(text, **extra):
        f = SimpleUploadedFile("s.csv", text.encode("utf-8"), content_type="text/csv")
        return c.post(url, {"sheet": f, "item": 7, **extra})

    rows = "".join(f"{i},业主{i},100,{'同意' if i <= 6 else '反对'}\n" for i in range(1, 11))
    r = post("房号,业主,实测面积,表决意见\n" + rows, law="property_law")
    body = r.content.decode()
    assert r.status_code == 200 and "表决通过" in body
    assert "《物权法》第七十六条第一款第七项" in body and "实测 10 户" in body
    r = post("房号,面积,表决意见\n101,约80,同意\n102,80,—\n")
    body = r.content.decode()
    assert r.status_code == 400 and "2 处错误" in body
    assert "第2行“面积”列: “约80”是约数" in body and "第3行“表决意见”列" in body
    r = post(rows, law="property_law", closes="2021-01-10")
    assert r.status_code == 400 and "以截止之日施行的法律为准" in r.content.decode()
    # Residents and viewers of other jurisdictions cannot use it.
    assert client_for(cast["users"]["resident_a"]).get(url).status_code == 302
    assert client_for(cast["users"]["community_yunshan"]).get(url).status_code == 404
    assert client_for(cast["users"]["surveyor"]).get(url).status_code == 403
