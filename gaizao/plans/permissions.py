"""Who may see and do what with plans, clusters and the catalogue (STYLE.md
habits 4 and 5). A plan is visible when its compound is (or, for a cluster
plan, when one member is); invisible → 404, visible but not allowed → 403."""

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gaizao.accounts.models import Role
from gaizao.accounts.permissions import can
from gaizao.inventory.permissions import compound_q

from .models import Cluster, ClusterMember, Plan
from .selectors import plans_for_user

R = Role
EDITORS = {R.LEADERSHIP, R.HOUSING_BUREAU, R.STREET_OFFICE, R.COMMUNITY}
DISTRICT = {R.LEADERSHIP, R.HOUSING_BUREAU}
# Every working role: residents read their compound's plan but get none of the
# staff tools (export, clusters, catalogue, funding rules) on /plans/.
STAFF = set(R) - {R.RESIDENT}

# Role × action.
RULES: dict[str, set] = {
    "plan.draft": EDITORS,
    "plan.edit": EDITORS,  # items, quantities, funding lines, notes
    "plan.consult": EDITORS,  # record that residents were consulted (居民已征询)
    "plan.approve": DISTRICT,  # 审批 — the district answers for the money
    "plan.revise": EDITORS,  # new version of an approved plan
    "cluster.edit": EDITORS,
    "catalogue.edit": DISTRICT,
    "funding_rule.edit": DISTRICT,
    "plan.tools": STAFF,
}

MESSAGES = {
    "plan.draft": gettext_lazy("您的角色无权编制改造方案"),
    "plan.edit": gettext_lazy("您的角色无权修改改造方案"),
    "plan.consult": gettext_lazy("您的角色无权登记居民征询"),
    "plan.approve": gettext_lazy("只有领导小组办公室或住建局可以审批改造方案"),
    "plan.revise": gettext_lazy("您的角色无权修订改造方案"),
    "cluster.edit": gettext_lazy("您的角色无权编辑片区"),
    "catalogue.edit": gettext_lazy("只有领导小组办公室或住建局可以修改改造内容目录"),
    "funding_rule.edit": gettext_lazy("只有领导小组办公室或住建局可以修改资金筹措规则"),
    "plan.tools": gettext_lazy("居民账号不能导出方案清单"),
}


def can_do(user, action: str) -> bool:
    return can(user, RULES, action)


def require(user, action: str) -> None:
    if not can_do(user, action):
        raise PermissionDenied(MESSAGES.get(action, _("无权执行此操作")))


def clusters_for_user(user):
    """Clusters with a member the user sees: EXISTS over the members, not a
    join with DISTINCT (STYLE.md habit 18)."""
    seen = compound_q(user, "compound__")
    if not seen:  # every compound (superuser, country-level role)
        return Cluster.objects.all()
    return Cluster.objects.filter(
        Exists(ClusterMember.objects.filter(seen, cluster_id=OuterRef("pk")))
    )


def get_cluster_for_user(user, pk, *, action: str | None = None) -> Cluster:
    try:
        cluster = clusters_for_user(user).select_related("area").get(pk=pk)
    except (Cluster.DoesNotExist, ValueError, TypeError):
        raise Http404(_("片区不存在或不在您的辖区内"))
    if action:
        require(user, action)
    return cluster


def get_plan_for_user(user, pk, *, action: str | None = None) -> Plan:
    try:
        plan = (
            plans_for_user(user)
            .select_related(
                "compound__street",
                "compound__community",
                "cluster__area",
                "created_by",
                "approved_by",
            )
            .get(pk=pk)
        )
    except (Plan.DoesNotExist, ValueError, TypeError):
        raise Http404(_("方案不存在或不在您的辖区内"))
    if action:
        require(user, action)
    return plan
