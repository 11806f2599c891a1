"""Inventory JSON API (STYLE.md habit 7): a second thin interface over the
same permission fetches, selectors and services as the pages.

Every object outside the caller's jurisdiction is a 404, a write the role may
not make a 403, bad input a 400/422 with {"error": …, "errors": […]}."""

from datetime import date
from decimal import Decimal
from typing import Literal

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from gaizao.core.apikit import Error, Key, cached_page, paged
from gaizao.core.errors import DomainError, ErrorDetail

from . import permissions, scoring, selectors, services
from .models import ManagementStatus

router = Router(tags=["inventory"])

Grade = Literal["good", "fair", "poor", "bad", "unknown"]
Management = Literal[tuple(ManagementStatus.values)]  # type: ignore[valid-type]
RatingCode = Literal["good", "worn", "broken", "missing", "na"]


class AreaRef(Schema):
    id: int
    code: str
    name: str


class OrgRef(Schema):
    id: int
    name: str


class CompoundOut(Schema):
    id: int
    name: str
    street: AreaRef
    community: AreaRef | None
    address: str
    built_year: int | None
    floor_area: Decimal | None
    households: int | None
    building_count: int | None
    management_status: str
    latitude: Decimal | None
    longitude: Decimal | None
    latest_score: Decimal | None = Field(None, description="最近一次摸底调查的状况评分 0–100")
    grade: Grade = Field("unknown", description="状况等级,由 latest_score 得出")


class CompoundDetailOut(CompoundOut):
    built_date: date | None
    built_year_approximate: bool
    is_single_building: bool
    in_main_urban_area: bool | None
    property_company: OrgRef | None
    property_rights_unit: OrgRef | None
    owners_committee: OrgRef | None
    in_shantytown_plan: bool | None
    demolition_planned: bool | None
    demolition_within_years: int | None
    self_built_area: Decimal | None
    is_urban_village: bool | None
    investment_yuan: Decimal | None
    note: str


class CompoundPage(Schema):
    items: list[CompoundOut]
    next: str | None = Field(description="下一页的游标(?after=);null 表示已是最后一页")
    count: int | None = Field(None, description="仅在使用已弃用的 offset 分页时返回")


class CompoundFilterIn(Schema):
    street: int | None = Field(None, description="街道的 id(见 /areas)")
    community: int | None = Field(None, description="社区的 id")
    built_from: int | None = Field(None, ge=1900, le=2100, description="建成年份 ≥")
    built_to: int | None = Field(None, ge=1900, le=2100, description="建成年份 ≤")
    management_status: Management | None = None
    grade: Grade | None = None
    q: str | None = Field(None, max_length=100, description="名称或地址包含")
    order: Literal[tuple(selectors.ORDERINGS)] | None = None  # type: ignore[valid-type]
    after: str | None = Field(None, max_length=500, description="上一页返回的 next(翻页游标)")
    limit: int = Field(50, ge=1, le=500)
    offset: int | None = Field(
        None, ge=0, description="已弃用(下一版本移除):按偏移分页,返回 count;请改用 after"
    )


class CompoundPatchIn(Schema):
    """Only the fields sent are changed; foreign keys by id, null clears."""

    name: str | None = Field(None, min_length=1, max_length=128)
    street_id: int | None = None
    community_id: int | None = None
    address: str | None = Field(None, max_length=200)
    built_year: int | None = None
    built_date: date | None = None
    built_year_approximate: bool | None = None
    floor_area: Decimal | None = None
    building_count: int | None = Field(None, ge=0)
    households: int | None = Field(None, ge=0)
    is_single_building: bool | None = None
    in_main_urban_area: bool | None = None
    management_status: Management | Literal[""] | None = None
    property_company_id: int | None = None
    property_rights_unit_id: int | None = None
    owners_committee_id: int | None = None
    in_shantytown_plan: bool | None = None
    demolition_planned: bool | None = None
    demolition_within_years: int | None = Field(None, ge=0)
    self_built_area: Decimal | None = None
    is_urban_village: bool | None = None
    investment_yuan: Decimal | None = None
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    note: str | None = None


class BuildingOut(Schema):
    id: int
    compound_id: int
    number: str
    floors: int | None
    entrances: int | None
    floor_area: Decimal | None
    built_year: int | None
    has_elevator: bool
    unit_count: int | None = None
    unit_area: Decimal | None = None


class UnitOut(Schema):
    id: int
    entrance: str
    number: str
    floor: int | None
    exclusive_area: Decimal
    owner_id: int | None
    owner_name: str = Field(description="业主姓名;无个人信息权限的角色看到的是打码后的姓名")


class ConditionOut(Schema):
    facility: str
    facility_name: str
    rating: RatingCode
    note: str
    photos: list[str] = Field(default_factory=list, description="照片地址")


class ConditionSurveyOut(Schema):
    id: int
    compound_id: int
    surveyed_on: date
    surveyor: str | None
    note: str
    score: Decimal | None
    grade: Grade


class SurveyDetailOut(ConditionSurveyOut):
    conditions: list[ConditionOut]


class ConditionIn(Schema):
    facility: str = Field(description="设施代码,见 inventory.facilities")
    rating: RatingCode
    note: str = Field("", max_length=500)


class SurveyIn(Schema):
    surveyed_on: date
    note: str = Field("", max_length=5000)
    conditions: list[ConditionIn] = Field(description="每项设施一条;全部设施都须填写")


# The API's keyset order for each of the list's orderings (selectors.ORDERINGS):
# the same sort fields, made unique by id.
COMPOUND_KEYS = {
    "": [Key("street__code"), Key("name")],
    "name": [Key("name")],
    "-built_year": [Key("built_year", desc=True)],
    "built_year": [Key("built_year")],
    "-floor_area": [Key("floor_area", desc=True)],
    "score": [Key("latest_score")],
    "-score": [Key("latest_score", desc=True)],
}
ERRORS = {400: Error, 401: Error, 403: Error, 404: Error, 422: Error}


# --- helpers ----------------------------------------------------------------


def _area(a):
    return None if a is None else {"id": a.pk, "code": a.code, "name": a.name}


def _org(o):
    return None if o is None else {"id": o.pk, "name": o.name}


def _compound(c, *, detail=False) -> dict:
    score = getattr(c, "latest_score", None)
    if score is not None:  # SQLite hands back 38 for 38.0
        score = Decimal(score).quantize(Decimal("0.1"))
    out = {
        "id": c.pk,
        "name": c.name,
        "street": _area(c.street),
        "community": _area(c.community),
        "address": c.address,
        "built_year": c.built_year,
        "floor_area": c.floor_area,
        "households": c.households,
        "building_count": c.building_count,
        "management_status": c.management_status,
        "latitude": c.latitude,
        "longitude": c.longitude,
        "latest_score": score,
        "grade": scoring.grade(score)[0],
    }
    if detail:
        out.update(
            {
                "built_date": c.built_date,
                "built_year_approximate": c.built_year_approximate,
                "is_single_building": c.is_single_building,
                "in_main_urban_area": c.in_main_urban_area,
                "property_company": _org(c.property_company),
                "property_rights_unit": _org(c.property_rights_unit),
                "owners_committee": _org(c.owners_committee),
                "in_shantytown_plan": c.in_shantytown_plan,
                "demolition_planned": c.demolition_planned,
                "demolition_within_years": c.demolition_within_years,
                "self_built_area": c.self_built_area,
                "is_urban_village": c.is_urban_village,
                "investment_yuan": c.investment_yuan,
                "note": c.note,
            }
        )
    return out


def _detail(user, pk):
    permissions.get_compound_for_user(user, pk)  # 404 outside the jurisdiction
    c = (
        selectors.compound_list(user)
        .select_related("property_company", "property_rights_unit", "owners_committee")
        .get(pk=pk)
    )
    return _compound(c, detail=True)


def _survey(s, conditions=None) -> dict:
    out = {
        "id": s.pk,
        "compound_id": s.compound_id,
        "surveyed_on": s.surveyed_on,
        "surveyor": str(s.surveyor) if s.surveyor_id else None,
        "note": s.note,
        "score": s.score,
        "grade": scoring.grade(s.score)[0],
    }
    if conditions is not None:
        out["conditions"] = [
            {
                "facility": c.facility,
                "facility_name": c.get_facility_display(),
                "rating": c.rating,
                "note": c.note,
                "photos": [p.image.url for p in c.photos.all()],
            }
            for c in conditions
        ]
    return out


# --- compounds --------------------------------------------------------------


@router.get("/compounds", response={200: CompoundPage, **ERRORS})
def list_compounds(request, filters: Query[CompoundFilterIn]):
    """老旧小区列表,按用户辖区过滤;筛选条件与列表页相同;按游标分页(after/limit)。"""
    data = filters.dict()
    after, limit, offset = data.pop("after"), data.pop("limit"), data.pop("offset")
    order = data.get("order") or ""
    # Kept per user, query and data version (core.apikit.cached_page).
    return cached_page(
        request,
        "compounds",
        CompoundPage,
        lambda: paged(
            selectors.compound_list(request.user, data),
            after=after,
            limit=limit,
            offset=offset,
            keys=COMPOUND_KEYS[order],
            scope=f"compounds:{order}",
            out=_compound,
        ),
    )


@router.get("/compounds/{compound_id}", response={200: CompoundDetailOut, **ERRORS})
def get_compound(request, compound_id: int):
    return _detail(request.user, compound_id)


@router.patch("/compounds/{compound_id}", response={200: CompoundDetailOut, **ERRORS})
def patch_compound(request, compound_id: int, payload: CompoundPatchIn):
    """修改小区信息(只改传入的字段),留下操作记录。"""
    compound = permissions.get_compound_for_user(request.user, compound_id, write=True)
    data = {}
    for k, v in payload.dict(exclude_unset=True).items():
        key = k.removesuffix("_id") if k.endswith("_id") else k
        data[key] = v
    for k in ("name", "address", "note", "management_status"):
        if k in data and data[k] is None:
            data[k] = ""
    services.compound_update(actor=request.user, compound=compound, data=data, source="api")
    return _detail(request.user, compound_id)


@router.get("/compounds/{compound_id}/buildings", response={200: list[BuildingOut], **ERRORS})
def list_buildings(request, compound_id: int):
    compound = permissions.get_compound_for_user(request.user, compound_id)
    return selectors.buildings_of(compound)


@router.get("/buildings/{building_id}", response={200: BuildingOut, **ERRORS})
def get_building(request, building_id: int):
    b = permissions.get_building_for_user(request.user, building_id)
    rows = [x for x in selectors.buildings_of(b.compound) if x.pk == b.pk]
    return rows[0]


@router.get("/buildings/{building_id}/units", response={200: list[UnitOut], **ERRORS})
def list_units(request, building_id: int):
    """房屋(户)及其业主;无个人信息权限的角色看到打码后的业主姓名。"""
    b = permissions.get_building_for_user(request.user, building_id)
    return selectors.units_of_building(request.user, b)


# --- surveys ----------------------------------------------------------------


@router.get("/compounds/{compound_id}/surveys", response={200: list[ConditionSurveyOut], **ERRORS})
def list_surveys(request, compound_id: int):
    compound = permissions.get_compound_for_user(request.user, compound_id)
    qs = compound.surveys.select_related("surveyor").order_by("-surveyed_on", "-id")
    return [_survey(s) for s in qs]


@router.post("/compounds/{compound_id}/surveys", response={201: SurveyDetailOut, **ERRORS})
def create_survey(request, compound_id: int, payload: SurveyIn):
    """录入一次摸底调查(照片请通过网页上传);返回计算出的状况评分。"""
    compound = permissions.get_compound_for_user(
        request.user, compound_id, write=True, action="survey.record"
    )
    ratings: dict = {}
    dupes = []
    for c in payload.conditions:
        if c.facility in ratings:
            dupes.append(c.facility)
        ratings[c.facility] = (c.rating, c.note)
    if dupes:
        raise DomainError(
            _("同一设施填写了多次"),
            errors=[
                ErrorDetail(_("设施“%(code)s”重复") % {"code": d}, field=f"{d}.rating")
                for d in dupes
            ],
        )
    survey = services.survey_create(
        actor=request.user,
        compound=compound,
        surveyed_on=payload.surveyed_on,
        note=payload.note,
        ratings=ratings,
        source="api",
    )
    survey = permissions.get_survey_for_user(request.user, survey.pk)
    return 201, _survey(survey, selectors.survey_conditions(survey))


@router.get("/surveys/{survey_id}", response={200: SurveyDetailOut, **ERRORS})
def get_survey(request, survey_id: int):
    s = permissions.get_survey_for_user(request.user, survey_id)
    return _survey(s, selectors.survey_conditions(s))
