"""Management arrangement pages: record/edit from the plan page, list per jurisdiction."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from gaizao.core.errors import DomainError
from gaizao.inventory.permissions import compounds_for_user, get_compound_for_user
from gaizao.regions.models import Organisation

from .forms import ArrangementForm
from .models import MANAGER_KINDS, ManagementModel
from .permissions import arrangements_for_user, can_do, require_edit
from .selectors import arrangement_for_compound, manager_choices, manager_kinds
from .services import arrangement_save


def _manager_groups(compound) -> list[dict]:
    """The manager choices grouped by kind, each group saying which models it
    fits (the service refuses any other pairing)."""
    orgs = list(manager_choices(compound)[:500])
    groups = []
    for kind in manager_kinds():
        members = [o for o in orgs if o.kind == kind]
        if not members:
            continue
        models = [str(ManagementModel(m).label) for m, ks in MANAGER_KINDS.items() if kind in ks]
        groups.append(
            {
                "label": _("%(kind)s(适用于:%(models)s)")
                % {"kind": Organisation.Kind(kind).label, "models": "、".join(models)},
                "orgs": members,
            }
        )
    return groups


@login_required
def arrangement_list(request):
    qs = arrangements_for_user(request.user).select_related("compound__street", "manager")
    model = request.GET.get("model", "")
    if model in ManagementModel.values:
        qs = qs.filter(model=model)
    total = compounds_for_user(request.user).count()
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "stewardship/arrangement_list.html",
        {
            "page": page,
            "models": ManagementModel.choices,
            "model": model,
            "total": total,
            "recorded": qs.count() if not model else None,
        },
    )


@login_required
def arrangement_edit(request, compound_pk):
    compound = get_compound_for_user(request.user, compound_pk)
    require_edit(request.user)
    arr = arrangement_for_compound(compound)
    nxt = request.GET.get("next") or request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        nxt = ""
    error = ""
    if request.method == "POST":
        form = ArrangementForm(request.POST)
        form.is_valid()  # every field is optional text; the service judges
        try:
            arrangement_save(actor=request.user, compound=compound, data=form.arrangement_data())
        except DomainError as e:
            error = e.message
        else:
            messages.success(
                request, _("已登记%(name)s改造后的长效管理安排") % {"name": compound.name}
            )
            return redirect(nxt or "stewardship:arrangement_list")
    return render(
        request,
        "stewardship/arrangement_form.html",
        {
            "compound": compound,
            "a": arr,
            "models": ManagementModel.choices,
            "manager_groups": _manager_groups(compound),
            "selected_manager": str(
                request.POST.get("manager", "")
                if request.method == "POST"
                else arr and arr.manager_id or ""
            ),
            "next": nxt,
            "error": error,
            "post": request.POST if request.method == "POST" else None,
            "can_edit": can_do(request.user, "arrangement.edit"),
        },
        status=400 if error else 200,
    )
