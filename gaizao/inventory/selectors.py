"""Inventory reads (STYLE.md habit 3): every query starts from the user's
jurisdiction (`inventory.permissions`), joins what the page or endpoint shows
with select_related, and reads the latest condition score kept on the compound (inventory.latest),
so a list costs the same few queries whatever its length."""

from dataclasses import dataclass, field, fields
from decimal import Decimal

from django.core.paginator import Paginator
from django.db.models import Count, F, Prefetch, Q, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext, gettext_lazy

from gaizao.accounts.models import AREA_ROLES
from gaizao.core.masking import mask_id_number, mask_name, mask_phone
from gaizao.core.models import AuditEntry
from gaizao.core.sorting import natural_key, unit_key
from gaizao.regions.models import Area
from gaizao.regions.scope import areas_within

from . import mapgrid, permissions, scoring, streetwalk
from .facilities import FACILITIES
from .importing import common as import_common
from .latest import latest_score_subquery  # noqa: F401  (re-exported)
from .models import Compound, Condition, ConditionPhoto, Owner, Survey, Unit

GRADE_CHOICES = [(code, gettext_lazy(label)) for _bound, code, label in scoring.GRADES] + [
    ("unknown", gettext_lazy(scoring.UNSURVEYED))
]
# (key, label, order_by)
ORDERINGS = {
    "": (gettext_lazy("街道、名称"), ("street__code", "name", "id")),
    "name": (gettext_lazy("名称"), ("name", "id")),
    "-built_year": (gettext_lazy("建成年份(新→旧)"), (F("built_year").desc(nulls_last=True), "id")),
    "built_year": (gettext_lazy("建成年份(旧→新)"), (F("built_year").asc(nulls_last=True), "id")),
    "-floor_area": (gettext_lazy("建筑面积(大→小)"), (F("floor_area").desc(nulls_last=True), "id")),
    "score": (gettext_lazy("状况评分(差→好)"), (F("latest_score").asc(nulls_last=True), "id")),
    "-score": (gettext_lazy("状况评分(好→差)"), (F("latest_score").desc(nulls_last=True), "id")),
}
FACILITY_ORDER = {f.code: i for i, f in enumerate(FACILITIES)}
# Badge colour of a facility rating, in the grade colours of app.css.
RATING_BADGE = {"good": "good", "worn": "fair", "broken": "poor", "missing": "bad", "na": ""}


@dataclass
class CompoundFilters:
    """The list filters shared by the list page, the map, the export and the API.
    `street`/`community` are Area ids (an Area instance is accepted too)."""

    street: int | None = None
    community: int | None = None
    built_from: int | None = None
    built_to: int | None = None
    management_status: str = ""
    grade: str = ""
    q: str = ""
    order: str = ""

    @classmethod
    def from_data(cls, data: "dict | CompoundFilters | None") -> "CompoundFilters":
        if isinstance(data, CompoundFilters):
            return data
        names = {f.name for f in fields(cls)}
        kw = {}
        for k, v in (data or {}).items():
            if k not in names or v in (None, ""):
                continue
            if isinstance(v, Area):
                v = v.pk
            kw[k] = v
        return cls(**kw)


def grade_q(grade: str) -> Q:
    if grade == "unknown":
        return Q(latest_score__isnull=True)
    low, high = scoring.GRADE_BOUNDS[grade]
    q = Q(latest_score__gte=low)
    if high is not None:
        q &= Q(latest_score__lt=high)
    return q


def compound_list(user, filters: "dict | CompoundFilters | None" = None):
    """The compounds `user` may see, filtered, with `latest_score` annotated."""
    f = CompoundFilters.from_data(filters)
    qs = permissions.compounds_for_user(user)
    if f.street:
        qs = qs.filter(street_id=f.street)
    if f.community:
        qs = qs.filter(community_id=f.community)
    if f.built_from:
        qs = qs.filter(built_year__gte=f.built_from)
    if f.built_to:
        qs = qs.filter(built_year__lte=f.built_to)
    if f.management_status:
        qs = qs.filter(management_status=f.management_status)
    if f.grade in scoring.GRADE_BOUNDS or f.grade == "unknown":
        qs = qs.filter(grade_q(f.grade))
    q = (f.q or "").strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(address__icontains=q))
    order = ORDERINGS.get(f.order, ORDERINGS[""])[1]
    return qs.select_related("street", "community").order_by(*order)


def pageable(user, filters, qs):
    """What the list pages: with no filter but the street and the default
    order, a StreetWalk over `qs` (the kept per-street counts: no count or
    sort of the whole scope); otherwise `qs` itself."""
    f = CompoundFilters.from_data(filters)
    narrowed = (f.community, f.built_from, f.built_to, f.management_status, f.grade)
    if any(narrowed) or (f.q or "").strip() or ORDERINGS.get(f.order) not in (None, ORDERINGS[""]):
        return qs
    counts = streetwalk.street_counts(user, f.street)
    return qs if counts is None else streetwalk.StreetWalk(qs, counts)


def with_grades(rows):
    """Sets grade_code / grade_label on compounds annotated with latest_score."""
    for c in rows:
        c.grade_code, c.grade_label = scoring.grade(getattr(c, "latest_score", None))
    return rows


def map_markers(user, filters, bbox, zoom: int) -> tuple[int, list[dict]]:
    """(compounds located in the viewport, markers): the compounds of the
    list's filters inside bbox, clustered on a pixel grid by their condition
    grade (mapgrid); single compounds carry their street and score for the
    popup. At most mapgrid.MAX_POINTS are read."""
    qs = mapgrid.in_bbox(compound_list(user, filters), bbox)
    rows = list(
        qs.order_by().values_list(
            "id", "name", "latitude", "longitude", "latest_score", "street__name"
        )[: mapgrid.MAX_POINTS]
    )
    extra = {r[0]: (r[4], r[5]) for r in rows}
    pts = [(r[0], r[1], float(r[2]), float(r[3]), scoring.grade(r[4])[0]) for r in rows]
    markers = mapgrid.cluster(pts, mapgrid.fit_zoom(bbox, zoom), kind="grade", kinds="grades")
    for m in markers:
        if "id" in m:
            score, street = extra[m["id"]]
            m["street"] = street
            m["score"] = float(score) if score is not None else None
            m["grade_label"] = str(scoring.grade(score)[1])
    return len(pts), markers


def map_summary(user, filters) -> dict:
    """The map's first answer for a filter: how many compounds match, how
    many have coordinates, and where most of them are (no points)."""
    qs = compound_list(user, filters)
    located = qs.filter(latitude__isnull=False, longitude__isnull=False)
    return {"count": qs.count(), "located": located.count(), "bounds": mapgrid.focus(located)}


def filter_areas(user) -> tuple:
    """(streets, communities) querysets to offer in the filter and edit forms."""
    streets = Area.objects.filter(level=Area.Level.STREET)
    communities = Area.objects.filter(level=Area.Level.COMMUNITY)
    if user.is_superuser:
        return streets.order_by("code"), communities.order_by("code")
    area = user.area if user.role in AREA_ROLES else None
    if area is not None and area.level == Area.Level.COMMUNITY:
        return (streets.filter(pk=area.parent_id), communities.filter(pk=area.pk))
    if area is not None:
        return (
            areas_within(area, streets).order_by("code"),
            areas_within(area, communities).order_by("code"),
        )
    # Organisation roles and residents: the areas of the compounds they see.
    visible = permissions.compounds_for_user(user)
    return (
        streets.filter(pk__in=visible.values("street_id")).order_by("code"),
        communities.filter(pk__in=visible.values("community_id")).order_by("code"),
    )


def sole_street_id(user) -> int | None:
    """The one street an area user of a street or a community works in, else
    None: its communities are offered with no street chosen, as there is
    nothing to choose (read off the user's area: no query)."""
    area = user.area if user.role in AREA_ROLES and not user.is_superuser else None
    if area is None:
        return None
    if area.level == Area.Level.STREET:
        return area.pk
    if area.level == Area.Level.COMMUNITY:
        return area.parent_id
    return None


def communities_of_street(communities, street_id, community_id=None):
    """The filter's community choices: the chosen street's. With no street,
    none (a national user's scope has tens of thousands, STYLE.md habit 18),
    except a community asked for by itself (a link with only ?community=),
    which stays offered alone."""
    if street_id and str(street_id).isdigit():
        return communities.filter(parent_id=street_id)
    if community_id and str(community_id).isdigit():
        return communities.filter(pk=community_id)
    return communities.none()


# --- detail ---------------------------------------------------------------


@dataclass
class OwnerRow:
    id: int
    name: str
    phone: str
    id_number: str
    is_developer: bool
    unit_count: int
    unit_area: Decimal | None
    masked: bool


def owner_rows(user, owners) -> list[OwnerRow]:
    """Owners as shown to `user`: whole for roles with personal-data rights,
    masked otherwise (个人信息保护法). A developer is a company, not a person."""
    whole = permissions.sees_personal_data(user)
    out = []
    for o in owners:
        keep = whole or o.is_developer
        out.append(
            OwnerRow(
                id=o.pk,
                name=o.name if keep else mask_name(o.name),
                phone=o.phone if whole else mask_phone(o.phone),
                id_number=o.id_number if whole else mask_id_number(o.id_number),
                is_developer=o.is_developer,
                unit_count=getattr(o, "unit_count", 0),
                unit_area=getattr(o, "unit_area", None),
                masked=not whole,
            )
        )
    return out


def buildings_of(compound):
    rows = list(
        compound.buildings.annotate(
            unit_count=Count("units"), unit_area=Sum("units__exclusive_area")
        ).order_by()
    )
    rows.sort(key=lambda b: natural_key(b.number))
    return rows


def owners_page(user, compound, page=1, per_page: int = 50):
    qs = (
        Owner.objects.filter(compound=compound)
        .annotate(unit_count=Count("units"), unit_area=Sum("units__exclusive_area"))
        .order_by("-is_developer", "name", "id")
    )
    page = Paginator(qs, per_page).get_page(page)
    page.rows = owner_rows(user, page.object_list)
    return page


def survey_conditions(survey) -> list[Condition]:
    conds = list(
        survey.conditions.prefetch_related(
            Prefetch("photos", queryset=ConditionPhoto.objects.order_by("id"))
        )
    )
    conds.sort(key=lambda c: FACILITY_ORDER.get(c.facility, 999))
    for c in conds:
        c.badge = RATING_BADGE.get(c.rating, "")
    return conds


def history_for(compound, surveys, limit: int = 30):
    """Audit entries of the compound and of its surveys, newest first."""
    q = Q(model="inventory.compound", object_pk=str(compound.pk))
    if surveys:
        q |= Q(model="inventory.survey", object_pk__in=[str(s.pk) for s in surveys])
    entries = list(AuditEntry.objects.filter(q).select_related("actor")[:limit])
    labels = {f.attname: str(f.verbose_name) for f in Compound._meta.concrete_fields}
    for e in entries:
        if e.model == "inventory.survey":
            c = e.changes or {}
            # The recorded grade is a zh-Hans label of scoring.GRADES.
            grade = c.get("grade", "")
            e.lines = [
                gettext(
                    "摸底调查:评分 %(score)s(%(grade)s),%(conditions)s 项设施,%(photos)s 张照片"
                )
                % {
                    "score": c.get("score") or "—",
                    "grade": gettext(grade) if grade else "",
                    "conditions": c.get("conditions", 0),
                    "photos": c.get("photos", 0),
                }
            ]
        elif isinstance(e.changes, dict):
            e.lines = [
                f"{labels.get(k, k)}:{_show(v[0])} → {_show(v[1])}"
                if isinstance(v, list) and len(v) == 2
                else f"{labels.get(k, k)}:{_show(v)}"
                for k, v in e.changes.items()
            ]
        else:
            e.lines = []
    return entries


def _show(v) -> str:
    if v is None or v == "":
        return gettext("空")
    if v is True:
        return gettext("是")
    if v is False:
        return gettext("否")
    return str(v)


@dataclass
class CompoundDetail:
    compound: object
    buildings: list
    units: dict
    owners: object  # a Page with .rows
    surveys: list
    latest: Survey | None
    conditions: list = field(default_factory=list)
    history: list = field(default_factory=list)


def compound_detail(user, compound, *, owners_page_number=1) -> CompoundDetail:
    buildings = buildings_of(compound)
    units = Unit.objects.filter(building__compound=compound).aggregate(
        n=Count("id"),
        area=Coalesce(Sum("exclusive_area"), Decimal(0)),
        registered=Count("id", filter=Q(owner__isnull=False)),
    )
    units["owners"] = Owner.objects.filter(compound=compound).count()
    surveys = list(
        Survey.objects.filter(compound=compound)
        .select_related("surveyor")
        .order_by("-surveyed_on", "-id")
    )
    for s in surveys:
        s.grade_code, s.grade_label = scoring.grade(s.score)
    latest = surveys[0] if surveys else None
    return CompoundDetail(
        compound=compound,
        buildings=buildings,
        units=units,
        owners=owners_page(user, compound, owners_page_number),
        surveys=surveys,
        latest=latest,
        conditions=survey_conditions(latest) if latest else [],
        history=history_for(compound, surveys),
    )


def units_of_building(user, building) -> list[dict]:
    whole = permissions.sees_personal_data(user)
    # Residents see the units of their compound, not who owns them.
    lists_owners = permissions.can_do(user, "owner.list")
    out = []
    units = sorted(
        building.units.select_related("owner"),
        key=lambda u: unit_key(building.number, u.entrance, u.number),
    )
    for u in units:
        name = u.owner.name if u.owner_id and lists_owners else ""
        if name and not whole and not u.owner.is_developer:
            name = mask_name(name)
        out.append(
            {
                "id": u.pk,
                "entrance": u.entrance,
                "number": u.number,
                "floor": u.floor,
                "exclusive_area": u.exclusive_area,
                "owner_id": u.owner_id if lists_owners else None,
                "owner_name": name,
            }
        )
    return out


def import_streets(user):
    """The streets the import form offers: those the user may import into."""
    return import_common.streets_in_scope(user).order_by("code")


def import_compounds(user):
    """The compounds the import form offers for a household register."""
    return (
        permissions.compounds_for_user(user)
        .select_related("street")
        .order_by("street__code", "name")
    )


def units_of_compound(compound):
    """Every unit of one compound (the household-register export)."""
    return Unit.objects.filter(building__compound=compound)
