"""Who may see and do what with works: the one chokepoint (STYLE.md habit 4).

Visibility is `works_q(user)`: staff and management bodies see the works of
the compounds they see (inventory.permissions.compound_q); contractors and
designers see only the works whose contractor, designer or supervisor is
their organisation — inventory's compound_q stays NOTHING for them, so the
link lives here and widens nothing else. Invisible → 404, read-only → 403."""

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.utils.translation import gettext as _

from gaizao.accounts.models import Role
from gaizao.accounts.permissions import NOTHING, can
from gaizao.inventory.permissions import compound_q
from gaizao.plans.models import ClusterMember

from .models import Works, WorksPhoto

R = Role
STAFF = {R.LEADERSHIP, R.HOUSING_BUREAU, R.STREET_OFFICE}
RULES: dict[str, set] = {
    "works.create": STAFF,
    "works.edit": STAFF,
    "works.report": STAFF | {R.CONTRACTOR},
    "works.inspect": STAFF | {R.COMMUNITY},
    "works.change.propose": STAFF | {R.CONTRACTOR, R.DESIGNER},
    "works.change.approve": {R.LEADERSHIP, R.HOUSING_BUREAU},
    "works.cost": STAFF,
    "works.accept": STAFF | {R.COMMUNITY},
    "works.defect": STAFF | {R.COMMUNITY, R.RESIDENT, R.OWNERS_COMMITTEE, R.PROPERTY_COMPANY},
    "works.defect.fix": STAFF | {R.CONTRACTOR},
    "responsibility.view": STAFF | {R.COMMUNITY},
    "organisation.edit": {R.LEADERSHIP, R.HOUSING_BUREAU},
}


def can_do(user, action: str) -> bool:
    return can(user, RULES, action)


def capabilities(user) -> dict:
    """{"works_report": True, …} for templates (dots become underscores)."""
    return {a.replace(".", "_"): can_do(user, a) for a in RULES}


def works_q(user, path: str = "") -> Q:
    """Q over Works (through `path`) keeping the works `user` may see."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return NOTHING
    if user.is_superuser:
        return Q()
    if user.role in (R.CONTRACTOR, R.DESIGNER):
        oid = user.organisation_id
        if oid is None:
            return NOTHING
        return (
            Q(**{f"{path}contractor_id": oid})
            | Q(**{f"{path}designer_id": oid})
            | Q(**{f"{path}supervisor_id": oid})
        )
    if compound_q(user) == NOTHING:
        return NOTHING
    # The compound's own condition as joins (no `IN` list of every visible
    # compound: for a national user that was all 220,000 of them, inside an
    # OR the planner cannot turn into a semi-join), and a cluster's works
    # through an EXISTS over its members, the same condition on them.
    own = Q(**{f"{path}compound__isnull": False}) & compound_q(user, f"{path}compound__")
    in_cluster = Exists(
        ClusterMember.objects.filter(
            compound_q(user, "compound__"), cluster_id=OuterRef(f"{path}cluster_id")
        )
    )
    return own | Q(in_cluster)


def works_for_user(user):
    return Works.objects.filter(works_q(user))


def get_works_for_user(user, pk, *, action: str | None = None) -> Works:
    try:
        w = (
            works_for_user(user)
            .select_related(
                "plan",
                "compound__street",
                "cluster",
                "implementer",
                "designer",
                "contractor",
                "supervisor",
            )
            .get(pk=pk)
        )
    except (Works.DoesNotExist, ValueError, TypeError):
        raise Http404(_("施工项目不存在或不在您的权限范围内"))
    if action and not can_do(user, action):
        raise PermissionDenied(_("您的角色无权执行此操作"))
    return w


def may_see_file(user, name: str) -> bool:
    wid = WorksPhoto.objects.filter(image=name).values_list("works_id", flat=True).first()
    return wid is not None and works_for_user(user).filter(pk=wid).exists()
