"""Consultation tests: most scenarios open a vote at once (opens_at in the
past) to exercise ballots, tallies and objections. The jurisdiction of the
cast gets vote rules without a notice period for them; the notice period
and the minimum voting period have their own tests (test_vote_rules.py),
which remove these rules or set their own."""

import pytest

from gaizao.consultation.models import VoteRules


@pytest.fixture(autouse=True)
def _no_notice_period(request, db):
    if "default_vote_rules" in request.fixturenames:
        return
    if "areas" not in request.fixturenames:
        return
    areas = request.getfixturevalue("areas")
    VoteRules.objects.update_or_create(
        area=areas["district"], defaults={"notice_days_before": 0, "min_voting_days": 1}
    )


@pytest.fixture
def default_vote_rules():
    """Marker: keep the defaults (15 days' notice, 7 days' voting)."""
