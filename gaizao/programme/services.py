"""Writes of the programme app: `<entity>_<verb>(*, actor, …)`, validated,
in one transaction, audited (STYLE.md habit 2). The optimiser run itself is
in runner.py (it runs outside the request's transaction)."""

import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gaizao.core import audit
from gaizao.core.errors import DomainError
from gaizao.eligibility.models import Verdict
from gaizao.plans.models import FundingSource
from gaizao.regions.scope import compound_area_q

from . import kept, scoring
from .models import DEFAULT_WEIGHTS, Assignment, Batch, Entry, Programme, Run, RunStatus
from .selectors import entry_facts

MAX_TIME_LIMIT = 600.0


def _decimal(value, label, *, required=False, minimum=Decimal(0), maximum=None):
    if value in (None, ""):
        if required:
            raise DomainError(_("请填写%(f)s") % {"f": label})
        return None
    try:
        d = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise DomainError(_("%(f)s应为数字（收到“%(v)s”）") % {"f": label, "v": value})
    if not d.is_finite() or d < minimum or (maximum is not None and d > maximum):
        raise DomainError(_("%(f)s超出允许范围（收到“%(v)s”）") % {"f": label, "v": value})
    return d


def _date(value, label):
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except (TypeError, ValueError):
        raise DomainError(
            _("%(f)s应为日期，如 2020-01-01（收到“%(v)s”）") % {"f": label, "v": value}
        )


def _weights(weights: dict | None) -> dict:
    out = {}
    for k, v in (weights or {}).items():
        if k not in DEFAULT_WEIGHTS:
            raise DomainError(_("未知的优先级指标“%(k)s”") % {"k": k})
        out[k] = str(_decimal(v, scoring.LABELS[k], maximum=Decimal(1000)))
    return out


@transaction.atomic
def programme_create(
    *,
    actor,
    area,
    name: str,
    cost_per_m2=Decimal("300"),
    max_concurrent_per_street=None,
    weights=None,
    note="",
) -> Programme:
    name = (name or "").strip()
    if not name:
        raise DomainError(_("请填写计划名称"))
    k = max_concurrent_per_street
    if k not in (None, ""):
        try:
            k = int(k)
        except (TypeError, ValueError):
            raise DomainError(_("每个街道同时施工小区上限应为整数"))
        if k < 1:
            raise DomainError(_("每个街道同时施工小区上限应至少为 1"))
    else:
        k = None
    p = Programme.objects.create(
        name=name[:128],
        area=area,
        cost_per_m2=_decimal(cost_per_m2, _("估算单价"), required=True, maximum=Decimal(100000)),
        max_concurrent_per_street=k,
        weights=_weights(weights),
        note=note or "",
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit.record(actor=actor, instance=p, action="create", changes=audit.snapshot(p))
    return p


@transaction.atomic
def batch_create(
    *,
    actor,
    programme: Programme,
    name: str,
    starts_on,
    ends_on,
    area_target_m2=None,
    households_target=None,
    budget: dict | None = None,
    extension_cap_share=None,
    weight=None,
) -> Batch:
    name = (name or "").strip()
    if not name:
        raise DomainError(_("请填写批次名称"))
    s, e = _date(starts_on, _("开始日期")), _date(ends_on, _("结束日期"))
    if e < s:
        raise DomainError(_("结束日期早于开始日期"))
    money = {}
    for src, amount in (budget or {}).items():
        if src not in FundingSource.values:
            raise DomainError(_("未知的资金来源“%(s)s”") % {"s": src})
        money[src] = str(_decimal(amount, FundingSource(src).label, required=True))
    hh = households_target
    if hh not in (None, ""):
        hh = _decimal(hh, _("户数目标"))
        if hh != int(hh):
            raise DomainError(_("户数目标应为整数"))
        hh = int(hh)
    else:
        hh = None
    share = _decimal(extension_cap_share, _("扩展范围户数占比上限"), maximum=Decimal(1))
    position = programme.batches.count() + 1
    if weight in (None, ""):
        # Earlier batches weigh more, so higher priority goes earlier.
        weight = Decimal(1) + Decimal("0.1") * max(0, 10 - position)
    b = Batch.objects.create(
        programme=programme,
        name=name[:64],
        position=position,
        starts_on=s,
        ends_on=e,
        area_target_m2=_decimal(area_target_m2, _("面积目标")),
        households_target=hh,
        budget=money,
        extension_cap_share=share,
        weight=_decimal(weight, _("优先权重"), required=True, minimum=Decimal("0.001")),
    )
    audit.record(actor=actor, instance=b, action="create", changes=audit.snapshot(b))
    return b


def _entry_values(programme, cid, f, year):
    s, parts = scoring.score(f["facts"], programme.weight_table(), year=year)
    area = f["area"] or Decimal(0)
    if f["plan_cost"]:
        cost, estimated = f["plan_cost"], False
    else:
        cost, estimated = (area * programme.cost_per_m2).quantize(Decimal("0.01")), True
    return {
        "score": s,
        "score_parts": parts,
        "cost_yuan": cost,
        "cost_estimated": estimated,
        "area_m2": area,
        "households": f["households"],
        "cluster_id_ref": f["cluster"],
    }


@transaction.atomic
def programme_fill(*, actor, programme: Programme, year: int | None = None) -> dict:
    """Take in every eligible compound of the reserve (default-policy verdict
    符合改造范围) inside the programme's area not yet in it, and refresh the
    cost and score of those already in. Plan cost where a current plan exists,
    otherwise floor area × the programme's estimate per m² (marked)."""
    year = year or timezone.localdate().year
    verdicts = dict(
        Verdict.objects.filter(
            compound_area_q(programme.area, "compound__"),
            by_default=True,
            verdict=Verdict.Kind.ELIGIBLE,
            compound__floor_area__gt=0,
        ).values_list("compound_id", "extension")
    )
    existing = {e.compound_id: e for e in programme.entries.all()}
    facts = entry_facts(list(verdicts) + [c for c in existing if c not in verdicts])
    new, changed = [], []
    for cid, f in facts.items():
        vals = _entry_values(programme, cid, f, year)
        if cid in existing:
            e = existing[cid]
            for k, v in vals.items():
                setattr(e, k, v)
            changed.append(e)
        else:
            new.append(
                Entry(
                    programme=programme, compound_id=cid, extension=bool(verdicts.get(cid)), **vals
                )
            )
    Entry.objects.bulk_create(new, batch_size=2000)
    Entry.objects.bulk_update(changed, list(vals_keys()), batch_size=2000)
    kept.entries_changed(programme)  # no signals from bulk writes
    audit.record(
        actor=actor,
        instance=programme,
        action="fill",
        changes={"added": len(new), "refreshed": len(changed)},
    )
    return {"added": len(new), "refreshed": len(changed)}


def vals_keys():
    return (
        "score",
        "score_parts",
        "cost_yuan",
        "cost_estimated",
        "area_m2",
        "households",
        "cluster_id_ref",
    )


@transaction.atomic
def entry_lock(*, actor, entry: Entry, locked: bool) -> Entry:
    before = {"locked": entry.locked}
    entry.locked = bool(locked)
    entry.save(update_fields=["locked"])
    audit.record(
        actor=actor,
        instance=entry,
        action="lock" if locked else "unlock",
        changes=audit.diff(before, {"locked": entry.locked}),
    )
    return entry


@transaction.atomic
def entry_move(*, actor, entry: Entry, batch: Batch | None) -> Entry:
    """Put a compound in `batch` (None: leave it out) and lock it there, so a
    re-run keeps the decision."""
    if batch is not None and batch.programme_id != entry.programme_id:
        raise DomainError(_("批次不属于此改造计划"))
    before = {"batch": entry.batch_id, "locked": entry.locked}
    entry.batch = batch
    entry.locked = True
    entry.save(update_fields=["batch", "locked"])
    audit.record(
        actor=actor,
        instance=entry,
        action="move",
        changes=audit.diff(before, {"batch": entry.batch_id, "locked": True}),
    )
    return entry


@transaction.atomic
def run_create(*, actor, programme: Programme, time_limit=10) -> Run:
    limit = _decimal(
        time_limit,
        _("时间上限（秒）"),
        required=True,
        minimum=Decimal("0.5"),
        maximum=Decimal(MAX_TIME_LIMIT),
    )
    if programme.runs.filter(status__in=[RunStatus.QUEUED, RunStatus.RUNNING]).exists():
        raise DomainError(_("已有一次优化正在进行，请等它完成或取消后再运行"))
    if not programme.batches.exists():
        raise DomainError(_("请先设置批次"))
    if not programme.entries.exists():
        raise DomainError(_("计划中还没有小区，请先从储备库纳入"))
    run = Run.objects.create(
        programme=programme,
        time_limit=float(limit),
        params={"time_limit": float(limit), "weights": programme.weight_table()},
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit.record(actor=actor, instance=run, action="create", changes={"time_limit": float(limit)})
    return run


@transaction.atomic
def run_cancel(*, actor, run: Run) -> Run:
    if not run.active:
        raise DomainError(_("这次优化已经结束，无法取消"))
    Run.objects.filter(pk=run.pk).update(cancel_requested=True)
    run.refresh_from_db()
    audit.record(actor=actor, instance=run, action="cancel", changes={})
    return run


@transaction.atomic
def run_apply(*, actor, run: Run, result: dict, explanations: dict) -> None:
    """Store a finished run's figures and assignments and make them the
    board's current batches. Locked entries are not touched (the optimiser
    was given them fixed)."""
    programme = run.programme
    batch_ids = set(programme.batches.values_list("pk", flat=True))
    entries = {e.pk: e for e in programme.entries.all()}
    assign = {int(k): int(v) for k, v in result["assignment"].items()}
    names = {b.pk: b.name for b in programme.batches.all()}
    rows, changed = [], []
    for pk, e in entries.items():
        b = assign.get(pk)
        b = b if b in batch_ids else None
        expl = _named_explanation(explanations.get(str(pk)) or {}, names)
        if e.locked:
            b = e.batch_id
            expl = {**expl, "locked": True}
        rows.append(Assignment(run=run, entry_id=pk, batch_id=b, explanation=expl))
        if e.batch_id != b or e.explanation != expl:
            e.batch_id, e.explanation = b, expl
            changed.append(e)
    Assignment.objects.bulk_create(rows, batch_size=2000)
    Entry.objects.bulk_update(changed, ["batch", "explanation"], batch_size=2000)
    kept.entries_changed(programme)  # no signals from bulk writes
    Run.objects.filter(pk=run.pk).update(
        status=RunStatus.DONE,
        progress=100,
        solver_status=result.get("status", ""),
        objective=result.get("objective"),
        bound=result.get("bound"),
        gap=result.get("gap"),
        seconds=result.get("seconds"),
        bound_method=(result.get("bound_method") or "")[:80],
        shortfalls=_named_shortfalls(result.get("shortfalls") or [], programme),
        finished_at=timezone.now(),
    )
    run.refresh_from_db()
    audit.record(
        actor=actor,
        instance=run,
        action="finish",
        changes={
            "status": run.solver_status,
            "objective": run.objective,
            "gap": run.gap,
            "moved": len(changed),
        },
        source="optimiser",
    )


def _named_shortfalls(items: list, programme: Programme) -> list:
    """The optimiser names a batch by its id; the page names it by its name."""
    names = {b.pk: b.name for b in programme.batches.all()}
    out = []
    for s in items:
        s = dict(s)
        name = names.get(s.get("period"))
        if name and isinstance(s.get("message"), str):
            s["message"] = s["message"].replace(f"批次 {s['period']} ", f"{name} ", 1)
        s["batch"] = name
        out.append(s)
    return out


def _named_explanation(expl: dict, names: dict) -> dict:
    text = expl.get("text")
    if isinstance(text, str):
        # longest id first, so "批次 12" is not read as "批次 1" + "2"
        for pk, name in sorted(names.items(), key=lambda kv: -len(str(kv[0]))):
            text = text.replace(f"批次 {pk}", name)
        expl = {**expl, "text": text, "batch": names.get(expl.get("period"))}
    return expl
