"""Draft votes (草稿): staff edit the wording and dates, or cancel with a
reason, before anything is announced (services.vote_update / vote_cancel)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gaizao.core.errors import DomainError

from . import services
from .forms import VoteCancelForm, VoteEditForm, local_input
from .models import Vote
from .permissions import get_vote_for_user
from .views import staff_required


@staff_required
@require_http_methods(["GET", "POST"])
def vote_edit(request, pk):
    vote = get_vote_for_user(request.user, pk, action="vote.manage")
    if vote.status != Vote.Status.DRAFT:
        messages.error(request, _("只有草稿状态的表决可以修改"))
        return redirect("consultation:vote_detail", pk=vote.pk)
    form = VoteEditForm(
        request.POST or None,
        initial={
            "title": vote.title,
            "description": vote.description,
            "opens_at": local_input(vote.opens_at),
            "closes_at": local_input(vote.closes_at),
            "notice_days": vote.notice_days,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.vote_update(actor=request.user, vote=vote, **form.cleaned_data)
        except DomainError as e:
            form.add_error(None, e.message)
        else:
            messages.success(request, _("已保存表决草稿"))
            return redirect("consultation:vote_detail", pk=vote.pk)
    return render(
        request,
        "consultation/vote_edit.html",
        {"vote": vote, "form": form, "cancel_form": VoteCancelForm()},
        status=400 if form.errors else 200,
    )


@staff_required
@require_POST
def vote_cancel(request, pk):
    vote = get_vote_for_user(request.user, pk, action="vote.manage")
    form = VoteCancelForm(request.POST)
    try:
        if not form.is_valid():
            raise DomainError(form.errors["reason"][0])
        services.vote_cancel(actor=request.user, vote=vote, reason=form.cleaned_data["reason"])
    except DomainError as e:
        messages.error(request, e.message)
        return redirect("consultation:vote_edit", pk=vote.pk)
    messages.success(request, _("表决草稿已取消"))
    return redirect("consultation:vote_detail", pk=vote.pk)
