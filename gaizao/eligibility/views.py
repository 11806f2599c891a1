"""Pages: the reserve (项目储备库), one compound's verdict, the policies.
Thin: authorise, validate, call the service, render."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gaizao.core import jobs, pagecache
from gaizao.core.errors import DomainError
from gaizao.core.xlsx import xlsx_response
from gaizao.inventory.permissions import get_compound_for_user
from gaizao.regions.selectors import communities_of, resolve_street, street_list, streets_of

from . import areapick, rules, selectors, services
from .evaluation import area_compounds
from .forms import DeterminationForm, PolicyForm
from .permissions import (
    can_do,
    get_policy_for_user,
    policy_areas_for,
    policy_editable,
    require,
)
from .tasks import evaluate_area_task, reserve_url

MARKS = {True: ("✔", "ok"), False: ("✘", "bad"), None: ("?", "warn")}


def _marked(reasons):
    out = []
    for r in reasons:
        r = r if isinstance(r, dict) else r.as_dict()
        mark, css = MARKS[r["passed"]]
        out.append(r | {"mark": mark, "css": css, "indent": r["criterion"].startswith("need.")})
    return out


@login_required
def reserve(request):
    user = request.user
    require(user, "eligibility.view", _("您的角色无权查看改造范围"))
    g = request.GET
    if g.get("format") == "xlsx":
        policy, filters = _reserve_filters(request)
        qs = selectors.reserve_verdicts(user, policy=policy, **filters)
        return _export(qs, policy)

    def build():
        return "eligibility/partials/_reserve_body.html", _reserve_context(request)

    # The body is cached per user, query and data version (core.pagecache);
    # the evaluate form, which posts, is rendered around it on every request.
    can_evaluate = can_do(user, "eligibility.evaluate")
    return render(
        request,
        "eligibility/reserve.html",
        {
            "body": pagecache.cached_body(request, "eligibility.reserve", build),
            "can_evaluate": can_evaluate,
            # The user's own area preselected; another is typed (name or
            # code) and resolved within the user's scope on POST (areapick):
            # no list that grows with the jurisdiction (STYLE.md habit 18).
            "own_area": user.area if can_evaluate and user.area_id else None,
            "policy_code": (g.get("policy") or "")[:64],
        },
    )


def _reserve_filters(request):
    g, user = request.GET, request.user
    policy = selectors.get_policy(g.get("policy")) if g.get("policy") else None
    street = selectors.area_from_code(g.get("street"), user)
    if street is None and g.get("street"):  # typed by name (a wide scope)
        scope = streets_of(user.area if user.area_id else None)
        street = resolve_street(scope, g.get("street"))[0]
    community = selectors.area_from_code(g.get("community"), user)
    q = (g.get("q") or "").strip()[:64]
    verdict = g.get("verdict") if g.get("verdict") in rules.VERDICT_LABELS else ""
    return policy, {"street": street, "community": community, "q": q, "verdict": verdict}


def _reserve_context(request):
    user, g = request.user, request.GET
    policy, filters = _reserve_filters(request)
    street, community = filters["street"], filters["community"]
    qs = selectors.reserve_verdicts(user, policy=policy, **filters)
    # Under the default policies, for the whole scope or a street, the cards
    # add up the kept per-street tallies (a national user's reserve does not
    # count 220,000 verdicts); otherwise they count the verdicts asked for.
    kept = None
    if policy is None and community is None and not filters["q"]:
        kept = selectors.kept_reserve_totals(user, street=street)
    totals = kept or selectors.reserve_totals(
        selectors.reserve_verdicts(user, policy=policy, **(filters | {"verdict": ""}))
    )
    page = Paginator(selectors.reserve_rows(qs), 50).get_page(g.get("page"))
    for v in page:
        v.first_problem = next(
            (f"{r['label']}:{r['detail']}" for r in v.reasons if r["passed"] is False), ""
        ) or (_("缺少:") + "、".join(v.missing) if v.missing else "")
    cards = [
        {"key": k, "label": _(label), **totals[k]} for k, label in rules.VERDICT_LABELS.items()
    ]
    return {
        "page": page,
        "cards": cards,
        "policy": policy,
        "policies": selectors.policies(),
        # A list of streets for a district; a typed box above that (None).
        "streets": street_list(streets_of(user.area if user.area_id else None)),
        # Cascading: a street's communities once a street is chosen, never
        # every community of the jurisdiction (STYLE.md habit 18).
        "communities": communities_of(street) if street else [c for c in [community] if c],
        "street": street,
        "community": community,
        "verdict": filters["verdict"],
        "q": filters["q"],
        "verdict_choices": {k: _(v) for k, v in rules.VERDICT_LABELS.items()},
        "unevaluated": selectors.unevaluated_count(user, policy),
        "can_evaluate": can_do(user, "eligibility.evaluate"),
        "export_query": g.urlencode(),
    }


def _export(qs, policy):
    headers = [
        _("小区名称"),
        _("街道"),
        _("社区"),
        _("建成年份"),
        _("建筑面积(㎡)"),
        _("户数"),
        _("政策"),
        _("结论"),
        _("扩展范围"),
        _("未通过或待核实的依据"),
        _("缺少的数据"),
        _("评估时间"),
    ]
    tz = timezone.get_current_timezone()

    def rows():
        for v in selectors.reserve_rows(qs).iterator(chunk_size=2000):
            c = v.compound
            problems = ";".join(
                f"{r['label']}:{r['detail']}" for r in v.reasons if r["passed"] is not True
            )
            yield [
                c.name,
                c.street.name,
                c.community.name if c.community_id else "",
                c.built_year,
                float(c.floor_area) if c.floor_area is not None else None,
                c.households,
                str(v.policy),
                _(rules.VERDICT_LABELS[v.verdict]),
                _("是") if v.extension else "",
                problems,
                "、".join(v.missing),
                v.evaluated_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
            ]

    name = f"改造范围-{policy.code if policy else '默认政策'}-{timezone.localdate():%Y%m%d}.xlsx"
    return xlsx_response(name, _("老旧小区改造项目储备库"), headers, rows())


@login_required
@require_POST
def reserve_evaluate(request):
    user = request.user
    if not can_do(user, "eligibility.evaluate"):
        raise PermissionDenied(_("您的角色无权评估改造范围"))
    area, problem = areapick.resolve(user, request.POST.get("area"))
    policy = None
    if request.POST.get("policy"):
        policy = selectors.get_policy(request.POST["policy"])
        if policy is None:
            messages.error(request, _("没有找到该政策"))
            return redirect("eligibility:reserve")
    if area is None:
        messages.error(request, problem)
        return redirect(reserve_url(policy))
    n = area_compounds(actor=user, area=area).count()  # refuses another jurisdiction
    if n > settings.GAIZAO_SYNC_EVALUATE_MAX:
        # A large jurisdiction: evaluated by the worker in chunks, with
        # progress on the job's page (issue 14 item 3).
        job = jobs.start(
            user=user,
            kind="eligibility.evaluate",
            title=_("评估改造范围:%(area)s") % {"area": area.name},
            task=evaluate_area_task,
            user_id=user.pk,
            area_id=area.pk,
            policy_id=policy.pk if policy else None,
        )
        return redirect("core:job", pk=job.pk)
    try:
        result = services.evaluate_area(actor=user, area=area, policy=policy)
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, f"{area.name}:{result.summary}")
    return redirect(reserve_url(policy))


@login_required
@require_http_methods(["GET", "POST"])
def compound(request, pk):
    user = request.user
    staff = can_do(user, "eligibility.view")
    if not staff:
        require(user, "eligibility.view_own", _("您的角色无权查看改造范围"))
    c = get_compound_for_user(user, pk)
    default = selectors.default_policy_for(c)
    if not staff:
        # Residents: their own compound, its default policy, nothing to change.
        if request.method == "POST":
            raise PermissionDenied(_("您的角色无权评估改造范围"))
        return _compound_page(request, c, default, default, staff=False)
    key = request.POST.get("policy") or request.GET.get("policy")
    policy = selectors.get_policy(key) if key else default
    if policy is None:
        messages.error(request, _("没有找到该政策,已按本辖区默认政策评估"))
        policy = default
    if request.method == "POST":
        try:
            services.evaluate_compound(c, policy, actor=user)
        except DomainError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, _("已按“%(policy)s”重新评估并保存结论") % {"policy": policy})
        url = reverse("eligibility:compound", args=[c.pk])
        return redirect(url if policy == default else f"{url}?policy={policy.code}")
    return _compound_page(request, c, policy, default, staff=True)


@login_required
@require_POST
def compound_decide(request, pk):
    """核实 a 待核实 verdict, or record the leadership office's decision."""
    user = request.user
    require(user, "eligibility.view", _("您的角色无权查看改造范围"))
    c = get_compound_for_user(user, pk)
    default = selectors.default_policy_for(c)
    kind = request.POST.get("kind") if request.POST.get("kind") in ("verify", "override") else "x"
    form = DeterminationForm(request.POST, request.FILES, auto_id=f"{kind}_%s")
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.determination_record(
                actor=user,
                compound=c,
                kind=d["kind"],
                outcome=d["outcome"],
                reason=d["reason"],
                evidence=d["evidence"],
                policy=default,
            )
        except DomainError as e:
            form.add_error(None, e.message)
        else:
            messages.success(request, _("已记录并重新保存改造范围结论"))
            return redirect("eligibility:compound", pk=c.pk)
    # Everything the person entered stays on the page, the error on top.
    return _compound_page(request, c, default, default, staff=True, form=form, status=400)


def _compound_page(request, c, policy, default, *, staff: bool, form=None, status=200):
    _c, _p, live, _d = selectors.compute_one(c, policy)
    stored = selectors.stored_verdict(c, policy) if policy else None
    user = request.user
    on_default = policy is not None and default is not None and policy.pk == default.pk
    may_verify = staff and on_default and can_do(user, "eligibility.verify")
    may_override = staff and on_default and can_do(user, "eligibility.override")
    forms_ = {}
    if may_verify and (
        live.verdict == rules.REVIEW or (form and form.data.get("kind") == "verify")
    ):
        forms_["verify"] = (
            form
            if form is not None and form.data.get("kind") == "verify"
            else DeterminationForm(initial={"kind": "verify"}, auto_id="verify_%s")
        )
    if may_override:
        forms_["override"] = (
            form
            if form is not None and form.data.get("kind") == "override"
            else DeterminationForm(initial={"kind": "override"}, auto_id="override_%s")
        )
    return render(
        request,
        "eligibility/compound.html",
        {
            "decide_forms": forms_,
            "determinations": selectors.determinations(c) if staff else [],
            "compound": c,
            "policy": policy,
            "default": default,
            "verdict": live,
            "reasons": _marked(live.reasons),
            "stored": stored,
            "stored_differs": stored is not None
            and (
                stored.verdict != live.verdict
                or stored.reasons != [r.as_dict() for r in live.reasons]
            ),
            "policies": selectors.policies() if staff else [],
            "now": timezone.now(),
            "staff": staff,
            "can_evaluate": staff and can_do(request.user, "eligibility.evaluate"),
        },
        status=status,
    )


@login_required
def policy_list(request):
    user = request.user
    require(user, "eligibility.view", _("您的角色无权查看改造政策"))
    items = list(selectors.policies())
    for p in items:
        p.editable = policy_editable(user, p)
    return render(
        request,
        "eligibility/policy_list.html",
        {
            "policies": items,
            "can_manage": can_do(user, "policy.manage"),
            "labels": {
                k: _(v) for k, v in {**rules.CONDITION_LABELS, **rules.EXCLUSION_LABELS}.items()
            },
            "statuses": {k: _(v) for k, v in rules.MANAGEMENT_LABELS.items()},
        },
    )


def _form_data(form) -> dict:
    return dict(form.cleaned_data)


@login_required
@require_http_methods(["GET", "POST"])
def policy_create(request):
    user = request.user
    if not can_do(user, "policy.manage"):
        raise PermissionDenied(_("您的角色无权制定改造政策"))
    areas = policy_areas_for(user)
    source = None
    if request.GET.get("from"):
        source = get_policy_for_user(user, request.GET["from"])
    if request.method == "POST":
        form = PolicyForm(request.POST, areas=areas)
        if form.is_valid():
            try:
                p = services.policy_create(actor=user, data=_form_data(form))
            except DomainError as e:
                form.add_error(None, e.message)
            else:
                messages.success(request, _("已保存政策“%(p)s”") % {"p": p})
                return redirect("eligibility:policy_list")
    else:
        initial = {}
        if source is not None:
            initial = {f: getattr(source, f) for f in PolicyForm.Meta.fields}
            if source.area_id is None or not areas.filter(pk=source.area_id).exists():
                initial["area"] = user.area_id
                initial["name"] = f"{user.area.name if user.area_id else ''}{source.name}"
            initial["is_default"] = False
        else:
            initial = {
                "area": user.area_id,
                "criteria": list(rules.CONDITION_LABELS),
                "exclusions": list(rules.EXCLUSION_LABELS),
                "neglect_statuses": ["none", "self_governance"],
                "poor_management_statuses": ["none", "self_governance"],
                "environment_facilities": ["waste_sorting", "illegal_structures", "cooking_fumes"],
            }
        form = PolicyForm(initial=initial, areas=areas)
    return render(request, "eligibility/policy_form.html", {"form": form, "source": source})


@login_required
@require_http_methods(["GET", "POST"])
def policy_edit(request, pk):
    user = request.user
    policy = get_policy_for_user(user, pk, write=True)
    areas = policy_areas_for(user)
    if request.method == "POST":
        form = PolicyForm(request.POST, instance=selectors.fresh_policy(policy), areas=areas)
        if form.is_valid():
            try:
                services.policy_update(actor=user, policy=policy, data=_form_data(form))
            except DomainError as e:
                form.add_error(None, e.message)
            else:
                messages.success(
                    request, _("已修改政策“%(policy)s”;请重新评估以更新储备库") % {"policy": policy}
                )
                return redirect("eligibility:policy_list")
    else:
        form = PolicyForm(instance=policy, areas=areas)
    return render(request, "eligibility/policy_form.html", {"form": form, "policy": policy})
