"""A compound is typed by name with suggestions, never chosen from a list of
every compound (STYLE.md habit 18; issue 14): the suggestion endpoint stays
within the user's scope and returns at most 20; forged or out-of-scope values
get a Chinese message; the pages that ask for a compound do not grow."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gaizao import testing
from gaizao.feedback.models import Feedback
from gaizao.inventory.picking import SUGGEST_LIMIT

SUGGEST = reverse("inventory:compound_suggest")
PAGES = [
    ("bureau", reverse("inventory:import")),
    ("community_tianxiang", reverse("consultation:feedback_new")),
    ("street_jinchen", reverse("consultation:satisfaction_list")),
]


def test_suggestions_within_scope_and_at_most_twenty(client_for, cast, areas, users):
    for i in range(SUGGEST_LIMIT + 5):
        testing.make_compound(areas["jinchen"], f"天祥新村{i:02d}")
    r = client_for(users["street_jinchen"]).get(SUGGEST, {"q": "天祥"})
    rows = r.json()["results"]
    assert len(rows) == SUGGEST_LIMIT
    # the name that starts with the text first; labels are 街道·名称
    assert rows[0]["label"] == "金辰街道·天祥小区"
    # another street's user sees none of them
    assert client_for(users["street_qingyun"]).get(SUGGEST, {"q": "天祥"}).json() == {"results": []}
    assert client_for(users["street_qingyun"]).get(SUGGEST, {"q": "云山"}).json()["results"] == [
        {"id": cast["compound_b"].pk, "label": "青云街道·云山小区"}
    ]
    # street·name narrows to that street; blank asks for nothing
    r = client_for(users["bureau"]).get(SUGGEST, {"q": "青云·云山"})
    assert [x["id"] for x in r.json()["results"]] == [cast["compound_b"].pk]
    assert client_for(users["bureau"]).get(SUGGEST, {"q": " "}).json() == {"results": []}
    assert client_for(None).get(SUGGEST, {"q": "天"}).status_code == 302


@pytest.mark.parametrize("value", ["青云街道·云山小区", "云山小区", "999999", "不存在的小区"])
def test_out_of_scope_or_forged_compound_is_refused_with_a_message(client_for, cast, users, value):
    r = client_for(users["community_tianxiang"]).post(
        reverse("consultation:feedback_new"),
        {
            "compound": value,
            "reporter_name": "李奶奶",
            "category": "other",
            "text": "楼下积水",
        },
    )
    assert r.status_code in (200, 400)
    assert "不在可选范围内" in r.content.decode()
    assert not Feedback.objects.exists()


def test_typed_name_is_accepted_and_same_names_are_told_apart(client_for, cast, areas, users):
    testing.make_compound(areas["qingyun"], "天祥小区")
    bureau = client_for(users["bureau"])
    url = reverse("consultation:satisfaction_list")
    r = bureau.post(url, {"compound": "天祥小区"})
    assert "有同名小区" in r.content.decode() and "金辰街道·天祥小区" in r.content.decode()
    # 街道·名称 picks one (street and name are unique together): the service
    # then judges that compound (no accepted works yet)
    r = bureau.post(url, {"compound": "金辰街道·天祥小区"})
    assert "尚未通过竣工验收" in r.content.decode()
    # the import form takes the same typed value
    r = bureau.post(reverse("inventory:import"), {"kind": "units", "compound": "没有这个小区"})
    assert "导入到小区(房屋清册必选)“没有这个小区”不在可选范围内" in r.content.decode()


def _measure(client, url):
    with CaptureQueriesContext(connection) as q:
        r = client.get(url)
    assert r.status_code == 200
    return len(r.content), len(q)


def test_pages_asking_for_a_compound_do_not_grow(client_for, cast, areas, users):
    clients = {name: client_for(users[name]) for name, _url in PAGES}
    for name, _url in PAGES:  # warm: session, content types
        clients[name].get(_url)

    def sizes():
        return [_measure(clients[name], url) for name, url in PAGES]

    def add(start, stop):
        for i in range(start, stop):
            testing.make_compound(areas["jinchen"], f"加{i:03d}", community=areas["tianxiang"])

    add(0, 3)
    small = sizes()
    add(3, 30)
    assert sizes() == small
