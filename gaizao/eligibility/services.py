"""Writes: built-in policies, a jurisdiction's own policies, and evaluations
that store verdicts (the reserve). Every write validates first and saves in
one transaction; nothing is half-written."""

from __future__ import annotations

import re
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gaizao.core import audit, uploads
from gaizao.core.errors import DomainError
from gaizao.inventory.facilities import BY_CODE
from gaizao.inventory.models import Compound
from gaizao.inventory.permissions import compounds_for_user
from gaizao.regions.models import Area

from . import builtin, rules, selectors
from .evaluation import AreaEvaluation, EvaluationFailed, evaluate_area, store_verdicts  # noqa: F401
from .models import Determination, Policy, Verdict, fraction_str
from .permissions import area_within_user, can_do, policy_editable

# --- policies ------------------------------------------------------------------

LIST_FIELDS = {
    "criteria": set(rules.CONDITION_LABELS),
    "exclusions": set(rules.EXCLUSION_LABELS),
    "neglect_statuses": set(rules.MANAGEMENT_LABELS),
    "poor_management_statuses": set(rules.MANAGEMENT_LABELS),
    "environment_facilities": set(BY_CODE),
}
PARAM_FIELDS = [
    "name",
    "area",
    "valid_from",
    "is_default",
    "basis",
    "description",
    "built_cutoff",
    "cutoff_inclusive",
    "extension_cutoff",
    "extension_cap_pct",
    "require_main_urban",
    "single_buildings_count",
    "criteria",
    "conditions_min",
    "neglect_score_below",
    "neglect_statuses",
    "facilities_broken_pct",
    "environment_facilities",
    "environment_min",
    "poor_management_statuses",
    "willingness_mode",
    "willingness_min",
    "exclusions",
    "demolition_years",
    "self_built_pct",
]


def _validate(data: dict) -> None:
    """Cross-field checks the form and the API share (field types are checked
    by the form or the schema)."""
    problems = []
    for name, allowed in LIST_FIELDS.items():
        if name in data:
            bad = [v for v in (data[name] or []) if v not in allowed]
            if bad:
                problems.append(
                    _("%(field)s含未知选项:%(values)s")
                    % {
                        "field": Policy._meta.get_field(name).verbose_name,
                        "values": "、".join(map(str, bad)),
                    }
                )
    ext, cut = data.get("extension_cutoff"), data.get("built_cutoff")
    if ext and cut and ext <= cut:
        problems.append(_("扩展范围截止日期必须晚于建成时间截止日期"))
    if data.get("extension_cap_pct") is not None and not ext:
        problems.append(_("设置了扩展范围户数上限,但没有扩展范围截止日期"))
    crit = data.get("criteria") or []
    if crit and data.get("conditions_min") and data["conditions_min"] > len(crit):
        problems.append(
            _("“至少满足几项”为 %(conditions_min)s,但只选了 %(n_crit)s 项判断项")
            % {"conditions_min": data["conditions_min"], "n_crit": len(crit)}
        )
    if "willingness_min" in data:
        try:
            data["willingness_min"] = fraction_str(data["willingness_min"])
        except ValueError as e:
            problems.append(f"{Policy._meta.get_field('willingness_min').verbose_name}:{e}")
    if "environment" in crit and not data.get("environment_facilities"):
        problems.append(_("选择了“环境脏乱差”,请至少选择一项检查的设施"))
    if problems:
        raise DomainError(";".join(problems))


def _set_default(policy: Policy) -> None:
    """One default per jurisdiction (the constraint covers areas; NULL = the
    nation is kept unique here)."""
    qs = Policy.objects.filter(is_default=True)
    if policy.pk is not None:
        qs = qs.exclude(pk=policy.pk)
    qs = qs.filter(area__isnull=True) if policy.area_id is None else qs.filter(area=policy.area)
    qs.update(is_default=False)


def _full_clean(policy: Policy) -> None:
    """Model validation as one Chinese DomainError (raised inside the
    transaction, so clearing the old default is rolled back with it)."""
    try:
        policy.full_clean()
    except ValidationError as e:
        msgs = []
        for name, errs in e.message_dict.items():
            label = "" if name == "__all__" else f"{Policy._meta.get_field(name).verbose_name}:"
            msgs.extend(label + m for m in errs)
        raise DomainError(";".join(msgs))


def _unique_code(base: str) -> str:
    base = re.sub(r"[^a-z0-9-]+", "-", base.lower()).strip("-")[:56] or "policy"
    code, n = base, 2
    while Policy.objects.filter(code=code).exists():
        code, n = f"{base}-{n}", n + 1
    return code


def policy_create(*, actor, data: dict, source: str = "web") -> Policy:
    """A new policy, or a new version of an existing one (same area and name:
    the version number goes up)."""
    if actor is not None and not can_do(actor, "policy.manage"):
        raise PermissionDenied(_("您的角色无权制定改造政策"))
    area = data.get("area")
    if (
        actor is not None
        and not actor.is_superuser
        and (area is None or not area_within_user(actor, area))
    ):
        raise DomainError(_("只能为本辖区或下级区划制定政策"))
    data = dict(data)
    _validate(data)  # also writes the threshold as an exact fraction ("2/3")
    with transaction.atomic():
        last = (
            Policy.objects.select_for_update()
            .filter(area=area, name=data["name"])
            .order_by("-version")
            .first()
        )
        version = last.version + 1 if last else 1
        policy = Policy(**{k: v for k, v in data.items() if k in PARAM_FIELDS})
        policy.version = version
        year = (data.get("valid_from") or date.today()).year
        policy.code = data.get("code") or _unique_code(
            f"{area.code[:6] if area else 'cn'}-{year}-v{version}"
        )
        policy.created_by = actor if getattr(actor, "is_authenticated", False) else None
        if policy.is_default:
            _set_default(policy)  # first: the constraint allows one default per area
        _full_clean(policy)
        policy.save()
        audit.record(
            actor=actor,
            instance=policy,
            action="create",
            changes={"version": version},
            source=source,
        )
    return policy


def policy_update(*, actor, policy: Policy, data: dict, source: str = "web") -> Policy:
    if actor is not None and not policy_editable(actor, policy):
        raise PermissionDenied(_("您无权修改此政策"))
    area = data.get("area", policy.area)
    if (
        actor is not None
        and not actor.is_superuser
        and (area is None or not area_within_user(actor, area))
    ):
        raise DomainError(_("只能为本辖区或下级区划制定政策"))
    merged = {f: getattr(policy, f) for f in PARAM_FIELDS} | data
    _validate(merged)
    data = {k: merged.get(k, v) for k, v in data.items()}
    with transaction.atomic():
        before = audit.snapshot(policy)
        for k, v in data.items():
            if k in PARAM_FIELDS:
                setattr(policy, k, v)
        if policy.is_default:
            _set_default(policy)
        _full_clean(policy)
        policy.save()
        audit.record(
            actor=actor,
            instance=policy,
            action="update",
            changes=audit.diff(before, audit.snapshot(policy)),
            source=source,
        )
    return policy


def _builtin_values(spec: dict, area) -> dict:
    return {k: v for k, v in spec.items() if k not in ("code", "area_code")} | {
        "area": area,
        "is_builtin": True,
    }


def ensure_builtin_policies() -> list[Policy]:
    """Create the built-in policies that are missing (idempotent; existing ones
    are left as they are, edits included). Panlong 2020 only where the Panlong
    district exists. Returns the policies created."""
    made = []
    with transaction.atomic():
        for spec in builtin.BUILTIN:
            if Policy.objects.filter(code=spec["code"]).exists():
                continue
            area = None
            if spec["area_code"]:
                area = Area.objects.filter(code=spec["area_code"]).first()
                if area is None:
                    continue
            values = _builtin_values(spec, area)
            clash = Policy.objects.filter(is_default=True)
            clash = clash.filter(area=area) if area else clash.filter(area__isnull=True)
            if clash.exists():
                values["is_default"] = False  # the jurisdiction chose its own default
            made.append(Policy.objects.create(code=spec["code"], **values))
    return made


# --- evaluation ------------------------------------------------------------------


def evaluate_compound(compound: Compound, policy: Policy | None = None, *, actor=None) -> Verdict:
    """Evaluate one compound (under its jurisdiction's default policy unless
    `policy` is given) and store the verdict. The extension cap is a
    jurisdiction-wide rule and is applied by evaluate_area only."""
    if actor is not None and not can_do(actor, "eligibility.evaluate"):
        raise PermissionDenied(_("您的角色无权评估改造范围"))
    qs = Compound.objects.filter(pk=compound.pk)
    with transaction.atomic():
        results = selectors.compute(qs, policy, cap=False)
        store_verdicts(results, actor=actor)
        # Evaluations are writes too (issue 9 #6).
        audit.record(
            actor=actor,
            instance=compound,
            action="update",
            changes={"eligibility": [None, results[0][2].verdict], "policy": str(results[0][1])},
        )
    return Verdict.objects.select_related("policy").get(compound=compound, policy=results[0][1])


# --- 核实 and the leadership office's decisions -----------------------------------

REASON_MIN = 4  # characters: "同上" or "无" is not a reason


def determination_record(
    *,
    actor,
    compound: Compound,
    kind: str,
    outcome: str,
    reason: str,
    evidence=None,
    policy: Policy | None = None,
    source: str = "web",
) -> Determination:
    """Record a 核实 (`verify`: settles a 待核实 verdict; reason and evidence
    required) or a decision of the leadership office (`override`: reason
    required, evidence optional), audit it, and store the compound's verdict
    again so the reserve shows it. Under the compound's default policy unless
    `policy` is given. Nothing is written unless everything is valid."""
    action = "eligibility.override" if kind == Determination.Kind.OVERRIDE else "eligibility.verify"
    if kind not in Determination.Kind.values:
        raise DomainError(_("类型只能是 verify(核实)或 override(领导小组办公室决定)"))
    if not can_do(actor, action):
        if kind == Determination.Kind.OVERRIDE:
            raise PermissionDenied(_("只有领导小组办公室可以决定改造范围"))
        raise PermissionDenied(_("您的角色无权核实改造范围"))
    if not actor.is_superuser and not compounds_for_user(actor).filter(pk=compound.pk).exists():
        raise PermissionDenied(_("只能核实本辖区的小区"))
    problems = []
    if outcome not in Determination.Outcome.values:
        problems.append(_("结论只能是“符合改造范围”或“不符合”"))
    reason = (reason or "").strip()
    if len(reason) < REASON_MIN:
        problems.append(_("请写明理由(至少 %(n)s 个字)") % {"n": REASON_MIN})
    ext = None
    if evidence:
        ext, msg = uploads.check_document(evidence)
        if msg:
            problems.append(msg)
    elif kind == Determination.Kind.VERIFY:
        problems.append(_("核实须上传证明材料(照片或 PDF 扫描件)"))
    policy = policy or selectors.default_policy_for(compound)
    if policy is None:
        problems.append(
            _("系统中没有可用的改造政策,请先运行 gaizao eligibility --install-policies")
        )
    if problems:
        raise DomainError(";".join(problems))
    ((_c, _p, live, _d),) = selectors.compute(
        Compound.objects.filter(pk=compound.pk), policy, cap=False
    )
    if kind == Determination.Kind.VERIFY and live.verdict != rules.REVIEW:
        raise DomainError(
            _("当前结论为“%(verdict)s”,只有“待核实”的结论需要核实") % {"verdict": _(live.label)}
        )
    with transaction.atomic():
        d = Determination(
            compound=compound,
            policy=policy,
            kind=kind,
            outcome=outcome,
            verdict_before=live.verdict,
            reason=reason,
            decided_by=actor if getattr(actor, "is_authenticated", False) else None,
            decided_at=timezone.now(),
        )
        if evidence:
            evidence.name = f"evidence{ext}"  # never the client's file name
            d.evidence = evidence
        d.save()
        audit.record(
            actor=actor,
            instance=d,
            action="create",
            changes={
                "compound": compound.name,
                "policy": str(policy),
                "kind": kind,
                "verdict": [live.verdict, outcome],
                "reason": reason,
                "evidence": d.evidence.name if d.evidence else "",
            },
            source=source,
        )
        store_verdicts(
            selectors.compute(Compound.objects.filter(pk=compound.pk), policy, cap=False),
            actor=actor,
        )
    return d
