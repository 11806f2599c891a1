"""demo_feedback.seed builds feedback in every state and a closed evaluation."""

from gaizao import testing
from gaizao.core.demo import DemoContext
from gaizao.feedback import demo as demo_feedback
from gaizao.feedback.models import Feedback, SatisfactionEvaluation, SatisfactionResponse


def test_demo_seed(cast, users, approved_a):
    for n in ("201", "202", "301", "302"):
        testing.make_unit(cast["building_a"], n)
    ctx = DemoContext(seed=7)
    ctx.shared["compounds"] = [cast["compound_a"], cast["compound_b"]]
    ctx.shared["demo_committee_compound"] = cast["compound_a"]
    demo_feedback.seed(ctx)
    assert set(Feedback.objects.values_list("status", flat=True)) == {
        "open",
        "accepted",
        "fixed",
        "confirmed",
        "reopened",
    }
    assert SatisfactionEvaluation.objects.filter(status="closed").count() == 1
    assert SatisfactionEvaluation.objects.filter(status="open").count() == 1
    assert SatisfactionResponse.objects.count() >= 1
    assert {lg.username for lg in ctx.logins} >= {"shigong_demo", "jumin_demo"}


def test_demo_seed_without_approved_plans_makes_no_evaluation(cast, users):
    # No approved plan, no evaluation.
    for n in ("201", "202", "301", "302"):
        testing.make_unit(cast["building_a"], n)
    ctx = DemoContext(seed=7)
    ctx.shared["compounds"] = [cast["compound_a"], cast["compound_b"]]
    ctx.shared["demo_committee_compound"] = cast["compound_a"]
    demo_feedback.seed(ctx)
    assert Feedback.objects.exists() and not SatisfactionEvaluation.objects.exists()
