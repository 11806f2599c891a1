"""Catalogue (改造内容), funding rules and clusters (片区) pages."""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from gaizao.catalogue.models import CatalogItem, EstimateBasis, ItemUnit, Tier
from gaizao.core.errors import DomainError
from gaizao.inventory import facilities

from . import selectors, services
from .forms import RULE_DECIMALS, CatalogItemForm, ClusterForm, FundingRuleForm
from .funding import SOURCE_LABELS, TIER_LABELS
from .permissions import can_do, clusters_for_user, get_cluster_for_user, require


def _user_area(user):
    return user.area if getattr(user, "area_id", None) else None


@login_required
def catalogue_list(request):
    year = timezone.localdate().year
    try:
        year = int(request.GET.get("year") or year)
    except ValueError:
        pass
    area = _user_area(request.user)
    items = list(selectors.catalogue_for_area(area, year).select_related("jurisdiction"))
    groups = [
        (_(TIER_LABELS.get(t, t)), [i for i in items if i.tier == t]) for t, _label in Tier.choices
    ]
    return render(
        request,
        "plans/catalogue_list.html",
        {
            "groups": [g for g in groups if g[1]],
            "year": year,
            "area": area,
            "can_edit": can_do(request.user, "catalogue.edit"),
            "source_labels": {k: _(v) for k, v in SOURCE_LABELS.items()},
        },
    )


@login_required
def catalogue_edit(request, pk=None):
    """Edit a catalogue item. A district user saves it for their own area
    (and the chosen year, or all years): the national default stays as is."""
    require(request.user, "catalogue.edit")
    base = get_object_or_404(CatalogItem, pk=pk) if pk else None
    area = _user_area(request.user)
    errors: list[str] = []
    if request.method == "POST":
        form = CatalogItemForm(request.POST, new=base is None)
        form.is_valid()
        errors = form.error_list()
        data, year = (form.item_data(), form.cleaned_data.get("year")) if not errors else ({}, None)
        if not errors:
            try:
                item = services.catalogue_item_save(
                    actor=request.user, base=base, data=data, jurisdiction=area, year=year
                )
            except DomainError as e:
                errors.append(e.message)
            else:
                messages.success(
                    request,
                    _("已保存“%(name)s”") % {"name": item.name}
                    + (_("(%(name)s适用)") % {"name": area.name} if area else _("(全国默认)")),
                )
                return redirect("plans:catalogue")
    return render(
        request,
        "plans/catalogue_edit.html",
        {
            "item": base,
            "area": area,
            "errors": errors,
            "post": request.POST if request.method == "POST" else None,
            "tiers": Tier.choices,
            "units": ItemUnit.choices,
            "bases": EstimateBasis.choices,
            "facilities": facilities.CHOICES,
            "sources": [(k, _(v)) for k, v in SOURCE_LABELS.items()],
            "year": timezone.localdate().year,
        },
        status=400 if errors else 200,
    )


# ---- funding rules --------------------------------------------------------------


@login_required
def funding_rules(request):
    area = _user_area(request.user)
    rules = selectors.funding_rules_for_area(area)
    can_edit = can_do(request.user, "funding_rule.edit") and area is not None
    year = timezone.localdate().year
    errors: list[str] = []
    if request.method == "POST":
        require(request.user, "funding_rule.edit")
        form = FundingRuleForm(request.POST)
        valid = form.is_valid()
        errors = form.errors_list()
        if area is None:
            errors.insert(0, _("您的账号没有辖区,不能设置资金规则"))
        if valid:
            year = form.cleaned_data["year"]
        if valid and area is not None:
            services.funding_rule_save(
                actor=request.user, area=area, year=year, data=form.rule_data()
            )
            messages.success(
                request,
                _("已保存%(name)s%(year)s年资金筹措规则") % {"name": area.name, "year": year},
            )
            return redirect("plans:funding_rules")
    current = selectors.area_rule_of_year(rules, area, year)
    return render(
        request,
        "plans/funding_rules.html",
        {
            "rules": rules,
            "can_edit": can_edit,
            "area": area,
            "year": year,
            "current": current,
            "decimals": [
                (k, lbl, getattr(current, k, "") if current else "") for k, lbl in RULE_DECIMALS
            ],
            "tiers": Tier.choices,
            "errors": errors,
        },
        status=400 if errors else 200,
    )


# ---- clusters --------------------------------------------------------------------


@login_required
def cluster_list(request):
    clusters = (
        clusters_for_user(request.user).select_related("area").prefetch_related("members__compound")
    )
    return render(
        request,
        "plans/cluster_list.html",
        {
            "clusters": clusters,
            "can_edit": can_do(request.user, "cluster.edit"),
        },
    )


@login_required
def cluster_new(request):
    require(request.user, "cluster.edit")
    # The street filter and ticked compounds survive a filter change (GET)
    # and a failed submit (POST): both lists count.
    form = ClusterForm(request.POST if request.method == "POST" else request.GET)
    form.is_valid()
    typed = form.cleaned_data.get("street") or request.GET.get("street", "")
    street, street_problem = selectors.cluster_street(request.user, typed) if typed else ("", "")
    streets = selectors.cluster_streets(request.user)
    # A scope too wide for a street list (a city, the country) picks from one
    # street at a time: no sort of every unclustered compound of the
    # jurisdiction per request (STYLE.md habit 18).
    need_street = streets is None and not street
    picked = form.picked
    if request.method == "POST":
        picked += ClusterForm(request.GET).picked
    errors = []
    if request.method == "POST":
        chosen = selectors.visible_compounds(request.user, picked)
        if len(chosen) != len(set(picked)):
            errors.append(_("所选小区中有不在您辖区内的小区"))
        else:
            try:
                cluster = services.cluster_create(
                    actor=request.user,
                    name=form.cleaned_data.get("name", ""),
                    compounds=chosen,
                    note=form.cleaned_data.get("note", ""),
                )
            except DomainError as e:
                errors.append(e.message)
            else:
                messages.success(
                    request,
                    _("已建立片区“%(name)s”,共 %(n_chosen)s 个小区")
                    % {"name": cluster.name, "n_chosen": len(chosen)},
                )
                return redirect("plans:cluster_detail", cluster.pk)
    return render(
        request,
        "plans/cluster_new.html",
        {
            "compounds": (
                [] if need_street else selectors.unclustered_compounds(request.user, street)[:300]
            ),
            "need_street": need_street,
            "street_problem": street_problem,
            "picked": set(picked),
            "errors": errors,
            "streets": streets,
            "street": street,
            "street_typed": typed,
            "name": form.cleaned_data.get("name", ""),
        },
        status=400 if errors else 200,
    )


@login_required
def cluster_detail(request, pk):
    cluster = get_cluster_for_user(request.user, pk)
    if request.method == "POST":
        require(request.user, "plan.draft")
        try:
            plan = services.plan_draft_for_cluster(actor=request.user, cluster=cluster)
        except DomainError as e:
            messages.error(request, e.message)
            return redirect("plans:cluster_detail", cluster.pk)
        messages.success(request, _("已根据各成员小区的摸底调查生成片区方案草稿"))
        return redirect("plans:plan_detail", plan.pk)
    members = [
        m.compound
        for m in cluster.members.select_related("compound__street", "compound__community")
    ]
    return render(
        request,
        "plans/cluster_detail.html",
        {
            "cluster": cluster,
            "members": sorted(members, key=lambda c: c.name),
            "plan": selectors.current_plan_for_cluster(cluster),
            "can_draft": can_do(request.user, "plan.draft"),
            "total_area": sum((c.floor_area or 0 for c in members), Decimal(0)),
            "total_households": sum((c.households or 0 for c in members), 0),
        },
    )
