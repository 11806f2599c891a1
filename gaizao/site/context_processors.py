"""Navigation shown in the header: only links the user may use and that exist."""

from functools import partial

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy

from gaizao.accounts.models import Role

from .inbox import inbox_count

# (label, url name, roles allowed or None for every signed-in staff role)
STAFF_NAV = [
    (gettext_lazy("首页"), "core:home", None),
    (gettext_lazy("小区台账"), "inventory:compound_list", None),
    (gettext_lazy("地图"), "inventory:map", None),
    (
        gettext_lazy("导入"),
        "inventory:import",
        {Role.LEADERSHIP, Role.HOUSING_BUREAU, Role.STREET_OFFICE},
    ),
    (gettext_lazy("改造范围"), "eligibility:reserve", None),
    (gettext_lazy("改造方案"), "plans:plan_list", None),
    (gettext_lazy("改造计划"), "programme:programme_list", {Role.LEADERSHIP, Role.HOUSING_BUREAU}),
    (gettext_lazy("居民参与"), "consultation:staff_home", None),
    (gettext_lazy("居民反馈"), "consultation:feedback_queue", None),
    (gettext_lazy("施工项目"), "works:works_list", None),
    (
        gettext_lazy("责任清单"),
        "works:responsibility",
        {Role.LEADERSHIP, Role.HOUSING_BUREAU, Role.STREET_OFFICE, Role.COMMUNITY},
    ),
    (
        gettext_lazy("组织机构"),
        "works:organisation",
        {Role.LEADERSHIP, Role.HOUSING_BUREAU, Role.STREET_OFFICE, Role.COMMUNITY},
    ),
    (
        gettext_lazy("驾驶舱"),
        "disclosure:dashboard",
        {Role.LEADERSHIP, Role.HOUSING_BUREAU, Role.STREET_OFFICE},
    ),
    (gettext_lazy("信息公开"), "disclosure:portal", None),
    (gettext_lazy("用户密码"), "accounts:reset_admin", {Role.LEADERSHIP, Role.HOUSING_BUREAU}),
    (
        gettext_lazy("操作记录"),
        "core:audit_log",
        {Role.LEADERSHIP, Role.HOUSING_BUREAU, Role.STREET_OFFICE, Role.COMMUNITY},
    ),
]
RESIDENT_NAV = [(gettext_lazy("我的小区"), "consultation:portal", None)]
# Contractors and designers see the works they are contracted for, not the
# inventory: for now that is the residents' feedback routed to them.
WORKS_NAV = [
    (gettext_lazy("施工项目"), "works:works_list", None),
    (gettext_lazy("居民反馈"), "consultation:feedback_queue", None),
]
WORKS_ROLES = {Role.CONTRACTOR, Role.DESIGNER}


def _links(spec, user):
    out = []
    for label, name, roles in spec:
        if roles is not None and not user.is_superuser and user.role not in roles:
            continue
        try:
            out.append({"label": label, "url": reverse(name), "name": name})
        except NoReverseMatch:
            continue
    return out


def nav(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_links": []}
    if user.role == Role.RESIDENT:
        spec = RESIDENT_NAV
    elif user.role in WORKS_ROLES:
        spec = WORKS_NAV
    else:
        spec = STAFF_NAV
    # A callable: the template calls it only where the header is drawn, and
    # the count (one query) is cached on the request.
    return {"nav_links": _links(spec, user), "inbox_count": partial(inbox_count, request)}
