"""Eligibility API: a thin second interface over the same selectors and
services as the pages."""

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema
from ninja.files import UploadedFile

from gaizao.core.apikit import Key, cached_page, paged
from gaizao.core.errors import DomainError
from gaizao.inventory.models import Compound
from gaizao.inventory.permissions import get_compound_for_user
from gaizao.regions.models import Area

from . import rules, selectors, services
from .permissions import can_do

router = Router(tags=["eligibility"])


class ReasonOut(Schema):
    criterion: str
    label: str
    passed: bool | None
    detail: str


class StoredOut(Schema):
    verdict: str
    evaluated_at: datetime


class EligibilityOut(Schema):
    compound_id: int
    verdict: str
    verdict_label: str
    policy: str
    policy_name: str
    extension: bool
    reasons: list[ReasonOut]
    missing: list[str]
    stored: StoredOut | None = None


def _policy_or_404(name):
    if not name:
        return None
    p = selectors.get_policy(name)
    if p is None:
        raise Http404(_("没有名为“%(name)s”的改造政策") % {"name": name})
    return p


@router.get(
    "/compounds/{compound_id}/eligibility",
    response=EligibilityOut,
    summary="一个小区的改造范围判断(按当前数据)",
)
def compound_eligibility(request, compound_id: int, policy: str | None = None):
    c = get_compound_for_user(request.user, compound_id)
    p = _policy_or_404(policy)
    ((_, used, v, _),) = selectors.compute(Compound.objects.filter(pk=c.pk), p, cap=False)
    stored = selectors.stored_verdict(c, used)
    return {
        "compound_id": c.pk,
        "verdict": v.verdict,
        "verdict_label": v.label,
        "policy": used.code,
        "policy_name": str(used),
        "extension": v.extension,
        "reasons": [r.as_dict() for r in v.reasons],
        "missing": v.missing,
        "stored": {"verdict": stored.verdict, "evaluated_at": stored.evaluated_at}
        if stored
        else None,
    }


class ReserveItem(Schema):
    compound_id: int
    name: str
    street: str
    community: str | None
    built_year: int | None
    floor_area: Decimal | None
    households: int | None
    verdict: str
    extension: bool
    policy: str
    missing: list[str]
    evaluated_at: datetime


class VerdictTotal(Schema):
    n: int
    area: Decimal
    households: int


class ReserveOut(Schema):
    count: int = Field(description="符合筛选条件的小区数(由 totals 得出,不另行计数)")
    totals: dict[str, VerdictTotal]
    items: list[ReserveItem]
    next: str | None = Field(description="下一页的游标(?after=);null 表示已是最后一页")


class ReserveFilters(Schema):
    policy: str | None = None
    street: str | None = None  # area code
    community: str | None = None
    verdict: str | None = None
    after: str | None = Field(None, max_length=500, description="上一页返回的 next(翻页游标)")
    limit: int = Field(100, ge=1, le=500)
    offset: int | None = Field(None, ge=0, description="已弃用(下一版本移除):按偏移分页")


@router.get(
    "/eligibility/reserve", response=ReserveOut, summary="项目储备库:辖区内小区的改造范围结论"
)
def reserve(request, filters: Query[ReserveFilters]):
    user = request.user
    if not can_do(user, "eligibility.view"):
        raise PermissionDenied(_("您的角色无权查看改造范围"))
    f = filters
    if f.verdict and f.verdict not in rules.VERDICT_LABELS:
        raise DomainError(_("verdict 只能是 eligible、ineligible 或 review"))
    p = _policy_or_404(f.policy)
    street = Area.objects.filter(code=f.street).first() if f.street else None
    community = Area.objects.filter(code=f.community).first() if f.community else None
    if (f.street and street is None) or (f.community and community is None):
        raise DomainError(_("区划代码不存在"))

    def build():
        base = selectors.reserve_verdicts(user, policy=p, street=street, community=community)
        qs = base.filter(verdict=f.verdict) if f.verdict else base
        totals = selectors.reserve_totals(base)
        page = paged(
            selectors.reserve_rows(qs),
            after=f.after,
            limit=f.limit,
            offset=f.offset,
            keys=[Key("compound__street__code"), Key("compound__name")],
            scope="reserve",
        )
        return {
            "count": totals[f.verdict]["n"] if f.verdict else sum(t["n"] for t in totals.values()),
            "totals": totals,
            "next": page["next"],
            "items": [
                {
                    "compound_id": v.compound_id,
                    "name": v.compound.name,
                    "street": v.compound.street.name,
                    "community": v.compound.community.name if v.compound.community_id else None,
                    "built_year": v.compound.built_year,
                    "floor_area": v.compound.floor_area,
                    "households": v.compound.households,
                    "verdict": v.verdict,
                    "extension": v.extension,
                    "policy": v.policy.code,
                    "missing": v.missing,
                    "evaluated_at": v.evaluated_at,
                }
                for v in page["items"]
            ],
        }

    # Kept per user, query and data version (core.apikit.cached_page).
    return cached_page(request, "reserve", ReserveOut, build)


class PolicyOut(Schema):
    id: int
    code: str
    name: str
    version: int
    area_code: str | None
    area_name: str
    is_default: bool
    is_builtin: bool
    valid_from: date | None
    basis: str
    built_cutoff: date
    cutoff_inclusive: bool
    extension_cutoff: date | None
    extension_cap_pct: Decimal | None
    require_main_urban: bool
    single_buildings_count: bool
    criteria: list[str]
    conditions_min: int
    neglect_score_below: Decimal
    facilities_broken_pct: Decimal
    environment_facilities: list[str]
    poor_management_statuses: list[str]
    willingness_mode: str
    willingness_min: str  # exact fraction, e.g. "2/3"
    willingness_min_pct: Decimal  # the same, rounded, for display
    exclusions: list[str]
    demolition_years: int | None
    self_built_pct: Decimal


@router.get("/policies", response=list[PolicyOut], summary="改造政策")
def policy_list(request):
    out = []
    for p in selectors.policies():
        d = {f: getattr(p, f) for f in PolicyOut.model_fields if hasattr(p, f)}
        d["area_code"] = p.area.code if p.area_id else None
        d["area_name"] = p.scope_label
        out.append(d)
    return out


class EvaluateIn(Schema):
    area_code: str
    policy: str | None = None


class EvaluateOut(Schema):
    area_code: str | None
    total: int
    counts: dict[str, int]
    policies: dict[str, int]


@router.post(
    "/eligibility/evaluate",
    response=EvaluateOut,
    summary="重新评估一个区划内的全部小区并记入储备库",
)
def evaluate(request, payload: EvaluateIn):
    user = request.user
    if not can_do(user, "eligibility.evaluate"):
        raise PermissionDenied(_("您的角色无权评估改造范围"))
    area = Area.objects.filter(code=payload.area_code.strip()).first()
    if area is None:
        raise DomainError(_("区划代码“%(area_code)s”不存在") % {"area_code": payload.area_code})
    p = _policy_or_404(payload.policy)
    return services.evaluate_area(actor=user, area=area, policy=p, source="api").as_dict()


class DeterminationIn(Schema):
    kind: str  # "verify" (核实) or "override" (领导小组办公室决定)
    outcome: str  # "eligible" or "ineligible"
    reason: str


class DeterminationOut(Schema):
    id: int
    compound_id: int
    policy: str
    kind: str
    outcome: str
    verdict_before: str
    reason: str
    evidence: str | None
    decided_by: str | None
    decided_at: datetime


def _determination(d) -> dict:
    return {
        "id": d.pk,
        "compound_id": d.compound_id,
        "policy": d.policy.code,
        "kind": d.kind,
        "outcome": d.outcome,
        "verdict_before": d.verdict_before,
        "reason": d.reason,
        "evidence": d.evidence.url if d.evidence else None,
        "decided_by": str(d.decided_by) if d.decided_by_id else None,
        "decided_at": d.decided_at,
    }


@router.get(
    "/compounds/{compound_id}/eligibility/determinations",
    response=list[DeterminationOut],
    summary="一个小区的改造范围核实与领导小组办公室决定",
)
def determination_list(request, compound_id: int):
    if not can_do(request.user, "eligibility.view"):
        raise PermissionDenied(_("您的角色无权查看改造范围"))
    c = get_compound_for_user(request.user, compound_id)
    return [_determination(d) for d in selectors.determinations(c)]


@router.post(
    "/compounds/{compound_id}/eligibility/determinations",
    response={201: DeterminationOut},
    summary="核实“待核实”结论(须附证明材料),或记录领导小组办公室的决定(须写明理由)",
)
def determination_create(
    request,
    compound_id: int,
    payload: Form[DeterminationIn],
    evidence: File[UploadedFile] = None,
):
    if not can_do(request.user, "eligibility.view"):
        raise PermissionDenied(_("您的角色无权查看改造范围"))
    c = get_compound_for_user(request.user, compound_id)
    d = services.determination_record(
        actor=request.user,
        compound=c,
        kind=payload.kind,
        outcome=payload.outcome,
        reason=payload.reason,
        evidence=evidence,
        source="api",
    )
    return 201, _determination(d)
