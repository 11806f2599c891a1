"""Evaluating a whole jurisdiction and storing the verdicts (the reserve),
in chunks (issue 14 item 3; docs/eligibility.md "A whole area").

A province is 50,000 compounds: evaluated in one transaction that took 37 s
and 1 GB and held SQLite's write lock throughout. Here the area's compounds
are walked by primary key (`pk > last … LIMIT CHUNK`, an index range), and
each chunk is evaluated, stored and audited in its own short transaction;
nothing but counters and the extension-cap candidates outlives a chunk, so
memory stays flat as the area grows (bench/jobs.py prints it).

The extension window's cap (国办发〔2020〕23号; extension.py) is the one rule
that looks across the whole area: compounds eligible only through the window
may make up at most a share of the eligible households, oldest first. So
pass 1 stores every verdict except those compounds' (it keeps their id,
households and age, and adds up the households of the plainly eligible);
pass 2 ranks them across the area, decides the cap, and evaluates and stores
them again in chunks with its outcome: the same verdicts as one pass over
everything.

A chunk that fails rolls back alone; the chunks before it stay stored, and
the error names the compound whose evaluation failed. Running again is
idempotent: a compound has one verdict per policy (an upsert).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gaizao.core import audit, summaries
from gaizao.core.errors import DomainError
from gaizao.inventory.models import Compound
from gaizao.inventory.permissions import compounds_for_user
from gaizao.regions.models import Area
from gaizao.regions.scope import compound_area_q

from . import extension, rules, selectors
from .models import Policy, Verdict
from .permissions import area_within_user, can_do

CHUNK = 500  # compounds per transaction: well under a second each

Progress = Callable[[int, int], None]  # (done, total)


class EvaluationFailed(DomainError):
    """A chunk failed; the chunks before it are stored."""


@dataclass
class AreaEvaluation:
    area: Area | None
    total: int = 0
    counts: dict = field(default_factory=lambda: dict.fromkeys(rules.VERDICT_LABELS, 0))
    policies: dict = field(default_factory=dict)  # policy str → number of compounds

    def as_dict(self) -> dict:
        return {
            "area_code": self.area.code if self.area else None,
            "total": self.total,
            "counts": self.counts,
            "policies": self.policies,
        }

    @property
    def summary(self) -> str:
        c = self.counts
        return _(
            "已评估 %(total)s 个小区:符合 %(eligible)s 个,待核实 %(review)s 个,"
            "不符合 %(ineligible)s 个"
        ) % {"total": self.total, **c}

    def add(self, results) -> None:
        for _c, p, v, _d in results:
            self.total += 1
            self.counts[v.verdict] += 1
            self.policies[str(p)] = self.policies.get(str(p), 0) + 1


def store_verdicts(results, *, actor) -> None:
    """Upsert (compound id, Policy, verdict, by_default) rows: one verdict per
    compound and policy, so storing again changes nothing twice."""
    now = timezone.now()
    who = actor if getattr(actor, "is_authenticated", False) else None
    rows = [
        Verdict(
            compound_id=cid,
            policy=p,
            verdict=v.verdict,
            reasons=[r.as_dict() for r in v.reasons],
            missing=v.missing,
            extension=v.extension,
            by_default=by_default,
            evaluated_at=now,
            evaluated_by=who,
        )
        for cid, p, v, by_default in results
    ]
    # A compound has one reserve verdict: clear the flag on verdicts under
    # another policy that used to be its default.
    default_ids: dict[int, list[int]] = {}
    for cid, p, _v, by_default in results:
        if by_default:
            default_ids.setdefault(p.pk, []).append(cid)
    for pk, ids in default_ids.items():
        for part in selectors._chunks(ids):
            Verdict.objects.filter(compound_id__in=part, by_default=True).exclude(
                policy_id=pk
            ).update(by_default=False)
    Verdict.objects.bulk_create(
        rows,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["compound", "policy"],
        update_fields=[
            "verdict",
            "reasons",
            "missing",
            "extension",
            "by_default",
            "evaluated_at",
            "evaluated_by",
        ],
    )
    # bulk writes send no signal: re-derive the kept summary (core.summaries).
    summaries.touch(cid for cid, _p, _v, _d in results)


def area_compounds(*, actor, area: Area | None):
    """The compounds of `area` that `actor` may evaluate (all of them for
    actor None, the command line); refuses what the actor may not do."""
    if area is None:
        raise DomainError(_("请指定要评估的区划"))
    if actor is not None:
        if not can_do(actor, "eligibility.evaluate"):
            raise PermissionDenied(_("您的角色无权评估改造范围"))
        if not area_within_user(actor, area):
            raise PermissionDenied(_("只能评估本辖区的小区"))
    qs = Compound.objects.filter(compound_area_q(area))
    if actor is not None:
        qs = qs & compounds_for_user(actor)
    return qs


def _id_chunks(qs, size: int):
    """The ids of `qs` in ascending chunks, one indexed range query each."""
    last = 0
    while True:
        ids = list(qs.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:size])
        if not ids:
            return
        yield ids
        last = ids[-1]


class _Run:
    def __init__(self, *, actor, area, policy, source, progress, chunk):
        self.actor, self.area, self.policy, self.source = actor, area, policy, source
        self.progress, self.chunk = progress, chunk
        self.defaults = selectors.DefaultPolicies()
        self.out = AreaEvaluation(area=area)
        self.done = 0
        self.total = 0
        # Extension-cap candidates per policy pk: (policy, [CapItem]), and
        # the households of the plainly eligible under that policy.
        self.deferred: dict[int, tuple[Policy, list]] = {}
        self.base: dict[int, int] = {}

    def raw(self, ids):
        return selectors.compute_raw(
            Compound.objects.filter(pk__in=ids), self.policy, defaults=self.defaults
        )

    def first_pass(self, ids) -> None:
        keep = []
        for cid, p, v, d, item in self.raw(ids):
            if p.extension_cap_pct is not None and v.verdict == rules.ELIGIBLE:
                if v.extension:
                    # Decided in pass 2 on a stand-in verdict: only the id,
                    # households and age are kept, not the compound's facts.
                    stub = rules.Verdict(rules.ELIGIBLE, [], [], True)
                    cap_item = extension.CapItem(cid, stub, item.households, item.built_sort)
                    self.deferred.setdefault(p.pk, (p, []))[1].append(cap_item)
                    continue
                self.base[p.pk] = self.base.get(p.pk, 0) + (item.households or 0)
            keep.append((cid, p, v, d))
        self.write(ids, keep)

    def second_pass(self) -> None:
        capped: dict[int, rules.Verdict] = {}
        for pk, (p, items) in self.deferred.items():
            extension.apply_extension_cap(
                items, p.extension_cap_pct, base_households=self.base.get(pk, 0)
            )
            capped.update((i.key, i.verdict) for i in items)
        self.deferred.clear()
        ids = sorted(capped)
        for i in range(0, len(ids), self.chunk):
            part = ids[i : i + self.chunk]
            rows = []
            for cid, p, v, d, _item in self.guarded(part, lambda part=part: self.raw(part)):
                s = capped.get(cid)
                if s is not None and v.verdict == rules.ELIGIBLE and v.extension:
                    v.verdict = s.verdict
                    v.reasons.extend(s.reasons)
                    v.missing.extend(s.missing)
                rows.append((cid, p, v, d))
            self.write(part, rows)

    def write(self, ids, rows) -> None:
        """People's decisions on top, then store and audit the chunk in one
        short transaction."""

        def save():
            results = selectors.with_decisions(rows)
            with transaction.atomic():
                store_verdicts(results, actor=self.actor)
                counts = dict.fromkeys(rules.VERDICT_LABELS, 0)
                for _c, _p, v, _d in results:
                    counts[v.verdict] += 1
                # One entry per chunk (issue 9 #6: evaluations are writes),
                # in the chunk's own transaction: a stored chunk is audited.
                audit.record(
                    actor=self.actor,
                    instance=self.area,
                    action="update",
                    changes={
                        "eligibility_evaluated": len(results),
                        "compound_ids": [ids[0], ids[-1]],
                        "policy": self.policy.code if self.policy else "",
                        **counts,
                    },
                    source=self.source,
                )
            return results

        results = self.guarded(ids, save)
        self.out.add(results)
        self.done += len(results)
        self.report()

    def guarded(self, ids, fn):
        try:
            return fn()
        except (DomainError, PermissionDenied):
            raise
        except Exception as exc:
            raise self.failure(ids, exc) from exc

    def failure(self, ids, exc) -> EvaluationFailed:
        """Which compound of the chunk failed: each is evaluated alone."""
        error = f"{type(exc).__name__}: {exc}"[:200]
        for cid in ids:
            try:
                self.raw([cid])
            except Exception as one:
                c = Compound.objects.filter(pk=cid).values_list("name", flat=True).first()
                return EvaluationFailed(
                    _(
                        "评估小区“%(name)s”(编号 %(id)s)时出错:%(error)s。已保存 %(done)s 个"
                        "小区的结论;修正后重新评估即可(已保存的结论会被覆盖,不会重复)"
                    )
                    % {
                        "name": c or "?",
                        "id": cid,
                        "error": f"{type(one).__name__}: {one}"[:200],
                        "done": self.done,
                    }
                )
        return EvaluationFailed(
            _(
                "保存编号 %(first)s–%(last)s 的小区结论时出错:%(error)s。已保存 %(done)s 个"
                "小区的结论;修正后重新评估即可"
            )
            % {"first": ids[0], "last": ids[-1], "error": error, "done": self.done}
        )

    def report(self) -> None:
        if self.progress is not None:
            self.progress(self.done, self.total)


def evaluate_area(
    *,
    actor,
    area: Area | None,
    policy: Policy | None = None,
    source: str = "web",
    progress: Progress | None = None,
    chunk: int = CHUNK,
) -> AreaEvaluation:
    """Evaluate every compound of `area` that `actor` may see (all of them
    for actor None) and store the verdicts, `chunk` compounds per
    transaction. `progress(done, total)` is called once before the first
    chunk and after each. Raises EvaluationFailed naming the compound if a
    chunk fails (the chunks before it stay stored)."""
    qs = area_compounds(actor=actor, area=area)
    run = _Run(actor=actor, area=area, policy=policy, source=source, progress=progress, chunk=chunk)
    run.total = qs.count()
    run.report()
    for ids in _id_chunks(qs, chunk):
        run.guarded(ids, lambda ids=ids: run.first_pass(ids))
    run.second_pass()
    return run.out
