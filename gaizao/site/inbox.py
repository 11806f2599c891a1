"""The inbox (待办与通知): what waits for the signed-in person, fed by the
apps' selectors — votes open for the resident's unit without its ballot,
feedback waiting for staff to accept or fix, overdue works milestones, and
notices (core.Notice) not yet read. It joins consultation, feedback, works
and core, so it lives in site, the top layer.

`inbox_count` is the header's number: one SQL query (a COUNT subquery per
source over a one-row select), computed at most once per request. The
overdue milestones are found through the kept summary
(`disclosure.CompoundFacts.next_due_on`, indexed): only the works of the
visible compounds that are late are joined, never every works in the user's
scope (issue 14; docs/scale.md)."""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction
from django.db.models import Exists, Func, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gaizao.accounts.models import ORGANISATION_ROLES, Role
from gaizao.accounts.permissions import NOTHING
from gaizao.consultation.models import Ballot, Vote
from gaizao.core import audit, summaries
from gaizao.core.models import Notice
from gaizao.disclosure.models import CompoundFacts
from gaizao.feedback import selectors as feedback_selectors
from gaizao.inventory.permissions import compound_q
from gaizao.plans.models import ClusterMember
from gaizao.works import selectors as works_selectors
from gaizao.works.models import Milestone

LIMIT = 50  # items listed per source; the count is exact


def _open_votes(user):
    """Votes of the resident's compound open now, without a ballot for
    their unit (ballots belong to the unit's owner)."""
    if user.role != Role.RESIDENT or not user.unit_id:
        return Vote.objects.none()
    now = timezone.now()
    return Vote.objects.filter(
        compound__buildings__units__id=user.unit_id,
        status=Vote.Status.OPEN,
        opens_at__lte=now,
        closes_at__gt=now,
    ).exclude(Exists(Ballot.objects.filter(vote=OuterRef("pk"), unit_id=user.unit_id)))


def _overdue_milestones(user):
    """The overdue open milestones of the works the user sees (the
    responsibility list's late rows, works.selectors.responsibility_rows).
    A milestone is overdue only if its works' compound — or a member of its
    works' cluster — has `next_due_on` before today in the kept summary, so
    the works are looked for among the late visible compounds (an index
    range on `next_due_on`) rather than among every works in scope."""
    if user.role == Role.RESIDENT:
        return Milestone.objects.none()
    # a company answers for the milestones it is responsible for
    org = user.organisation_id if user.role in ORGANISATION_ROLES else None
    cq = compound_q(user, "compound__")
    if cq == NOTHING:
        # contractors and designers see works by contract, not by compound
        return works_selectors.responsibility_rows(user, org_id=org)
    today = timezone.localdate()
    late = CompoundFacts.objects.filter(cq, next_due_on__lt=today).values("compound_id")
    qs = Milestone.objects.filter(
        Q(works__compound_id__in=late)
        | Exists(
            ClusterMember.objects.filter(
                cluster_id=OuterRef("works__cluster_id"), compound_id__in=late
            )
        ),
        actual_on__isnull=True,
        planned_on__lt=today,
    )
    if org:
        qs = qs.filter(responsible_org_id=org)
    return qs.select_related(
        "works__compound__street", "works__cluster", "responsible_org", "responsible_person"
    ).order_by("planned_on", "id")


def sources(user) -> dict:
    return {
        "votes": _open_votes(user),
        "feedback": feedback_selectors.waiting_for_staff(user),
        "milestones": _overdue_milestones(user),
        "notices": Notice.objects.filter(recipient=user, read_at__isnull=True),
    }


class _Count(Func):
    function = "COUNT"
    template = "%(function)s(*)"
    output_field = IntegerField()


def _count_subquery(qs):
    return Coalesce(
        Subquery(qs.order_by().annotate(_n=_Count()).values("_n")[:1]),
        Value(0),
    )


def counts(user) -> dict[str, int]:
    """Items per source, in one query."""
    annotations = {f"n_{k}": _count_subquery(qs) for k, qs in sources(user).items()}
    row = (
        get_user_model()
        .objects.filter(pk=user.pk)
        .annotate(**annotations)
        .values(*annotations)
        .first()
    ) or {}
    return {k[2:]: v or 0 for k, v in row.items()}


COUNT_SECONDS = 60


def inbox_count(request) -> int:
    """The header's number, on every staff page: cached per user and data
    version (any save or delete of a record, notices included, bumps it:
    gaizao.core.pagecache), so a page does not re-count a province's votes,
    feedback and milestones on each request; "overdue" follows the clock
    within COUNT_SECONDS."""
    if not hasattr(request, "_gz_inbox_count"):
        user = request.user
        if not user.is_authenticated:
            request._gz_inbox_count = 0
        else:
            key = f"inbox:count:{summaries.version()}:{user.pk}"
            n = cache.get(key)
            if n is None:
                n = sum(counts(user).values())
                cache.set(key, n, COUNT_SECONDS)
            request._gz_inbox_count = n
    return request._gz_inbox_count


@dataclass
class Item:
    kind: str  # votes | feedback | milestones | notices
    title: str
    detail: str
    url: str
    at: datetime | None
    notice_id: int | None = None


def items(user) -> dict[str, list[Item]]:
    """The inbox page and API: each source's items, most urgent first."""
    src = sources(user)
    out: dict[str, list[Item]] = {}
    out["votes"] = [
        Item(
            "votes",
            v.title,
            _("截止:%(at)s") % {"at": timezone.localtime(v.closes_at).strftime("%Y-%m-%d %H:%M")},
            reverse("consultation:vote_detail", args=[v.pk]),
            None,  # the deadline is the detail line
        )
        for v in src["votes"].order_by("closes_at", "id")[:LIMIT]
    ]
    out["feedback"] = [
        Item(
            "feedback",
            f"{fb.compound.name} · {fb.get_category_display()}",
            _("%(status)s,办理期限 %(due)s")
            % {"status": fb.get_status_display(), "due": fb.due_on},
            reverse("consultation:feedback_detail", args=[fb.pk]),
            fb.created_at,
        )
        for fb in src["feedback"].select_related("compound").order_by("due_on", "id")[:LIMIT]
    ]
    out["milestones"] = [
        Item(
            "milestones",
            f"{m.works} · {m.get_stage_display()}",
            _("计划 %(planned)s,已逾期 %(days)s 天")
            % {"planned": m.planned_on, "days": (timezone.localdate() - m.planned_on).days},
            reverse("works:works_detail", args=[m.works_id]),
            None,
        )
        for m in src["milestones"][:LIMIT]
    ]
    out["notices"] = [
        Item("notices", n.subject, n.body, "", n.created_at, notice_id=n.pk)
        for n in src["notices"].order_by("-created_at", "-id")[:LIMIT]
    ]
    return out


def notice_mark_read(*, user, notice_id, source: str = "web") -> Notice:
    """Mark one of the user's notices read. Someone else's or a missing one
    is a 404; already read is left as it was."""
    with transaction.atomic():
        n = Notice.objects.select_for_update().filter(pk=notice_id, recipient=user).first()
        if n is None:
            raise Http404(_("通知不存在"))
        if n.read_at is None:
            n.read_at = timezone.now()
            n.save(update_fields=["read_at"])
            audit.record(
                actor=user,
                instance=n,
                action="update",
                source=source,
                changes={"read_at": [None, n.read_at.isoformat()]},
            )
    return n


def notices_mark_all_read(*, user, source: str = "web") -> int:
    with transaction.atomic():
        now = timezone.now()
        n = Notice.objects.filter(recipient=user, read_at__isnull=True).update(read_at=now)
        if n:
            audit.record(
                actor=user,
                instance=user,
                action="update",
                source=source,
                changes={"notices_read": n, "read_at": now.isoformat()},
            )
    return n


SECTION_TITLES = {
    "votes": gettext_lazy("待您表决"),
    "feedback": gettext_lazy("待处理的居民反馈"),
    "milestones": gettext_lazy("已逾期的施工节点"),
    "notices": gettext_lazy("未读通知"),
}
