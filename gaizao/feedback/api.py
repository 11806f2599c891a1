"""Feedback and satisfaction API: a second thin interface over the same
services and permission fetches as the pages (STYLE.md habit 7).
Invisible → 404, not allowed → 403, bad input → 400/422 {"error": …}."""

from datetime import date, datetime

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema
from ninja.files import UploadedFile

from gaizao.core.apikit import Key, PageQuery, cached_page, cached_paged, page_schema, paged
from gaizao.inventory.permissions import get_compound_for_user

from . import permissions as perms
from . import selectors as sel
from . import services as svc
from .models import FeedbackCategory, FeedbackStatus

# Tags and operation ids as they were when this router sat under
# consultation's (tags "consultation", "feedback") in consultation/api_feedback.py
# (django-ninja derives ids from the module): the OpenAPI document is unchanged
# and clients generated from it keep working.
router = Router(tags=["consultation", "feedback"])
_OP = "gaizao_consultation_api_feedback_"


class FeedbackOut(Schema):
    id: int
    compound_id: int
    compound: str
    category: str
    category_label: str
    text: str
    place: str
    status: str
    status_label: str
    responsible_org: str
    due_on: date
    overdue: bool
    reporter: str  # as the caller may see it (masked or hidden)
    assisted: bool
    mine: bool
    created_at: datetime
    fixed_at: datetime | None
    closed_at: datetime | None
    actions: list[str]  # transitions the caller may do now


class EventOut(Schema):
    at: datetime
    action: str
    action_label: str
    by: str
    from_status: str
    to_status: str
    comment: str


class FeedbackDetailOut(FeedbackOut):
    photos: list[str]
    events: list[EventOut]


class FeedbackIn(Schema):
    category: str
    text: str
    place: str = ""
    # Staff recording for a resident (assisted) name the compound and resident.
    compound_id: int | None = None
    reporter_name: str = ""
    reporter_phone: str = ""


class CommentIn(Schema):
    comment: str = ""
    # Staff recording a resident's answer (confirm / reopen): the household
    # who gave it; an objection (reopen) needs one when the item has no unit.
    unit_id: int | None = None


def _out(user, fb) -> dict:
    return {
        "id": fb.pk,
        "compound_id": fb.compound_id,
        "compound": fb.compound.name,
        "category": fb.category,
        "category_label": fb.get_category_display(),
        "text": fb.text,
        "place": fb.place,
        "status": fb.status,
        "status_label": fb.get_status_display(),
        "responsible_org": fb.responsible_org.name,
        "due_on": fb.due_on,
        "overdue": sel.is_overdue(fb),
        "reporter": sel.reporter_label(user, fb),
        "assisted": fb.assisted,
        "mine": fb.reporter_id == user.pk,
        "created_at": fb.created_at,
        "fixed_at": fb.fixed_at,
        "closed_at": fb.closed_at,
        "actions": perms.allowed_actions(user, fb),
    }


def _detail(request, fb) -> dict:
    d = _out(request.user, fb)
    d["photos"] = [request.build_absolute_uri(p.image.url) for p in fb.photos.all()]
    d["events"] = [
        {
            "at": e.at,
            "action": e.action,
            "action_label": e.get_action_display(),
            "by": sel.actor_label(request.user, e, fb),
            "from_status": e.from_status,
            "to_status": e.to_status,
            "comment": e.comment,
        }
        for e in sel.timeline(fb)
    ]
    return d


class FeedbackPage(Schema):
    items: list[FeedbackOut]
    next: str | None = Field(description="下一页的游标(?after=);null 表示已是最后一页")
    count: int | None = Field(None, description="仅在使用已弃用的 offset 分页时返回")


@router.get(
    "/feedback",
    response=FeedbackPage,
    summary="反馈列表(按辖区过滤)",
    operation_id=_OP + "feedback_list",
)
def feedback_list(
    request,
    status: str = "",
    category: str = "",
    overdue: bool = False,
    compound_id: int | None = None,
    mine: bool = False,
    after: str | None = Query(None, max_length=500, description="上一页返回的 next(翻页游标)"),
    limit: int = Query(50, ge=1, le=500),
    offset: int | None = Query(None, ge=0, description="已弃用(下一版本移除):按偏移分页"),
):
    """Residents: their compound's items (others' without reporter); staff:
    the queue of their jurisdiction and organisation. Filters as on the page."""
    user = request.user
    if perms.has_resident_role(user) and mine:
        qs = sel.my_feedback(user).select_related(*sel.LIST_RELATED)
        if status in FeedbackStatus.values:
            qs = qs.filter(status=status)
    else:
        qs = sel.feedback_queue(
            user,
            status=status,
            category=category,
            overdue=overdue,
            compound_id=compound_id,
            mine=mine,
        )
    # overdue: the most overdue first; otherwise the newest first
    keys = [Key("due_on")] if overdue else [Key("created_at", desc=True)]
    return cached_page(
        request,
        "feedback",
        FeedbackPage,
        lambda: paged(
            qs,
            after=after,
            limit=limit,
            offset=offset,
            keys=keys,
            scope=f"feedback:{int(overdue)}",
            out=lambda fb: _out(user, fb),
        ),
    )


@router.post(
    "/feedback",
    response={201: FeedbackDetailOut},
    summary="提交反馈",
    operation_id=_OP + "feedback_create",
)
def feedback_create(request, payload: FeedbackIn):
    compound = None
    if payload.compound_id is not None:
        # Another compound does not exist for a resident: 404 like any invisible one.
        compound = get_compound_for_user(request.user, payload.compound_id)
    fb = svc.feedback_create(
        actor=request.user,
        category=payload.category,
        text=payload.text,
        place=payload.place,
        compound=compound,
        reporter_name=payload.reporter_name,
        reporter_phone=payload.reporter_phone,
        source="api",
    )
    fb = perms.get_feedback_for_user(request.user, fb.pk)
    return 201, _detail(request, fb)


@router.post(
    "/feedback/{feedback_id}/photos",
    response={201: FeedbackDetailOut},
    summary="为自己的反馈补充照片",
    operation_id=_OP + "feedback_add_photos",
)
def feedback_add_photos(request, feedback_id: int, photos: File[list[UploadedFile]]):
    fb = perms.get_feedback_for_user(request.user, feedback_id)
    svc.feedback_add_photos(actor=request.user, feedback=fb, photos=photos, source="api")
    return 201, _detail(request, fb)


@router.get(
    "/feedback/{feedback_id}",
    response=FeedbackDetailOut,
    summary="反馈详情与处理记录",
    operation_id=_OP + "feedback_detail",
)
def feedback_detail(request, feedback_id: int):
    return _detail(request, perms.get_feedback_for_user(request.user, feedback_id))


def _transition(request, feedback_id: int, action: str, payload: CommentIn):
    fb = perms.get_feedback_for_user(request.user, feedback_id)
    svc.feedback_transition(
        actor=request.user,
        feedback=fb,
        action=action,
        comment=payload.comment,
        unit_id=payload.unit_id,
        source="api",
    )
    return _detail(request, perms.get_feedback_for_user(request.user, feedback_id))


@router.post(
    "/feedback/{feedback_id}/accept",
    response=FeedbackDetailOut,
    summary="受理",
    operation_id=_OP + "feedback_accept",
)
def feedback_accept(request, feedback_id: int, payload: CommentIn | None = None):
    return _transition(request, feedback_id, "accept", payload or CommentIn())


@router.post(
    "/feedback/{feedback_id}/fix",
    response=FeedbackDetailOut,
    summary="整改完成",
    operation_id=_OP + "feedback_fix",
)
def feedback_fix(request, feedback_id: int, payload: CommentIn | None = None):
    return _transition(request, feedback_id, "fix", payload or CommentIn())


@router.post(
    "/feedback/{feedback_id}/confirm",
    response=FeedbackDetailOut,
    summary="反映人确认已解决",
    operation_id=_OP + "feedback_confirm",
)
def feedback_confirm(request, feedback_id: int, payload: CommentIn | None = None):
    return _transition(request, feedback_id, "confirm", payload or CommentIn())


@router.post(
    "/feedback/{feedback_id}/reopen",
    response=FeedbackDetailOut,
    summary="反映人反映没解决",
    operation_id=_OP + "feedback_reopen",
)
def feedback_reopen(request, feedback_id: int, payload: CommentIn | None = None):
    return _transition(request, feedback_id, "reopen", payload or CommentIn())


@router.get(
    "/feedback-categories",
    response=list[dict],
    summary="反馈类别、办理时限",
    operation_id=_OP + "feedback_categories",
)
def feedback_categories(request):
    return [
        {"value": v, "label": label, "sla_days": svc.SLA_DAYS[v]}
        for v, label in FeedbackCategory.choices
    ]


# Satisfaction ------------------------------------------------------------------


class EvaluationOut(Schema):
    id: int
    compound_id: int
    compound: str
    title: str
    status: str
    created_at: datetime
    closed_at: datetime | None


class AspectOut(Schema):
    field: str
    label: str
    average: float | None
    distribution: dict[str, int]
    satisfied_share: float | None


class ResultsOut(Schema):
    evaluation: EvaluationOut
    responses: int
    households: int
    response_rate: float | None
    aspects: list[AspectOut]


class SatisfactionRatingIn(Schema):
    overall: int
    quality: int
    content: int
    civility: int
    management: int
    comment: str = ""


class SatisfactionResponseOut(Schema):
    evaluation_id: int
    created: bool
    overall: int
    quality: int
    content: int
    civility: int
    management: int
    comment: str


class OpenIn(Schema):
    compound_id: int
    title: str = ""


def _ev(ev) -> dict:
    return {
        "id": ev.pk,
        "compound_id": ev.compound_id,
        "compound": ev.compound.name,
        "title": ev.title,
        "status": ev.status,
        "created_at": ev.created_at,
        "closed_at": ev.closed_at,
    }


EvaluationPage = page_schema(EvaluationOut, "EvaluationPage")


@router.get(
    "/satisfaction",
    response=EvaluationPage,
    summary="满意度评价(居民:本小区进行中的;工作人员:辖区内的)",
    operation_id=_OP + "satisfaction_list",
)
def satisfaction_list(request, page: Query[PageQuery], status: str = ""):
    """Newest first; keyset pages (after/limit)."""
    user = request.user
    qs = sel.evaluations_list(user)
    if perms.has_resident_role(user) and not status:
        status = "open"
    if status in ("open", "closed"):
        qs = qs.filter(status=status)
    return cached_paged(
        request,
        EvaluationPage,
        qs,
        page,
        keys=[Key("id", desc=True)],
        scope="satisfaction",
        out=_ev,
    )


@router.post(
    "/satisfaction",
    response={201: EvaluationOut},
    summary="发起满意度评价",
    operation_id=_OP + "satisfaction_open",
)
def satisfaction_open(request, payload: OpenIn):
    compound = get_compound_for_user(request.user, payload.compound_id)
    ev = svc.satisfaction_open(
        actor=request.user, compound=compound, title=payload.title, source="api"
    )
    return 201, _ev(ev)


@router.post(
    "/satisfaction/{evaluation_id}/close",
    response=EvaluationOut,
    summary="结束满意度评价",
    operation_id=_OP + "satisfaction_close",
)
def satisfaction_close(request, evaluation_id: int):
    ev = perms.get_evaluation_for_user(request.user, evaluation_id, manage=True)
    return _ev(svc.satisfaction_close(actor=request.user, evaluation=ev, source="api"))


@router.post(
    "/satisfaction/{evaluation_id}/responses",
    response={200: SatisfactionResponseOut},
    summary="提交或修改本户评价(每户一份)",
    operation_id=_OP + "satisfaction_submit",
)
def satisfaction_submit(request, evaluation_id: int, payload: SatisfactionRatingIn):
    ev = perms.get_evaluation_for_user(request.user, evaluation_id)
    ratings = payload.dict()
    resp, created = svc.satisfaction_submit(
        actor=request.user, evaluation=ev, ratings=ratings, comment=payload.comment, source="api"
    )
    return 200, {
        "evaluation_id": ev.pk,
        "created": created,
        "overall": resp.overall,
        "quality": resp.quality,
        "content": resp.content,
        "civility": resp.civility,
        "management": resp.management,
        "comment": resp.comment,
    }


@router.get(
    "/satisfaction/{evaluation_id}/results",
    response=ResultsOut,
    summary="评价结果(汇总,不含个人信息)",
    operation_id=_OP + "satisfaction_results",
)
def satisfaction_results(request, evaluation_id: int):
    user = request.user
    ev = perms.get_evaluation_for_user(user, evaluation_id)
    if not (perms.has_resident_role(user) or perms.can_do(user, "satisfaction.results")):
        raise PermissionDenied(_("无权查看评价结果"))
    res = sel.satisfaction_results(ev)
    return {
        "evaluation": _ev(ev),
        "responses": res["responses"],
        "households": res["households"],
        "response_rate": res["response_rate"],
        "aspects": [
            {
                "field": a.field,
                "label": a.label,
                "average": a.average,
                "distribution": {str(k): v for k, v in a.distribution.items()},
                "satisfied_share": a.satisfied_share,
            }
            for a in res["aspects"]
        ],
    }
