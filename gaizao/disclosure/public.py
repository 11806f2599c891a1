"""The public portal's and open data's rows: plain dicts built ONLY from the
whitelisted public fields below (`PUBLIC_FIELDS`, the data dictionary). No
name, phone, ID number, unit or ballot of any person can reach them: the
annotated queryset reads none, and each row is built field by field.

Read from the kept per-compound summary (disclosure.facts) and cached
(Django's cache, `CACHE_SECONDS`), keyed by the summary's version: with a
shared cache (Redis) a change shows on the next request; with per-process
memory caches, within that many seconds."""

import hashlib
from decimal import Decimal

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gaizao.consultation.tally import percent
from gaizao.core import summaries
from gaizao.eligibility import rules as er
from gaizao.inventory.models import Compound
from gaizao.inventory.streetwalk import StreetWalk
from gaizao.plans.models import PlanStatus
from gaizao.programme.models import Batch, Entry, Programme
from gaizao.regions.models import Area
from gaizao.regions.scope import breakdown_of, compound_area_q
from gaizao.works.models import Milestone, PhotoPhase, Stage, WorksPhoto

from . import entrytally, tally
from . import progress as prog
from . import selectors as sel
from .models import StreetFunding

CACHE_SECONDS = 300
PER_PAGE = 50

# The data dictionary (数据字典): field, label, type, meaning. The open data
# files have exactly these columns, in this order.
PUBLIC_FIELDS = [
    ("id", gettext_lazy("小区编号"), "integer", gettext_lazy("本系统内的小区编号,长期不变")),
    ("name", gettext_lazy("小区名称"), "text", ""),
    ("street", gettext_lazy("街道"), "text", gettext_lazy("所属街道办事处")),
    ("community", gettext_lazy("社区"), "text", gettext_lazy("所属社区居委会")),
    ("address", gettext_lazy("地址"), "text", ""),
    ("built_year", gettext_lazy("建成年份"), "integer", ""),
    ("floor_area", gettext_lazy("建筑面积(㎡)"), "decimal", ""),
    ("building_count", gettext_lazy("楼栋数"), "integer", ""),
    ("households", gettext_lazy("户数"), "integer", ""),
    ("latitude", gettext_lazy("纬度"), "decimal", gettext_lazy("WGS-84 坐标系")),
    ("longitude", gettext_lazy("经度"), "decimal", gettext_lazy("WGS-84 坐标系")),
    ("stage", gettext_lazy("改造阶段"), "text", gettext_lazy("已达到的最后一个阶段")),
    ("verdict", gettext_lazy("改造范围结论"), "text", gettext_lazy("按本辖区默认政策")),
    ("plan_status", gettext_lazy("方案状态"), "text", ""),
    ("plan_cost", gettext_lazy("方案总造价(元)"), "decimal", gettext_lazy("片区方案为片区总造价")),
    ("vote_owners_total", gettext_lazy("表决:业主总人数"), "integer", ""),
    ("vote_owners_agreeing", gettext_lazy("表决:同意人数"), "integer", ""),
    ("vote_owners_share", gettext_lazy("表决:同意人数占比"), "text", ""),
    ("vote_area_total", gettext_lazy("表决:专有部分总面积(㎡)"), "decimal", ""),
    ("vote_area_agreeing", gettext_lazy("表决:同意面积(㎡)"), "decimal", ""),
    ("vote_area_share", gettext_lazy("表决:同意面积占比"), "text", ""),
    (
        "vote_passed",
        gettext_lazy("表决结果"),
        "text",
        gettext_lazy("通过/未通过;空表示尚无公示结果"),
    ),
    ("feedback_count", gettext_lazy("居民反映问题数"), "integer", ""),
    ("feedback_closed", gettext_lazy("已办结问题数"), "integer", ""),
    ("satisfaction_count", gettext_lazy("满意度答卷数"), "integer", ""),
    ("satisfaction_avg", gettext_lazy("总体满意度(1–5)"), "decimal", ""),
]
FIELD_NAMES = [f[0] for f in PUBLIC_FIELDS]


def stage_of(c) -> str:
    """The last funnel stage the compound reached ("" if none)."""
    reached = sel.flags_of(c)
    last = ""
    for key, _label in sel.STAGES:
        if reached[key]:
            last = key
    return last


def _dec(x):
    return None if x is None else Decimal(str(x))


def row(c) -> dict:
    """One compound's public row (keys = FIELD_NAMES), labels translated."""
    res = c.vote_result or {}
    has_vote = c.vote_id_ is not None
    stage = stage_of(c)
    return {
        "id": c.pk,
        "name": c.name,
        "street": c.street.name if c.street_id else "",
        "community": c.community.name if c.community_id else "",
        "address": c.address,
        "built_year": c.built_year,
        "floor_area": c.floor_area,
        "building_count": c.building_count,
        "households": c.households,
        "latitude": c.latitude,
        "longitude": c.longitude,
        "stage": str(sel.STAGE_LABELS[stage]) if stage else "",
        "verdict": _(er.VERDICT_LABELS[c.verdict]) if c.verdict in er.VERDICT_LABELS else "",
        "plan_status": str(PlanStatus(c.plan_status).label) if c.plan_status else "",
        "plan_cost": c.plan_cost,
        "vote_owners_total": res.get("owners_total") if has_vote else None,
        "vote_owners_agreeing": res.get("owners_agreeing") if has_vote else None,
        "vote_owners_share": (
            percent(res.get("owners_agreeing", 0), res.get("owners_total", 0)) if has_vote else ""
        ),
        "vote_area_total": _dec(res.get("area_total")) if has_vote else None,
        "vote_area_agreeing": _dec(res.get("area_agreeing")) if has_vote else None,
        "vote_area_share": (
            percent(
                Decimal(str(res.get("area_agreeing", 0))), Decimal(str(res.get("area_total", 0)))
            )
            if has_vote
            else ""
        ),
        "vote_passed": (_("通过") if c.vote_passed else _("未通过")) if has_vote else "",
        "feedback_count": c.feedback_n,
        "feedback_closed": c.feedback_closed,
        "satisfaction_count": c.satisfaction_n,
        "satisfaction_avg": (
            Decimal(str(c.satisfaction_avg)).quantize(Decimal("0.01"))
            if c.satisfaction_avg is not None
            else None
        ),
    }


def _key(*parts) -> str:
    """Cache key: language, the kept summary's version (bumped by every
    write that changes a figure: gaizao.core.summaries), then the parts."""
    return ":".join(
        ["disclosure", translation.get_language(), str(summaries.version())]
        + [str(p) for p in parts]
    )


def page_cache_key(path: str) -> str:
    return _key("html", hashlib.sha256(path.encode()).hexdigest()[:32])


def _ordered(qs):
    return qs.order_by("street__code", "name", "id")


def rows_iter():
    """Every compound's public row, streamed from the kept summary in chunks
    (open data; memory stays flat whatever the count)."""
    for c in _ordered(sel.annotated_compounds()).iterator(chunk_size=2000):
        yield row(c)


def _within(area: Area | None):
    """Every compound, or those inside `area` (the portal is public: no
    user scope, only the area the visitor drilled down to)."""
    qs = Compound.objects.all()
    return qs if area is None else qs.filter(compound_area_q(area))


def search_page(
    q: str = "", street: str = "", page: int | str | None = 1, area: Area | None = None
) -> dict:
    """One page of the portal's list (cached): {"rows", "count", "number",
    "num_pages"}. Searched in SQL over names and street/community names,
    inside `area` when given; only the page's rows are built."""
    q, street = (q or "").strip(), (street or "").strip()
    try:
        number = max(int(page or 1), 1)
    except (TypeError, ValueError):
        number = 1
    # the visitor's words hashed: any length, any character, one short key
    words = hashlib.sha256(f"{q}\x1f{street}".encode()).hexdigest()[:32]
    key = _key("page", area.pk if area else "", words, number, PER_PAGE)
    data = cache.get(key)
    if data is None:
        lean = _within(area)
        if street:
            lean = lean.filter(street__name=street)
        if q:
            # Streets and communities named like q by a subquery over the
            # areas (a hashed id list), not a join of every compound to them.
            named = Area.objects.filter(name__icontains=q).values("pk")
            lean = lean.filter(
                Q(name__icontains=q) | Q(street_id__in=named) | Q(community_id__in=named)
            )
        rows = _ordered(sel.annotated_compounds(lean))
        # The pages walk the streets in code order (inventory.streetwalk):
        # the kept per-street counts, or for a search the matches counted
        # per street in one grouped query, then only the page's streets are
        # read and sorted — no sort of every match of the country.
        order = tally.counts_by_street(tally.within(area))
        if order is not None:
            if q or street:
                found = dict(
                    lean.order_by()
                    .values("street_id")
                    .annotate(n=Count("id"))
                    .values_list("street_id", "n")
                )
                order = [(s, found.get(s, 0)) for s, _n in order]
            rows = StreetWalk(rows, order)
        pg = Paginator(rows, PER_PAGE).get_page(number)
        data = {
            "rows": [row(c) for c in pg.object_list],
            "count": pg.paginator.count,
            "number": pg.number,
            "num_pages": pg.paginator.num_pages,
        }
        cache.set(key, data, CACHE_SECONDS)
    return data


def summary(area: Area | None = None) -> dict:
    """The programme summary at the top of the portal (cached per area):
    the funnel, funding, satisfaction, the newest programme's batches and a
    table one level below the area shown (regions.scope.breakdown_of:
    provinces for the whole country … communities for a street), each row a
    drill-down link, so the table has a handful of rows whatever the size of
    the jurisdiction (STYLE.md habit 18)."""
    key = _key("summary", area.pk if area else "")
    data = cache.get(key)
    if data is None:
        base = _within(area)
        qs = sel.annotated_compounds(base)
        ids = base.values("id")
        path, level = breakdown_of(area)
        # Whole streets: the funnel and the table add up the kept per-street
        # tallies (disclosure.tally), not every compound of the area.
        tallies = tally.within(area) if not path or path.startswith("street") else None
        funnel = sel.funnel(qs) if tallies is None else sel.kept_funnel(tallies)
        areas = []
        if path:
            areas = sel.by_area(qs, path) if tallies is None else sel.kept_by_area(tallies, path)
        if tallies is None:
            funding, satisfaction = sel.funding_by_source(ids), sel.satisfaction(ids)
        else:  # the kept per-street money and satisfaction sums beside them
            money = tally.within(area, StreetFunding)
            funding = sel.kept_money(money, sel.Scope(area=area), with_paid=False)
            satisfaction = sel.kept_satisfaction(tallies)
        data = {
            "funnel": [dict(s, label=str(s["label"])) for s in funnel],
            "funding": [dict(f, label=str(f["label"])) for f in funding if f["amount"]],
            "satisfaction": satisfaction,
            "areas": areas,
            "level_label": str(Area.Level(level).label) if level else "",
        }
        data["funding_total"] = sum((f["amount"] for f in data["funding"]), Decimal("0"))
        data["programme"], data["batches"] = programme_public(area)
        cache.set(key, data, CACHE_SECONDS)
    return data


def programme_public(area: Area | None = None) -> tuple[dict | None, list[dict]]:
    """The newest programme and its batches: dates, targets, compounds taken
    in, started and completed (plain dicts, no person), inside `area`. One
    grouped query over the entries joined to the kept summary: no entry or
    compound is loaded into Python and no id list is sent."""
    p = Programme.objects.order_by("-created_at", "-id").first()
    if p is None:
        return None, []
    kept = entrytally.within(area, p)
    if kept is not None:  # the kept totals a (batch, street): no entry grouped
        totals = {
            r["batch_id"]: {
                "n": r["n"],
                "hh": r["households"],
                "m2": r["area"],
                "go": r["started"],
                "go_hh": r["started_households"],
                "done": r["completed"],
            }
            for r in entrytally.totals(kept.filter(batch__isnull=False), "batch_id")
        }
    else:
        totals = _live_batch_totals(p, area)
    rows = []
    for b in Batch.objects.filter(programme=p).order_by("position", "id"):
        t = totals.get(b.pk, {})
        n, go = t.get("n", 0), t.get("go", 0)
        rows.append(
            {
                "name": b.name,
                "starts_on": b.starts_on,
                "ends_on": b.ends_on,
                "households_target": b.households_target,
                "area_target": b.area_target_m2,
                "n": n,
                "households": t.get("hh", 0),
                "area": t.get("m2") or Decimal("0"),
                "started": go,
                "completed": t.get("done", 0),
                "started_households": t.get("go_hh", 0),
                "rate_n": prog.pct(go, n),
            }
        )
    return {"name": p.name, "note": p.note}, rows


def _live_batch_totals(p, area: Area | None) -> dict:
    started, completed = Q(compound__facts__started=True), Q(compound__facts__completed=True)
    entries = Entry.objects.filter(programme=p, batch__isnull=False)
    if area is not None:
        entries = entries.filter(compound_area_q(area, "compound__"))
    return {
        r["batch_id"]: r
        for r in entries.order_by()
        .values("batch_id")
        .annotate(
            n=Count("id"),
            hh=Coalesce(Sum("households"), 0),
            m2=Sum("area_m2"),
            go=Count("id", filter=started),
            go_hh=Coalesce(Sum("households", filter=started), 0),
            done=Count("id", filter=completed),
        )
    }


def works_public(pk: int) -> dict | None:
    """The compound's works for its public card: stage, the dated milestones
    (planned and actual dates only — no responsible person) and photo ids.
    Photo captions are not shown: they are free text and could name someone."""
    m = list(
        Milestone.objects.filter(
            Q(works__compound_id=pk) | Q(works__cluster__members__compound_id=pk)
        )
        .order_by("seq", "id")
        .values("works_id", "stage", "planned_on", "actual_on")
    )
    if not m:
        return None
    works_id = m[0]["works_id"]
    labels = dict(Stage.choices)
    photos = list(
        WorksPhoto.objects.filter(works_id=works_id)
        .order_by("-id")
        .values("id", "phase", "taken_at")[:6]
    )
    return {
        "milestones": [
            {
                "key": r["stage"],
                "stage": str(labels.get(r["stage"], r["stage"])),
                "planned_on": r["planned_on"],
                "actual_on": r["actual_on"],
            }
            for r in m
            if r["works_id"] == works_id
        ],
        "photos": [
            dict(p, phase=str(dict(PhotoPhase.choices).get(p["phase"], p["phase"]))) for p in photos
        ],
    }


def public_photo(photo_id: int):
    """A works photo shown on a public card (None if there is none)."""
    return WorksPhoto.objects.filter(pk=photo_id).only("image").first()


def card(pk: int) -> dict | None:
    """One compound's public card (cached): its row plus the published vote's title."""
    key = _key("card", pk)
    data = cache.get(key)
    if data is None:
        c = sel.annotated_compounds().filter(pk=pk).first()
        if c is None:
            return None
        data = row(c)
        data["vote_title"] = c.vote_title or ""
        data["plan_shared"] = c.plan_shared
        data["plan_id"] = c.plan_id_
        data["works"] = works_public(pk)
        cache.set(key, data, CACHE_SECONDS)
    return data
