"""Judge the compounds of a spreadsheet that is not imported: the import
engineer's pure parser reads it, the pure rules judge it. Reads policies
and areas only; writes nothing."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from gaizao.core.errors import DomainError
from gaizao.inventory.importing import parse_compound_sheet
from gaizao.regions.models import Area
from gaizao.regions.scope import areas_within

from . import extension, rules, selectors
from .models import Policy

SUFFIXES = ("街道办事处", "街道办", "街道", "办事处")


def _street_key(s: str) -> str:
    s = (s or "").replace(" ", "").strip()
    for suffix in SUFFIXES:
        if s.endswith(suffix) and len(s) > len(suffix):
            return s[: -len(suffix)]
    return s


def facts_from_row(row: dict) -> rules.CompoundFacts:
    buildings = row.get("buildings")
    return rules.CompoundFacts(
        name=row.get("name") or "",
        built_date=row.get("build_date"),
        built_year=row.get("build_year"),
        built_year_approximate=bool(row.get("build_year_approximate")),
        in_main_urban_area=row.get("in_main_urban_area"),
        management_status=row.get("management_status") or "",
        in_shantytown_plan=row.get("in_shantytown_plan"),
        demolition_planned=row.get("demolition_planned"),
        demolition_within_years=row.get("demolition_within_years"),
        self_built_area=row.get("self_built_area_m2"),
        floor_area=row.get("floor_area_m2"),
        is_urban_village=row.get("is_urban_village"),
        # The sheet has no "single building" column: one building means one.
        is_single_building=buildings == 1,
        households=row.get("households"),
    )


def evaluate_sheet(path, *, policy: Policy | None = None, area: Area | None = None) -> dict:
    """{"rows": [{row, name, street, policy, verdict, reasons, missing}],
    "errors": [...], "skipped": n}. Policy per row: `policy`, else the
    default of the row's street (looked up by name, inside `area` if given),
    else the default of `area`, else the national default."""
    try:
        parsed = parse_compound_sheet(path)
    except DomainError:
        raise
    except (OSError, ValueError) as e:
        raise DomainError(_("无法读取表格:%(e)s") % {"e": e}) from e
    defaults = selectors.DefaultPolicies()
    streets = areas_within(area, Area.objects.filter(level=Area.Level.STREET))
    by_name: dict[str, list[Area]] = {}
    for s in streets.only("id", "name", "code", "prefix", "level"):
        by_name.setdefault(_street_key(s.name), []).append(s)
    errors_by_row = {}
    for e in parsed.errors:
        errors_by_row.setdefault(e.row, []).append(str(e))
    facts = []
    for row in parsed.rows:
        if policy is not None:
            p = policy
        else:
            found = by_name.get(_street_key(row.get("street") or ""), [])
            if len(found) == 1:
                p = defaults.for_area(found[0])
            else:
                p = defaults.for_area(area)
        if p is None:
            raise DomainError(
                _("系统中没有可用的改造政策,请先运行 gaizao eligibility --install-policies")
            )
        f = facts_from_row(row)
        facts.append((row, p, f, rules.evaluate(f, p.rules())))
    # The extension cap holds across the sheet, per policy.
    groups: dict[int, list[extension.CapItem]] = {}
    for row, p, f, v in facts:
        groups.setdefault(p.pk, []).append(
            extension.CapItem(
                row["row"], v, f.households, (f.built_year or 9999, str(f.built_date or ""))
            )
        )
    by_pk = {p.pk: p for _, p, _, _ in facts}
    for pk, items in groups.items():
        extension.apply_extension_cap(items, by_pk[pk].extension_cap_pct)
    out_rows = []
    for row, p, _f, v in facts:
        out_rows.append(
            {
                "row": row["row"],
                "name": row.get("name") or "",
                "street": row.get("street") or "",
                "policy": p.code,
                "verdict": v.verdict,
                "verdict_label": v.label,
                "reasons": [r.as_dict() for r in v.reasons],
                "missing": v.missing,
                "errors": errors_by_row.get(row["row"], []),
            }
        )
    return {
        "rows": out_rows,
        "errors": [e.as_dict() for e in parsed.errors],
        "skipped": len(parsed.skipped) if isinstance(parsed.skipped, list) else parsed.skipped,
    }


def json_default(o):
    if isinstance(o, Decimal):
        return str(o)
    if hasattr(o, "isoformat"):
        return o.isoformat()
    raise TypeError(type(o).__name__)
