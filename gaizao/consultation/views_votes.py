"""Vote pages (业主表决): create, open, ballots (online, paper, assisted),
conflicts, close and tally, publish, objections, the result certificate."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from gaizao.core.errors import DomainError
from gaizao.inventory.models import Unit
from gaizao.inventory.permissions import get_compound_for_user

from . import selectors, services
from . import tally as T
from .forms import BallotEntryForm, VoteForm, now_local_str
from .models import Ballot, BallotConflict, Choice, Vote
from .permissions import can_do, get_vote_for_user, is_resident, is_staff_user
from .views import _need, resident_required, staff_required


def _rule_context(vote):
    rs, th = T.rule_for(vote.law, vote.matter)
    return {
        "rule_text": T.describe_rule(vote.law, vote.matter),
        "rule_set": rs,
        "threshold": th,
        "law_label": T.LAW_LABELS[vote.law],
        "special": vote.matter in rs.special_matters,
    }


@staff_required
@require_http_methods(["GET", "POST"])
def vote_new(request, pk):
    compound = get_compound_for_user(request.user, pk)
    _need(request.user, "vote.manage")
    form = VoteForm(
        request.POST or None,
        initial={
            "opens_at": now_local_str(),
            "closes_at": now_local_str(14),
            "matter": 7,
            "notice_days": 7,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            v = services.vote_create(actor=request.user, compound=compound, **form.cleaned_data)
        except DomainError as e:
            form.add_error(None, e.message)
        else:
            messages.success(request, "表决已建立(草稿)。核对后点击“开启表决”。")
            return redirect("consultation:vote_detail", pk=v.pk)
    return render(
        request,
        "consultation/vote_new.html",
        {
            "compound": compound,
            "form": form,
            "matters": T.MATTERS,
            "rules": [(k, T.describe_rule(T.CIVIL_CODE, k)) for k in T.MATTERS],
        },
        status=400 if form.errors else 200,
    )


def vote_detail(request, pk):
    if not request.user.is_authenticated:
        return redirect("consultation:enter_code")
    vote = get_vote_for_user(request.user, pk)
    ctx = {"vote": vote, **_rule_context(vote)}
    if is_resident(request.user):
        mine = Ballot.objects.filter(vote=vote, unit_id=request.user.unit_id).first()
        ctx.update(
            mine=mine,
            can_cast=vote.accepts_online() and mine is None,
            choices=Choice.choices,
            objections=selectors.objections(vote),
        )
        return render(request, "consultation/vote_resident.html", ctx)
    staff_ctx = _staff_vote_context(request, vote)
    ctx.update(staff_ctx)
    return render(request, "consultation/vote_staff.html", ctx)


def _staff_vote_context(request, vote, form=None):
    units = (
        list(
            selectors.compound_units(vote.compound_id)
            .select_related("building")
            .order_by("building__number", "entrance", "number")
        )
        if vote.status == Vote.Status.OPEN
        else []
    )
    return {
        "counts": selectors.vote_counts(vote),
        "conflicts": selectors.open_conflicts(vote),
        "resolved_conflicts": BallotConflict.objects.filter(vote=vote)
        .exclude(resolution="")
        .select_related("unit__building", "resolved_by"),
        "objections": selectors.objections(vote),
        "can_manage": can_do(request.user, "vote.manage"),
        "can_enter": can_do(request.user, "ballot.enter"),
        "units": units,
        "entry_form": form or BallotEntryForm(),
        "closable": vote.status == Vote.Status.OPEN and timezone.now() >= vote.closes_at,
    }


@resident_required
@require_POST
def ballot(request, pk):
    vote = get_vote_for_user(request.user, pk)
    unit = Unit.objects.select_related("building").get(pk=request.user.unit_id)
    try:
        services.ballot_cast(
            actor=request.user, vote=vote, unit=unit, choice=request.POST.get("choice", "")
        )
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, "表决成功,谢谢您的参与!")
    return redirect("consultation:vote_detail", pk=vote.pk)


@staff_required
@require_POST
def ballot_enter(request, pk):
    """Staff enter a paper ballot (with the sheet photo) or act for a resident
    (assisted). With htmx the entry panel is re-rendered in place."""
    vote = get_vote_for_user(request.user, pk, action="ballot.enter")
    form = BallotEntryForm(request.POST, request.FILES)
    ok_msg = error = None
    if form.is_valid():
        d = form.cleaned_data
        unit = (
            Unit.objects.select_related("building")
            .filter(pk=d["unit"], building__compound_id=vote.compound_id)
            .first()
        )
        if unit is None:
            error = "该房屋不属于本小区"
        else:
            try:
                services.ballot_cast(
                    actor=request.user,
                    vote=vote,
                    unit=unit,
                    choice=d["choice"],
                    channel=d["channel"],
                    sheet_photo=d["sheet_photo"],
                )
            except DomainError as e:
                error = e.message
            else:
                ok_msg = f"已录入 {unit.building.number}{unit}:{Choice(d['choice']).label}"
                form = BallotEntryForm(initial={"channel": d["channel"]})
    else:
        error = "; ".join(str(e) for errs in form.errors.values() for e in errs)
    if request.headers.get("HX-Request"):
        ctx = {
            "vote": vote,
            "ok_msg": ok_msg,
            "error": error,
            **_staff_vote_context(request, vote, form if error else None),
        }
        return render(request, "consultation/partials/_ballot_entry.html", ctx)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, ok_msg)
    return redirect("consultation:vote_detail", pk=vote.pk)


ACTIONS = {
    "open": services.vote_open,
    "close": services.vote_close,
    "publish": services.vote_publish,
}
DONE = {"open": "表决已开启", "close": "已计票", "publish": "表决结果已公示"}


@staff_required
@require_POST
def vote_action(request, pk, action):
    vote = get_vote_for_user(request.user, pk, action="vote.manage")
    fn = ACTIONS.get(action)
    if fn is None:
        messages.error(request, "未知操作")
    else:
        try:
            fn(actor=request.user, vote=vote)
        except DomainError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, DONE[action])
    return redirect("consultation:vote_detail", pk=vote.pk)


@staff_required
@require_POST
def conflict_resolve(request, pk, cid):
    vote = get_vote_for_user(request.user, pk, action="vote.manage")
    conflict = BallotConflict.objects.filter(vote=vote, pk=cid).first()
    if conflict is None:
        messages.error(request, "重复表决票不存在")
    else:
        try:
            services.conflict_resolve(
                actor=request.user, conflict=conflict, resolution=request.POST.get("resolution", "")
            )
        except DomainError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, "已处理重复表决票")
    return redirect(reverse("consultation:vote_detail", args=[vote.pk]) + "#conflicts")


@require_POST
def objection(request, pk):
    if not request.user.is_authenticated:
        return redirect("consultation:enter_code")
    vote = get_vote_for_user(request.user, pk)
    try:
        services.objection_add(actor=request.user, vote=vote, text=request.POST.get("text", ""))
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, "异议已提交,工作人员将予以答复")
    return redirect(reverse("consultation:vote_detail", args=[vote.pk]) + "#objections")


def certificate(request, pk):
    """A4 result certificate (表决结果证明): no personal data."""
    if not request.user.is_authenticated:
        return redirect("consultation:enter_code")
    vote = get_vote_for_user(request.user, pk)
    if vote.status not in (Vote.Status.CLOSED, Vote.Status.PUBLISHED) or not vote.result:
        messages.error(request, "表决尚未计票,没有结果证明")
        return redirect("consultation:vote_detail", pk=vote.pk)
    if vote.status == Vote.Status.CLOSED and not is_staff_user(request.user):
        messages.error(request, "结果公示后才能查看结果证明")
        return redirect("consultation:vote_detail", pk=vote.pk)
    return render(
        request,
        "consultation/certificate.html",
        {
            "vote": vote,
            "r": vote.result,
            "objections_n": vote.objections.count(),
            **_rule_context(vote),
        },
    )
