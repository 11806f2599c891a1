"""Compound sheets: resolve rows against the database (preview), then write them (commit)."""

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from gaizao.core import audit
from gaizao.core.errors import ErrorDetail
from gaizao.core.models import AuditEntry
from gaizao.regions.models import Area, Organisation

from ..models import Compound, ManagementStatus
from .common import (
    ImportPreview,
    ImportResult,
    _parsed_preview,
    check_may_import,
    community_key,
    display,
    raise_if_errors,
    raise_if_unconfirmed,
    street_key,
    streets_in_scope,
)
from .compounds import COMPOUND_FIELDS, parse_compound_sheet
from .names import loose_name

# ---------------------------------------------------------------- compounds

COMPOUND_FIELD_MAP = {  # parsed key → model field
    "address": "address",
    "build_year": "built_year",
    "build_date": "built_date",
    "build_year_approximate": "built_year_approximate",
    "floor_area_m2": "floor_area",
    "households": "households",
    "buildings": "building_count",
    "investment_yuan": "investment_yuan",
    "in_main_urban_area": "in_main_urban_area",
    "in_shantytown_plan": "in_shantytown_plan",
    "demolition_planned": "demolition_planned",
    "demolition_within_years": "demolition_within_years",
    "self_built_area_m2": "self_built_area",
    "is_urban_village": "is_urban_village",
    "management_status": "management_status",
    "latitude": "latitude",
    "longitude": "longitude",
    "note": "note",
}


def preview_compounds(file_or_path, *, user, filename=None, street=None) -> ImportPreview:
    """Parse and resolve a compound sheet; writes nothing."""
    check_may_import(user)
    parsed = parse_compound_sheet(file_or_path, filename=filename)
    pv = _parsed_preview("compounds", parsed, filename or "", street)
    if parsed.header_row is None:
        return pv
    name_col = parsed.columns.get("name")
    street_col = parsed.columns.get("street") or "所属街道"
    community_col = parsed.columns.get("community") or "所属社区"

    scope = {}
    for a in streets_in_scope(user).only("id", "code", "name", "prefix"):
        scope.setdefault(street_key(a.name), []).append(a)
    by_code = {a.code: a for lst in scope.values() for a in lst}
    default = street
    if default is None and user is not None and user.area and user.area.level == "street":
        default = user.area

    outside_cache: dict[str, Area | None] = {}

    def outside(key):
        if key not in outside_cache:
            outside_cache[key] = Area.objects.filter(
                level=Area.Level.STREET, name__startswith=key
            ).first()
        return outside_cache[key]

    row_street: dict[int, Area] = {}
    for row in pv.rows:
        n = row["row"]
        text_ = row["street"]
        if not text_:
            if default is None:
                pv.errors.append(
                    ErrorDetail(
                        _("缺少所属街道:请在表中填写街道,或导入时选择街道"),
                        row=n,
                        column=street_col,
                    )
                )
                continue
            row_street[n] = default
            continue
        key = street_key(text_)
        found = scope.get(key) or ([by_code[text_]] if text_ in by_code else [])
        if not found:
            other = outside(key)
            if other is not None:
                msg = _("街道“%(street)s”不在您的辖区内,不能导入") % {"street": text_}
            else:
                msg = _("未找到街道“%(street)s”(请核对街道名称)") % {"street": text_}
            pv.errors.append(ErrorDetail(msg, row=n, column=street_col))
            continue
        if len(found) > 1:
            pv.errors.append(
                ErrorDetail(
                    _("街道名称“%(street)s”在多个区县中重名,请导入时选择街道") % {"street": text_},
                    row=n,
                    column=street_col,
                )
            )
            continue
        if street is not None and found[0].pk != street.pk:
            pv.errors.append(
                ErrorDetail(
                    _("本行街道“%(street)s”与所选街道“%(chosen)s”不一致")
                    % {"street": text_, "chosen": street.name},
                    row=n,
                    column=street_col,
                )
            )
            continue
        row_street[n] = found[0]

    street_ids = {a.pk for a in row_street.values()}
    communities: dict[tuple[int, str], Area] = {}
    for c in Area.objects.filter(level=Area.Level.COMMUNITY, parent_id__in=street_ids):
        communities[(c.parent_id, community_key(c.name))] = c
    existing = {
        (c.street_id, c.name): c
        for c in Compound.objects.filter(
            street_id__in=street_ids, name__in=[r["name"] for r in pv.rows if r["name"]]
        ).select_related("community", "property_company", "property_rights_unit")
    }
    resolved = {}
    for row in pv.rows:
        n = row["row"]
        st = row_street.get(n)
        row["street_name"] = st.name if st else ""
        row["community_name"] = ""
        community = None
        if st is not None and row["community"]:
            community = communities.get((st.pk, community_key(row["community"])))
            if community is None:
                pv.errors.append(
                    ErrorDetail(
                        _("在%(street)s下未找到社区“%(community)s”")
                        % {"street": st.name, "community": row["community"]},
                        row=n,
                        column=community_col,
                    )
                )
            else:
                row["community_name"] = community.name
        if st is not None and row["name"]:
            current = existing.get((st.pk, row["name"]))
            row["compound_id"] = current.pk if current else None
            resolved[n] = (st, community, current)
    _warn_about_names(pv, resolved, name_col)
    bad_rows = {e.row for e in pv.errors}
    pv.errors.sort(key=lambda e: (e.row or 0, e.column or ""))
    pv.warnings.sort(key=lambda e: (e.row or 0, e.column or ""))
    counts = {"create": 0, "update": 0, "unchanged": 0, "error": 0}
    for row in pv.rows:
        n = row["row"]
        if n in bad_rows or n not in resolved:
            row["action"] = "error"
        elif resolved[n][2] is None:
            row["action"] = "create"
        else:
            _st, community, current = resolved[n]
            row["changes"] = changes(row, community, current)
            row["moves"] = any(c["field"] == "community" for c in row["changes"])
            row["action"] = "update" if row["changes"] else "unchanged"
        counts[row["action"]] += 1
    counts["warning"] = len({w.row for w in pv.warnings})
    if name_col is None:
        counts["error"] = len(pv.rows)
    counts["skipped"] = len(pv.skipped)
    pv.counts = counts
    pv.resolved = resolved
    return pv


LABELS = {f.key: f.label for f in COMPOUND_FIELDS} | {
    "build_year": gettext_noop("建成年份"),
    "build_date": gettext_noop("建成日期"),
    "build_year_approximate": gettext_noop("建成年份为约数"),
    "demolition_planned": gettext_noop("拟拆除新建或改扩翻建"),
}


def changes(row: dict, community, current: Compound) -> list[dict]:
    """Each field this row would change, old → new, as the preview and
    `gaizao import --json` show them. A blank cell changes nothing."""
    status = dict(ManagementStatus.choices)
    out = []
    for key, attr in COMPOUND_FIELD_MAP.items():
        new = row.get(key)
        if new is None or new == "":
            continue
        old = getattr(current, attr)
        if old != new:
            if key == "management_status":
                old, new = status.get(old, old), status.get(new, new)
            out.append(
                {
                    "field": key,
                    "label": LABELS.get(key, key),
                    "old": display(old),
                    "new": display(new),
                }
            )
    if community is not None and current.community_id != community.pk:
        # Moves the compound out of one community's view into another's.
        out.append(
            {
                "field": "community",
                "label": LABELS["community"],
                "old": current.community.name if current.community_id else "—",
                "new": community.name,
            }
        )
    for key in ("property_company", "property_rights_unit"):
        name = row.get(key)
        old = getattr(getattr(current, key), "name", None)
        if name and old != name:
            out.append({"field": key, "label": LABELS[key], "old": old or "—", "new": name})
    return out


def _warn_about_names(pv: ImportPreview, resolved: dict, name_col) -> None:
    """A new compound whose name is close to one already in its street (the
    same compound written differently), or whose name exists in another
    street (importing does not move it: a new compound would be created)."""
    creating = {n: v for n, v in resolved.items() if v[2] is None}
    if not creating:
        return
    streets = {st.pk for st, _c, _cur in creating.values()}
    nearby: dict[tuple[int, str], str] = {}
    for street_id, name in Compound.objects.filter(street_id__in=streets).values_list(
        "street_id", "name"
    ):
        nearby.setdefault((street_id, loose_name(name)), name)
    names = {pv_row["name"] for pv_row in pv.rows if pv_row["row"] in creating}
    elsewhere: dict[str, list[str]] = {}
    for name, street in Compound.objects.filter(name__in=names).values_list("name", "street__name"):
        elsewhere.setdefault(name, []).append(street)
    for row in pv.rows:
        if row["row"] not in creating:
            continue
        st = creating[row["row"]][0]
        other = nearby.get((st.pk, loose_name(row["name"])))
        if other and other != row["name"]:
            pv.warnings.append(
                ErrorDetail(
                    _(
                        "%(street)s已有小区“%(other)s”,与“%(name)s”名称相近:本行将新建一个小区,是否同一小区?"
                    )
                    % {"street": st.name, "other": other, "name": row["name"]},
                    row=row["row"],
                    column=name_col,
                    field="name",
                )
            )
        streets_named = [s for s in elsewhere.get(row["name"], []) if s != st.name]
        if streets_named:
            pv.warnings.append(
                ErrorDetail(
                    _("同名小区“%(name)s”已在%(other)s;本行将在%(street)s新建,不会把原小区移过来")
                    % {"name": row["name"], "other": "、".join(streets_named), "street": st.name},
                    row=row["row"],
                    column=name_col,
                    field="name",
                )
            )


def _organisation(kind, name, street, cache) -> Organisation | None:
    if not name:
        return None
    key = (kind, name)
    if key not in cache:
        org = Organisation.objects.filter(kind=kind, name=name).order_by("id").first()
        if org is None:
            org = Organisation.objects.create(kind=kind, name=name, area=street)
        cache[key] = org
    return cache[key]


def commit_compounds(
    file_or_path,
    *,
    user,
    filename=None,
    street=None,
    source: str = "import",
    accept_warnings: bool = False,
) -> ImportResult:
    """Re-validate and write a compound sheet, all or nothing; warnings
    must have been confirmed (accept_warnings)."""
    with transaction.atomic():
        pv = preview_compounds(file_or_path, user=user, filename=filename, street=street)
        raise_if_errors(pv)
        raise_if_unconfirmed(pv, accept_warnings)
        result = ImportResult("compounds", skipped=len(pv.skipped))
        orgs: dict = {}
        present = set(pv.columns)
        if "build" in present:
            present |= {"build_year", "build_date", "build_year_approximate"}
        for row in pv.rows:
            st, community, current = pv.resolved[row["row"]]
            values = {}
            for key, attr in COMPOUND_FIELD_MAP.items():
                v = row.get(key)
                if v is None or v == "":
                    continue  # a blank cell never clears a recorded value
                values[attr] = v
            if (
                row.get("build_year")
                and not row.get("build_date")
                and current is not None
                and current.built_date
                and current.built_date.year != row["build_year"]
            ):
                values["built_date"] = None  # the sheet corrects the year: drop a stale date
            if row.get("demolition_planned") is False:
                values["demolition_within_years"] = None  # "否" clears a recorded plan
            if community is not None:
                values["community"] = community
            if row.get("buildings") is not None:
                values["is_single_building"] = row["buildings"] == 1
            pc = _organisation(
                Organisation.Kind.PROPERTY_COMPANY, row["property_company"], st, orgs
            )
            if pc is not None:
                values["property_company"] = pc
            pru = _organisation(
                Organisation.Kind.PROPERTY_RIGHTS_UNIT, row["property_rights_unit"], st, orgs
            )
            if pru is not None:
                values["property_rights_unit"] = pru
            if current is None:
                c = Compound.objects.create(name=row["name"], street=st, **values)
                audit.record(
                    actor=user,
                    instance=c,
                    action=AuditEntry.Action.CREATE,
                    changes={"file": pv.filename, "row": row["row"], **audit.snapshot(c)},
                    source=source,
                )
                result.created += 1
                continue
            before = audit.snapshot(current)
            for attr, v in values.items():
                setattr(current, attr, v)
            after = audit.snapshot(current)
            changes = audit.diff(before, after)
            if not changes:
                result.unchanged += 1
                continue
            current.save()
            audit.record(
                actor=user,
                instance=current,
                action=AuditEntry.Action.UPDATE,
                changes={"file": pv.filename, "row": row["row"], **changes},
                source=source,
            )
            result.updated += 1
    return result
