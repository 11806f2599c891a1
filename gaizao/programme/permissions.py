"""Who may see and change programmes (STYLE.md habits 4 and 5).

A programme is visible to the area roles whose jurisdiction lies inside it or
contains it (a street office sees the district's programme, and in it only
its own compounds, through inventory.permissions.compound_q). Changing it —
batches, locks, moves, runs — is for the roles that plan (leadership office,
housing bureau) whose jurisdiction contains the programme's area.
Invisible → 404, visible but not allowed → 403."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gaizao.accounts.models import Role
from gaizao.accounts.permissions import can

from .models import Batch, Entry, Programme, Run
from .selectors import entries_for_user, programmes_for_user

R = Role
PLANNERS = {R.LEADERSHIP, R.HOUSING_BUREAU}
RULES: dict[str, set] = {
    "programme.view": {R.LEADERSHIP, R.HOUSING_BUREAU, R.STREET_OFFICE, R.COMMUNITY},
    "programme.edit": PLANNERS,  # programme, batches, targets, weights
    "programme.plan": PLANNERS,  # lock, move, run the optimiser
}
MESSAGES = {
    "programme.edit": gettext_lazy("只有领导小组办公室或住建局可以修改改造计划"),
    "programme.plan": gettext_lazy("只有领导小组办公室或住建局可以调整批次或运行优化"),
}


def can_do(user, action: str) -> bool:
    return can(user, RULES, action)


def covers(user, programme: Programme) -> bool:
    """The user's jurisdiction contains the programme's area."""
    if user.is_superuser:
        return True
    area = getattr(user, "area", None)
    return area is not None and programme.area.prefix.startswith(area.prefix)


def require(user, action: str, programme: Programme) -> None:
    if not (can_do(user, action) and covers(user, programme)):
        raise PermissionDenied(MESSAGES.get(action, _("无权执行此操作")))


def visible_programmes(user):
    if not (user.is_authenticated and (user.is_superuser or can_do(user, "programme.view"))):
        return Programme.objects.none()
    return programmes_for_user(user)


def get_programme_for_user(user, pk, *, action: str | None = None) -> Programme:
    try:
        programme = visible_programmes(user).select_related("area").get(pk=pk)
    except (Programme.DoesNotExist, ValueError, TypeError):
        raise Http404(_("改造计划不存在或不在您的辖区内"))
    if action:
        require(user, action, programme)
    return programme


def get_batch_for_user(user, programme, pk) -> Batch:
    try:
        return programme.batches.get(pk=pk)
    except (Batch.DoesNotExist, ValueError, TypeError):
        raise Http404(_("批次不存在"))


def get_entry_for_user(user, programme, pk, *, action: str | None = None) -> Entry:
    try:
        entry = (
            entries_for_user(user, programme).select_related("compound__street", "batch").get(pk=pk)
        )
    except (Entry.DoesNotExist, ValueError, TypeError):
        raise Http404(_("小区不在此计划中或不在您的辖区内"))
    if action:
        require(user, action, programme)
    return entry


def get_run_for_user(user, programme, pk, *, action: str | None = None) -> Run:
    try:
        run = programme.runs.get(pk=pk)
    except (Run.DoesNotExist, ValueError, TypeError):
        raise Http404(_("优化运行不存在"))
    if action:
        require(user, action, programme)
    return run
