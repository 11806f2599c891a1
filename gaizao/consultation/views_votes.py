"""Vote pages (业主表决): create, open, ballots (online, paper, assisted),
conflicts, close and tally, publish, objections, the result certificate."""

from decimal import ROUND_HALF_UP, Decimal

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gaizao.core import throttle
from gaizao.core.errors import DomainError
from gaizao.inventory.permissions import get_compound_for_user

from . import selectors, selectors_pages, services
from . import tally as T
from .forms import (
    BallotEntryForm,
    ChoiceForm,
    ConflictResolveForm,
    ObjectionForm,
    ObjectionReplyForm,
    OverturnForm,
    RetallyForm,
    VoteForm,
    now_local_str,
)
from .models import Choice, Objection, Vote
from .permissions import can_do, get_vote_for_user, is_resident, is_staff_user
from .views import _need, resident_required, staff_required


def household_share(proposal: dict, area) -> Decimal | None:
    """What this household pays under the proposal: the residents' share of
    the cost split by exclusive area (the plans app stores both totals)."""
    try:
        total = Decimal(str(proposal["resident_total"]))
        area_total = Decimal(str(proposal["area_total"]))
    except (KeyError, TypeError, ArithmeticError, ValueError):
        return None
    if area is None or not area_total:
        return None
    return (total * Decimal(area) / area_total).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _rule_context(vote):
    rs, th = T.rule_for(vote.law, vote.matter)
    return {
        "rule_text": T.describe_rule(vote.law, vote.matter),
        "rule_set": rs,
        "threshold": th,
        "law_label": _(T.LAW_LABELS[vote.law]),
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
            messages.success(request, _("表决已建立(草稿)。核对后点击“开启表决”。"))
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
        mine = selectors_pages.unit_ballot(vote, request.user.unit_id)
        unit = selectors_pages.resident_unit(request.user)
        ctx.update(
            mine=mine,
            # An owner may change their own online ballot until the close.
            can_cast=vote.accepts_online() and (mine is None or mine.channel == "online"),
            proposal=vote.proposal or None,
            household_pays=household_share(vote.proposal, unit.exclusive_area if unit else None),
            choices=Choice.choices,
            # A resident sees their own objections and the replies to them.
            objections=selectors.objections(vote, raised_by=request.user),
        )
        return render(request, "consultation/vote_resident.html", ctx)
    staff_ctx = _staff_vote_context(request, vote)
    ctx.update(staff_ctx)
    return render(request, "consultation/vote_staff.html", ctx)


def _staff_vote_context(request, vote, form=None):
    objections = list(selectors.objections(vote))
    return {
        "counts": selectors.vote_counts(vote),
        "conflicts": selectors.open_conflicts(vote),
        "resolved_conflicts": selectors_pages.resolved_conflicts(vote),
        "objections": objections,
        "upheld": any(o.state == Objection.State.UPHELD for o in objections),
        "reply_states": [
            (s.value, s.label) for s in Objection.State if s != Objection.State.PENDING
        ],
        "can_manage": can_do(request.user, "vote.manage"),
        "can_enter": can_do(request.user, "ballot.enter"),
        "can_reply": can_do(request.user, "objection.reply"),
        "can_overturn": can_do(request.user, "vote.overturn"),
        "buildings": selectors_pages.vote_buildings(vote)
        if vote.status in (Vote.Status.OPEN, Vote.Status.PUBLISHED)
        else [],
        "entered_n": selectors.entered_by_count(vote, request.user),
        "entry_form": form or BallotEntryForm(),
        "closable": vote.status == Vote.Status.OPEN and timezone.now() >= vote.closes_at,
    }


def _staff_user_required(request):
    """Staff-only actions answer 404 (not visible) or 403 (visible, not
    allowed) through get_vote_for_user; a signed-out user goes to login."""
    if not request.user.is_authenticated:
        return redirect(f"{reverse('accounts:login')}?next={request.path}")
    return None


@resident_required
@require_POST
@throttle.per_household
def ballot(request, pk):
    vote = get_vote_for_user(request.user, pk)
    unit = selectors_pages.resident_unit(request.user)
    form = ChoiceForm(request.POST)
    form.is_valid()
    try:
        services.ballot_cast(
            actor=request.user, vote=vote, unit=unit, choice=form.cleaned_data.get("choice", "")
        )
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("表决成功,谢谢您的参与!截止前您可以修改。"))
    return redirect("consultation:vote_detail", pk=vote.pk)


def _entry_unit(vote, d):
    """The unit a paper sheet is for: the one picked in the search results,
    else the one the typed house number means (DomainError if none or
    several)."""
    if d.get("unit"):
        unit = selectors_pages.vote_unit(vote, d["unit"])
        if unit is None:
            raise DomainError(_("该房屋不属于本小区"))
        return unit
    return selectors.resolve_unit(vote, d.get("q") or "", building_id=d.get("building"))


@staff_required
@require_POST
def ballot_enter(request, pk):
    """Staff enter a paper ballot (with the sheet photo) or act for a resident
    (assisted). With htmx the entry panel is re-rendered in place, emptied
    and focused for the next sheet (building and channel kept)."""
    vote = get_vote_for_user(request.user, pk, action="ballot.enter")
    form = BallotEntryForm(request.POST, request.FILES)
    ok_msg = error = None
    if form.is_valid():
        d = form.cleaned_data
        try:
            unit = _entry_unit(vote, d)
            services.ballot_cast(
                actor=request.user,
                vote=vote,
                unit=unit,
                choice=d["choice"],
                channel=d["channel"],
                sheet_photo=d["sheet_photo"],
                witness=d["witness"],
            )
        except DomainError as e:
            error = e.message
        else:
            ok_msg = _("已录入 %(building)s%(unit)s:%(choice)s") % {
                "building": unit.building.number,
                "unit": unit,
                "choice": Choice(d["choice"]).label,
            }
            form = BallotEntryForm(initial={"channel": d["channel"], "building": d["building"]})
    else:
        error = "; ".join(str(e) for errs in form.errors.values() for e in errs)
    if request.htmx:
        ctx = {
            "vote": vote,
            "ok_msg": ok_msg,
            "error": error,
            **_staff_vote_context(request, vote, form),
        }
        return render(request, "consultation/partials/_ballot_entry.html", ctx)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, ok_msg)
    return redirect(reverse("consultation:vote_detail", args=[vote.pk]) + "#ballot-entry")


@require_GET
def unit_search(request, pk):
    """htmx fragment: the units of the vote's compound matching a typed house
    number, each flagged if it already has a ballot."""
    if (resp := _staff_user_required(request)) is not None:
        return resp
    vote = get_vote_for_user(request.user, pk, action="ballot.enter")
    building = request.GET.get("building") or None
    if building is not None and not str(building).isdigit():
        building = None
    q = request.GET.get("q", "")
    units, exact = selectors.unit_search(vote, q, building_id=building)
    # One exact match without a ballot is picked already: type, choose, Enter.
    pick = exact[0].pk if len(exact) == 1 and not exact[0].has_ballot else None
    return render(
        request,
        "consultation/partials/_unit_matches.html",
        {"vote": vote, "units": units, "q": q.strip(), "pick": pick},
    )


ACTIONS = {
    "open": services.vote_open,
    "close": services.vote_close,
    "publish": services.vote_publish,
}
DONE = {
    "open": gettext_lazy("表决已开启"),
    "close": gettext_lazy("已计票"),
    "publish": gettext_lazy("表决结果已公示"),
}


@staff_required
@require_POST
def vote_action(request, pk, action):
    vote = get_vote_for_user(request.user, pk, action="vote.manage")
    fn = ACTIONS.get(action)
    if fn is None:
        messages.error(request, _("未知操作"))
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
    conflict = selectors_pages.vote_conflict(vote, cid)
    form = ConflictResolveForm(request.POST, request.FILES)
    form.is_valid()
    d = form.cleaned_data
    if conflict is None:
        messages.error(request, _("重复表决票不存在"))
    else:
        try:
            services.conflict_resolve(
                actor=request.user,
                conflict=conflict,
                resolution=d.get("resolution", ""),
                reason=d.get("reason", ""),
                evidence=d.get("evidence"),
            )
        except DomainError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, _("已处理重复表决票"))
    return redirect(reverse("consultation:vote_detail", args=[vote.pk]) + "#conflicts")


@require_POST
def objection(request, pk):
    if not request.user.is_authenticated:
        return redirect("consultation:enter_code")
    vote = get_vote_for_user(request.user, pk)
    form = ObjectionForm(request.POST)
    form.is_valid()
    try:
        services.objection_add(
            actor=request.user, vote=vote, text=form.cleaned_data.get("text", "")
        )
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("异议已提交,工作人员将予以答复"))
    return redirect(reverse("consultation:vote_detail", args=[vote.pk]) + "#objections")


def certificate(request, pk):
    """A4 result certificate (表决结果证明): no personal data."""
    if not request.user.is_authenticated:
        return redirect("consultation:enter_code")
    vote = get_vote_for_user(request.user, pk)
    if vote.status not in (Vote.Status.CLOSED, Vote.Status.PUBLISHED) or not vote.result:
        messages.error(request, _("表决尚未计票,没有结果证明"))
        return redirect("consultation:vote_detail", pk=vote.pk)
    if vote.status == Vote.Status.CLOSED and not is_staff_user(request.user):
        messages.error(request, _("结果公示后才能查看结果证明"))
        return redirect("consultation:vote_detail", pk=vote.pk)
    return render(
        request,
        "consultation/certificate.html",
        {
            "vote": vote,
            "r": vote.result,
            "objections_n": selectors_pages.objections_count(vote),
            # The {% now %} tag takes a literal format only: the date is
            # passed in and formatted with the translated "date format".
            "today": timezone.localdate(),
            **_rule_context(vote),
        },
    )


def _back(vote, anchor="objections"):
    return redirect(reverse("consultation:vote_detail", args=[vote.pk]) + f"#{anchor}")


@require_POST
def objection_reply(request, pk, oid):
    if (resp := _staff_user_required(request)) is not None:
        return resp
    vote = get_vote_for_user(request.user, pk, action="objection.reply")
    o = selectors_pages.vote_objection(vote, oid)
    if o is None:
        raise Http404(_("异议不存在"))
    form = ObjectionReplyForm(request.POST)
    form.is_valid()
    try:
        services.objection_reply(
            actor=request.user,
            objection=o,
            reply=form.cleaned_data.get("reply", ""),
            state=form.cleaned_data.get("state", ""),
        )
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("已答复异议"))
    return _back(vote)


@require_POST
def vote_overturn(request, pk):
    if (resp := _staff_user_required(request)) is not None:
        return resp
    vote = get_vote_for_user(request.user, pk, action="vote.overturn")
    form = OverturnForm(request.POST)
    form.is_valid()
    try:
        services.vote_overturn(
            actor=request.user, vote=vote, reason=form.cleaned_data.get("reason", "")
        )
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("表决结果已撤销"))
    return _back(vote)


@require_POST
def vote_retally(request, pk):
    """Correct one unit's ballot after an upheld objection, and tally again."""
    if (resp := _staff_user_required(request)) is not None:
        return resp
    vote = get_vote_for_user(request.user, pk, action="vote.overturn")
    form = RetallyForm(request.POST, request.FILES)
    form.is_valid()
    d = form.cleaned_data
    try:
        unit = selectors.resolve_unit(vote, d.get("q", ""), building_id=d.get("building"))
        if "sheet_photo" in form.errors:
            raise DomainError(form.errors["sheet_photo"][0])
        services.vote_retally(
            actor=request.user,
            vote=vote,
            unit=unit,
            choice=d.get("choice", ""),
            reason=d.get("reason", ""),
            sheet_photo=d.get("sheet_photo"),
        )
    except DomainError as e:
        messages.error(request, e.message)
    else:
        vote.refresh_from_db()
        messages.success(
            request,
            (
                _("已更正并重新计票:通过。新的公示期至 %(end)s")
                if vote.passed
                else _("已更正并重新计票:未通过。新的公示期至 %(end)s")
            )
            % {"end": f"{timezone.localtime(vote.notice_ends_at):%Y-%m-%d %H:%M}"},
        )
    return _back(vote)
