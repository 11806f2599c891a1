"""Runs an optimiser run as a background job.

No task framework is on main yet, so a run is started from the request: a
thread (or, with settings.PROGRAMME_RUN_INLINE, the request itself — the
tests) builds the instance, starts the solve in a child process ("spawn",
solving.child) and waits for it, polling every 0.25 s. Progress is the share
of the time limit used (the optimiser works until its limit), stored in the
run row and polled by the board with htmx; cancel sets a flag in the row and
the waiting thread kills the child. A child that overruns its limit by more
than GRACE seconds is killed too and the run fails with a clear message.
"""

import logging
import multiprocessing
import threading
import time

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone
from django.utils.translation import gettext as _

from . import instance as instance_builder
from . import services, solving
from .models import Run, RunStatus

log = logging.getLogger(__name__)
GRACE = 30.0
POLL = 0.25


def launch(run: Run, actor) -> None:
    if getattr(settings, "PROGRAMME_RUN_INLINE", False):
        execute(run.pk, actor)
        return
    t = threading.Thread(
        target=_thread, args=(run.pk, actor), daemon=True, name=f"programme-run-{run.pk}"
    )
    t.start()


def _thread(run_id: int, actor) -> None:
    close_old_connections()
    try:
        execute(run_id, actor)
    finally:
        connection.close()


def _fail(run_id, status, message):
    Run.objects.filter(pk=run_id).update(status=status, error=message, finished_at=timezone.now())


def execute(run_id: int, actor) -> None:
    run = Run.objects.select_related("programme").get(pk=run_id)
    if run.cancel_requested:
        _fail(run_id, RunStatus.CANCELLED, _("已取消"))
        return
    start = time.monotonic()
    Run.objects.filter(pk=run_id).update(
        status=RunStatus.RUNNING, started_at=timezone.now(), progress=1
    )
    data = instance_builder.build(run.programme)
    ctx = multiprocessing.get_context("spawn")
    parent, child_end = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=solving.child, args=(data, run.time_limit, child_end))
    proc.start()
    child_end.close()
    outcome = None
    try:
        while True:
            if parent.poll(POLL):
                try:
                    outcome = parent.recv()
                except EOFError:
                    outcome = ("error", _("求解进程意外退出"))
                break
            elapsed = time.monotonic() - start
            row = Run.objects.filter(pk=run_id).values("cancel_requested").first()
            if row is None or row["cancel_requested"]:
                _fail(run_id, RunStatus.CANCELLED, _("已取消"))
                return
            if elapsed > run.time_limit + GRACE:
                _fail(run_id, RunStatus.FAILED, _("求解超过时间上限，已终止"))
                return
            if not proc.is_alive() and not parent.poll(0):
                outcome = ("error", _("求解进程意外退出"))
                break
            pct = min(99, max(1, int(100 * elapsed / max(run.time_limit, 0.1))))
            Run.objects.filter(pk=run_id).update(progress=pct)
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join(timeout=5)
    kind, payload = outcome
    if kind != "ok":
        log.warning("programme run %s failed: %s", run_id, payload)
        _fail(run_id, RunStatus.FAILED, str(payload)[:2000])
        return
    run.refresh_from_db()
    if run.cancel_requested:
        _fail(run_id, RunStatus.CANCELLED, _("已取消"))
        return
    services.run_apply(
        actor=actor, run=run, result=payload, explanations=payload.pop("explanations", {})
    )
