"""The transition table (permissions.TRANSITIONS) as a matrix of
role × state × action, through the API: 200 done, 403 not this role's to do,
400 not in this state, 404 not visible. The expectations are written out
here by hand, not derived from the table under test."""

import pytest
from django.utils import timezone

from gaizao import testing
from gaizao.feedback.models import Feedback, FeedbackEvent, ResponsibleParty
from gaizao.feedback.services import route

STATES = ["open", "accepted", "fixed", "confirmed", "reopened"]
ACTIONS = ["accept", "fix", "confirm", "reopen"]
FROM = {
    "accept": {"open", "reopened"},
    "fix": {"accepted"},
    "confirm": {"fixed"},
    "reopen": {"fixed"},
}

# Who may do what on a construction item of compound_a, reported online by
# resident_a and routed to the contractor: "handle" = accept/fix,
# "answer" = confirm/reopen; "none" = sees it but may do neither; 404 = invisible.
ONLINE = {
    "admin": {"handle", "answer_no"},
    "district": {"handle"},
    "bureau": {"handle"},
    "street_jinchen": {"handle"},
    "community_tianxiang": {"handle"},
    "contractor": {"handle"},
    "property_company": set(),  # sees the compound, not responsible for construction
    "owners_committee": set(),
    "surveyor": set(),
    "resident_a": {"answer"},
    "neighbour": set(),
    "street_qingyun": None,
    "community_yunshan": None,
    "resident_b": None,
    "norole": None,
}
# The same item recorded by the community for a resident without an account:
# jurisdiction staff may also record the resident's answer.
ASSISTED = {
    "district": {"handle", "answer"},
    "street_jinchen": {"handle", "answer"},
    "community_tianxiang": {"handle", "answer"},
    "contractor": {"handle"},
    "property_company": set(),
    "surveyor": set(),
    "resident_a": set(),
    "street_qingyun": None,
}


def expected(perm, state, action):
    if perm is None:
        return 404
    kind = "handle" if action in ("accept", "fix") else "answer"
    if kind == "answer" and "answer_no" in perm:
        return 403  # even a superuser does not answer for a resident online
    if kind not in perm:
        return 403
    return 200 if state in FROM[action] else 400


@pytest.fixture
def world(cast, users):
    users = dict(users)
    users["neighbour"] = testing.make_user("neighbour", "resident", unit=cast["units_a"][1])
    ResponsibleParty.objects.create(
        compound=cast["compound_a"],
        kind="contractor",
        organisation=users["contractor"].organisation,
    )
    return users


def make(cast, users, state, *, assisted=False):
    a = cast["compound_a"]
    fb = Feedback.objects.create(
        compound=a,
        reporter=None if assisted else users["resident_a"],
        unit=None if assisted else cast["units_a"][0],
        assisted=assisted,
        recorded_by=users["community_tianxiang"] if assisted else users["resident_a"],
        reporter_name="李奶奶" if assisted else "",
        category="construction_quality",
        text="裂缝",
        status=state,
        responsible_org=route(a, "construction_quality"),
        due_on=timezone.localdate(),
        fixed_at=timezone.now() if state == "fixed" else None,
    )
    return fb


@pytest.mark.parametrize("assisted", [False, True], ids=["online", "assisted"])
def test_transition_matrix(cast, world, client_for, assisted):
    table = ASSISTED if assisted else ONLINE
    failures = []
    clients = {name: client_for(world[name]) for name in table}
    for state in STATES:
        for action in ACTIONS:
            for name, perm in table.items():
                fb = make(cast, world, state, assisted=assisted)
                # an objection recorded for a resident names the household
                data = {"unit_id": cast["units_a"][1].pk} if assisted else {}
                r = clients[name].post(
                    f"/api/v1/feedback/{fb.pk}/{action}", content_type="application/json", data=data
                )
                want = expected(perm, state, action)
                if r.status_code != want:
                    failures.append(f"{name} {action} @{state}: {r.status_code} ≠ {want}")
                fb.refresh_from_db()
                if want == 200:
                    assert "error" not in r.json()
                    assert fb.events.filter(action=action).count() == 1
                else:
                    assert "error" in r.json(), (name, action, state)
                    assert fb.status == state  # nothing changed
                    assert not FeedbackEvent.objects.filter(feedback=fb).exists()
    assert not failures, "\n".join(failures)
