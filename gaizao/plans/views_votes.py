"""Plan pages for the owners' decision: put a version to the owners' vote
(the vote carries the proposal), and confirm, as a second person, that a new
version rests on the previous version's vote within the tolerance."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gaizao.consultation import selectors as consultation_selectors
from gaizao.consultation.forms import local_input
from gaizao.core.errors import DomainError

from . import selectors_votes, services
from .forms import PlanVoteForm, VoteReuseForm
from .models import PlanStatus
from .permissions import can_do, get_plan_for_user


def vote_context(plan, user) -> dict:
    """The owners' decision panel of the plan page."""
    open_ = plan.status in (PlanStatus.DRAFT, PlanStatus.CONSULTED) and bool(plan.compound_id)
    ctx = {
        "can_start_vote": open_ and can_do(user, "plan.consult"),
        "plan_votes": list(consultation_selectors.plan_votes(plan.pk, 7)[:5])
        if plan.compound_id
        else [],
        "vote_reuse": selectors_votes.plan_vote_reuse(plan),
        "reuse_vote": None,
        "reuse_problems": [],
        "can_confirm_reuse": False,
    }
    if open_ and not any(v.passed for v in ctx["plan_votes"]):
        prev = selectors_votes.previous_vote(plan)
        if prev is not None:
            ctx["reuse_vote"] = prev
            ctx["reuse_problems"] = selectors_votes.reuse_problems(plan, prev)
            ctx["can_confirm_reuse"] = (
                can_do(user, "plan.approve") and plan.created_by_id != user.pk
            )
            ctx["reuse_form"] = VoteReuseForm()
    return ctx


@login_required
@require_http_methods(["GET", "POST"])
def plan_vote_new(request, pk):
    plan = get_plan_for_user(request.user, pk, action="plan.consult")
    # The owners' meeting rules: the notice goes out days before the vote opens.
    rules = consultation_selectors.vote_rules_for(plan.compound) if plan.compound_id else None
    start = timezone.now() + timedelta(days=rules.notice_days_before if rules else 15)
    form = PlanVoteForm(
        request.POST or None,
        initial={
            "opens_at": local_input(start),
            "closes_at": local_input(
                start + timedelta(days=max(rules.min_voting_days, 14) if rules else 14)
            ),
            "notice_days": 7,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            vote = services.plan_vote_start(actor=request.user, plan=plan, **form.cleaned_data)
        except DomainError as e:
            form.add_error(None, e.message)
        else:
            messages.success(request, _("已建立业主表决(草稿),核对后在表决页开启"))
            return redirect("consultation:vote_detail", pk=vote.pk)
    return render(
        request,
        "plans/plan_vote_new.html",
        {"plan": plan, "form": form, "rules": rules},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def plan_vote_reuse(request, pk):
    plan = get_plan_for_user(request.user, pk, action="plan.approve")
    form = VoteReuseForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors["reason"][0])
        return redirect("plans:plan_detail", plan.pk)
    try:
        services.plan_vote_reuse_confirm(
            actor=request.user, plan=plan, reason=form.cleaned_data["reason"]
        )
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("已确认本版方案沿用上一版业主表决"))
    return redirect("plans:plan_detail", plan.pk)
