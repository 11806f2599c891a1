"""Participation API (/api/v1/): household access, my compound, willingness
surveys and item menus, votes, ballots, results, objections. A thin second
interface over services.py and selectors.py; scoped like the pages."""

from django.contrib.auth import login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router
from ninja.files import UploadedFile

from gaizao.accounts.models import ApiToken, User
from gaizao.catalogue import selectors as catalogue_selectors
from gaizao.core import throttle
from gaizao.core.apikit import Key, PageQuery, cached_paged, page_schema
from gaizao.core.errors import DomainError
from gaizao.inventory.models import Unit
from gaizao.inventory.permissions import get_compound_for_user

# /participation/me reads the plan summary from plans (above consultation);
# it moves to the site app with the resident portal (issue 7).
from . import selectors, services
from . import tally as T
from .api_participation_schemas import (
    BallotIn,
    BallotOut,
    Error,
    MenuItemOut,
    ObjectionIn,
    ObjectionOut,
    OverturnIn,
    RedeemIn,
    RedeemOut,
    ReplyIn,
    ResponseIn,
    UnitMatchOut,
    VoteOut,
    WillingnessResponseOut,
    WillingnessSurveyOut,
)
from .client import BACKEND, client_ip
from .models import Ballot, Objection, Vote
from .permissions import (
    can_do,
    consultations_for_user,
    get_consultation_for_user,
    get_vote_for_user,
    is_resident,
    votes_for_user,
)

router = Router(tags=["consultation"])


@router.post(
    "/participation/redeem",
    auth=None,
    response={200: RedeemOut, 400: Error},
    summary="用入户码登录(返回 API 令牌并建立会话)",
)
def redeem(request, payload: RedeemIn):
    user = services.access_code_redeem(code=payload.code, ip=client_ip(request))
    login(request, user, backend=BACKEND)
    _token, raw = ApiToken.issue(user, "入户码")
    unit = Unit.objects.select_related("building__compound").get(pk=user.unit_id)
    return {
        "token": raw,
        "compound_id": unit.building.compound_id,
        "compound": unit.building.compound.name,
        "unit": f"{unit.building.number}{unit}",
    }


def _my_unit(request) -> Unit:
    if not is_resident(request.user):
        raise PermissionDenied(_("此接口供居民使用"))
    return Unit.objects.select_related("building__compound__street").get(pk=request.user.unit_id)


def _survey_out(c):
    return {
        "id": c.pk,
        "compound_id": c.compound_id,
        "title": c.title,
        "opens_at": c.opens_at,
        "closes_at": c.closes_at,
        "with_menu": c.with_menu,
        "is_open": c.is_open(),
    }


WillingnessSurveyPage = page_schema(WillingnessSurveyOut, "WillingnessSurveyPage")
VotePage = page_schema(VoteOut, "VotePage")


@router.get("/participation/surveys", response=WillingnessSurveyPage, summary="意愿征询列表")
def surveys(request, page: Query[PageQuery], compound_id: int | None = None):
    """The latest first; keyset pages (after/limit)."""
    qs = consultations_for_user(request.user)
    if compound_id is not None:
        qs = qs.filter(compound_id=compound_id)
    return cached_paged(
        request,
        WillingnessSurveyPage,
        qs,
        page,
        keys=[Key("opens_at", desc=True)],
        scope="surveys",
        out=_survey_out,
    )


@router.get(
    "/participation/surveys/{survey_id}/menu",
    response=list[MenuItemOut],
    summary="点单目录(含估算费用)",
)
def survey_menu(request, survey_id: int):
    c = get_consultation_for_user(request.user, survey_id)
    return catalogue_selectors.menu_items(c.compound) if c.with_menu else []


@router.post(
    "/participation/surveys/{survey_id}/response",
    response={200: WillingnessResponseOut, 400: Error},
    summary="提交或修改本户意愿和点单(工作人员可代填,传 unit_id)",
)
def survey_respond(request, survey_id: int, payload: ResponseIn):
    c = get_consultation_for_user(request.user, survey_id)
    if is_resident(request.user):
        unit, assisted = _my_unit(request), False
        if payload.unit_id not in (None, unit.pk):
            raise DomainError(_("只能为本户填写"))
    else:
        if not can_do(request.user, "ballot.enter"):
            raise PermissionDenied(_("您的角色无权代居民填写"))
        unit = (
            Unit.objects.select_related("building")
            .filter(pk=payload.unit_id or 0, building__compound_id=c.compound_id)
            .first()
        )
        if unit is None:
            raise DomainError(_("请指定本小区的房屋(unit_id)"))
        assisted = True
    r = services.consultation_respond(
        actor=request.user,
        consultation=c,
        unit=unit,
        willingness=payload.willingness,
        contribution_yuan=payload.contribution_yuan,
        contribution_per_m2=payload.contribution_per_m2,
        item_ids=payload.items,
        note=payload.note,
        assisted=assisted,
    )
    return {
        "id": r.pk,
        "unit_id": unit.pk,
        "willingness": r.willingness,
        "assisted": assisted,
        "items": list(r.choices.values_list("catalog_item_id", flat=True)),
    }


@router.get("/participation/surveys/{survey_id}/results", summary="意愿征询结果(汇总,无个人信息)")
def survey_results(request, survey_id: int):
    c = get_consultation_for_user(request.user, survey_id)
    s = selectors.consultation_summary(c)
    menu = selectors.menu_results_for(c) if c.with_menu else []
    return {
        "survey": _survey_out(c),
        "summary": s,
        "menu": [
            {k: m[k] for k in ("catalog_item_id", "code", "name", "households", "share")}
            for m in menu
        ],
    }


def _vote_out(v, request):
    mine = None
    if is_resident(request.user):
        mine = (
            Ballot.objects.filter(vote=v, unit_id=request.user.unit_id)
            .values_list("choice", flat=True)
            .first()
        )
    published = v.status == Vote.Status.PUBLISHED or not is_resident(request.user)
    return {
        "id": v.pk,
        "compound_id": v.compound_id,
        "matter": v.matter,
        "matter_name": T.MATTERS[v.matter],
        "title": v.title,
        "law": v.law,
        "rule": T.describe_rule(v.law, v.matter),
        "opens_at": v.opens_at,
        "closes_at": v.closes_at,
        "status": v.status,
        "passed": v.passed if published else None,
        "notice_ends_at": v.notice_ends_at,
        "overturned": v.overturned,
        "overturned_reason": v.overturned_reason,
        "my_choice": mine,
    }


@router.get("/votes", response=VotePage, summary="业主表决列表")
def votes(request, page: Query[PageQuery], compound_id: int | None = None):
    """The latest first; keyset pages (after/limit)."""
    qs = votes_for_user(request.user)
    if compound_id is not None:
        qs = qs.filter(compound_id=compound_id)
    return cached_paged(
        request,
        VotePage,
        qs,
        page,
        keys=[Key("opens_at", desc=True)],
        scope="votes",
        out=lambda v: _vote_out(v, request),
    )


@router.get("/votes/{vote_id}", response=VoteOut, summary="业主表决详情")
def vote_detail(request, vote_id: int):
    return _vote_out(get_vote_for_user(request.user, vote_id), request)


def _ballot_out(b):
    return {
        "id": b.pk,
        "vote_id": b.vote_id,
        "unit_id": b.unit_id,
        "choice": b.choice,
        "channel": b.channel,
        "cast_at": b.cast_at,
    }


@router.post(
    "/votes/{vote_id}/ballots",
    response={201: BallotOut, 400: Error, 409: Error, 429: Error},
    summary="本户线上表决(居民;截止前可修改);与工作人员录入的票冲突返回 409;过于频繁返回 429",
)
@throttle.per_household
def cast(request, vote_id: int, payload: BallotIn):
    vote = get_vote_for_user(request.user, vote_id)
    unit = _my_unit(request)
    if payload.unit_id not in (None, unit.pk):
        raise DomainError(_("只能为本户表决"))
    try:
        b = services.ballot_cast(actor=request.user, vote=vote, unit=unit, choice=payload.choice)
    except services.DuplicateBallot as e:
        return 409, {"error": e.message}
    return 201, _ballot_out(b)


@router.post(
    "/votes/{vote_id}/paper-ballots",
    response={201: BallotOut, 400: Error, 409: Error},
    summary="工作人员录入纸质表决票(须附照片)或代为录入(channel=assisted,须附照片或见证人 witness)",
)
def enter_paper(
    request,
    vote_id: int,
    unit_id: Form[int],
    choice: Form[str],
    channel: Form[str] = "paper",
    sheet_photo: File[UploadedFile] = None,
    witness: Form[str] = "",
):
    vote = get_vote_for_user(request.user, vote_id, action="ballot.enter")
    unit = (
        Unit.objects.select_related("building")
        .filter(pk=unit_id, building__compound_id=vote.compound_id)
        .first()
    )
    if unit is None:
        raise Http404(_("房屋不存在或不属于本小区"))
    if channel not in ("paper", "assisted"):
        raise DomainError(_("方式应为 paper(纸质票)或 assisted(代为录入)"))
    witness_user = None
    if witness.strip():
        witness_user = User.objects.filter(username=witness.strip(), is_active=True).first()
        if witness_user is None:
            raise DomainError(_("见证人账号“%(name)s”不存在") % {"name": witness.strip()})
    try:
        b = services.ballot_cast(
            actor=request.user,
            vote=vote,
            unit=unit,
            choice=choice,
            channel=channel,
            sheet_photo=sheet_photo,
            witness=witness_user,
        )
    except services.DuplicateBallot as e:
        return 409, {"error": e.message}
    return 201, _ballot_out(b)


@router.get("/votes/{vote_id}/result", summary="计票结果(公示后居民可见;无个人信息)")
def vote_result(request, vote_id: int):
    vote = get_vote_for_user(request.user, vote_id)
    if is_resident(request.user) and vote.status != Vote.Status.PUBLISHED:
        raise DomainError(_("结果公示后才能查看"))
    if not vote.result:
        raise DomainError(_("表决尚未计票"))
    return {
        "vote_id": vote.pk,
        "status": vote.status,
        "rule": T.describe_rule(vote.law, vote.matter),
        **vote.result,
    }


@router.get("/votes/{vote_id}/tally", summary="按当前表决票试算(工作人员)")
def vote_tally(request, vote_id: int):
    vote = get_vote_for_user(request.user, vote_id, action="vote.follow")
    return selectors.vote_tally(vote).as_dict()


def _objection_out(o: Objection, request) -> dict:
    staff = not is_resident(request.user)
    return {
        "id": o.pk,
        "text": o.text,
        "raised_at": o.raised_at,
        "raised_by": str(o.raised_by) if staff and o.raised_by_id else None,
        "state": o.state,
        "state_label": o.get_state_display(),
        "reply": o.reply,
        "replied_at": o.replied_at,
        "replied_by": str(o.replied_by) if staff and o.replied_by_id else None,
    }


@router.get(
    "/votes/{vote_id}/objections",
    response=list[ObjectionOut],
    summary="公示期异议及答复(居民只看到本人提出的)",
)
def objections(request, vote_id: int):
    vote = get_vote_for_user(request.user, vote_id)
    mine = request.user if is_resident(request.user) else None
    return [_objection_out(o, request) for o in selectors.objections(vote, raised_by=mine)]


@router.post(
    "/votes/{vote_id}/objections",
    response={201: ObjectionOut, 400: Error},
    summary="提出异议(公示期内)",
)
def objection_add(request, vote_id: int, payload: ObjectionIn):
    vote = get_vote_for_user(request.user, vote_id)
    o = services.objection_add(actor=request.user, vote=vote, text=payload.text)
    return 201, _objection_out(o, request)


@router.post(
    "/votes/{vote_id}/objections/{objection_id}/reply",
    response={200: ObjectionOut, 400: Error, 403: Error, 404: Error},
    summary="答复异议(工作人员;state: replied 已答复 / upheld 成立 / rejected 不成立)",
)
def objection_reply(request, vote_id: int, objection_id: int, payload: ReplyIn):
    vote = get_vote_for_user(request.user, vote_id, action="objection.reply")
    o = Objection.objects.filter(vote=vote, pk=objection_id).first()
    if o is None:
        raise Http404(_("异议不存在"))
    o = services.objection_reply(
        actor=request.user, objection=o, reply=payload.reply, state=payload.state
    )
    return _objection_out(o, request)


@router.post(
    "/votes/{vote_id}/overturn",
    response={200: VoteOut, 400: Error, 403: Error, 404: Error},
    summary="异议成立后撤销表决结果(工作人员)",
)
def overturn(request, vote_id: int, payload: OverturnIn):
    vote = get_vote_for_user(request.user, vote_id, action="vote.overturn")
    return _vote_out(
        services.vote_overturn(actor=request.user, vote=vote, reason=payload.reason), request
    )


@router.get(
    "/votes/{vote_id}/units",
    response={200: list[UnitMatchOut], 403: Error, 404: Error},
    summary="按房号查找本小区房屋(录入纸质票):q=302 或 1-302,可选 building_id",
)
def unit_search(request, vote_id: int, q: str = "", building_id: int | None = None):
    vote = get_vote_for_user(request.user, vote_id, action="ballot.enter")
    units, _more = selectors.unit_search(vote, q, building_id=building_id, limit=50)
    return [
        {
            "id": u.pk,
            "building_id": u.building_id,
            "building": u.building.number,
            "entrance": u.entrance,
            "number": u.number,
            "label": f"{u.building.number}{u}",
            "has_ballot": u.has_ballot,
        }
        for u in units
    ]


@router.get("/participation/compounds/{compound_id}/willingness", summary="小区意愿汇总(工作人员)")
def willingness(request, compound_id: int):
    c = get_compound_for_user(request.user, compound_id)
    return {
        "compound_id": c.pk,
        "summary": selectors.willingness_summary(c.pk),
        "menu": selectors.menu_results(c.pk),
    }
