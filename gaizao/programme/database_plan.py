"""`gaizao plan PROGRAMME [--time-limit S] --json`: the optimiser on a
programme in the database. The run is recorded (a Run with its assignments,
audited) and applied to the programme's batches, as a re-run on the board is;
locked compounds stay where they are."""

from django.utils.translation import gettext as _

from gaizao.core.errors import DomainError

from . import runner, services
from .models import Programme, RunStatus


def find_programme(ref: str) -> Programme:
    ref = (ref or "").strip()
    qs = Programme.objects.select_related("area")
    p = qs.filter(pk=int(ref)).first() if ref.isdigit() else None
    if p is None:
        matches = list(qs.filter(name=ref)[:2])
        if len(matches) > 1:
            raise DomainError(_("有多个名为“%(r)s”的改造计划，请用编号") % {"r": ref})
        p = matches[0] if matches else None
    if p is None:
        raise DomainError(
            _("找不到改造计划“%(r)s”（请用编号或完整名称；纯实例请用 --instance FILE.json）")
            % {"r": ref}
        )
    return p


def plan(ref: str, time_limit: float) -> dict:
    p = find_programme(ref)
    run = services.run_create(actor=None, programme=p, time_limit=time_limit)
    runner.execute(run.pk, None)
    run.refresh_from_db()
    if run.status != RunStatus.DONE:
        raise DomainError(_("优化未完成：%(e)s") % {"e": run.error or run.get_status_display()})
    assignment = {
        str(cid): bid
        for cid, bid in run.assignments.filter(batch__isnull=False).values_list(
            "entry__compound_id", "batch_id"
        )
    }
    return {
        "programme": p.pk,
        "run": run.pk,
        "assignment": assignment,
        "objective": run.objective,
        "bound": run.bound,
        "gap": run.gap,
        "seconds": run.seconds,
        "status": run.solver_status,
        "shortfalls": run.shortfalls,
        "bound_method": run.bound_method,
        "batches": {b.pk: b.name for b in p.batches.all()},
    }
