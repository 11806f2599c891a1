"""Import services: preview (parse + resolve against the database, nothing
written) and commit (re-validate, then write everything in one transaction,
audited). The web page, the command line and the bench all call these.

Compounds: natural key street + name (Compound's UniqueConstraint), so
re-importing a sheet updates. Blank cells never clear recorded values.
Units: one chosen compound; buildings, owners and units are written with
bulk_create / bulk_update against dicts of the existing keys, never one
query per row (a 100,000-unit sheet imports in seconds).
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils import timezone

from gaizao.accounts.models import Role
from gaizao.core import audit
from gaizao.core.errors import DomainError, ErrorDetail
from gaizao.core.models import AuditEntry
from gaizao.regions.models import Area, Organisation

from ..models import Building, Compound, Owner, Unit
from ..permissions import can_do, compounds_for_user
from .cells import nfkc
from .compounds import parse_compound_sheet
from .sheet import ParsedSheet
from .units import parse_unit_sheet

KINDS = {"compounds": "小区台账", "units": "房屋及业主清册"}
DEVELOPER_NAME = "开发建设单位(未售房屋)"
BATCH = 2000


@dataclass
class ImportPreview:
    kind: str
    filename: str
    rows: list[dict]  # parsed rows, each with "action": create | update | unchanged | error
    errors: list[ErrorDetail]
    skipped: list[dict]
    header_row: int | None
    columns: dict[str, str]
    ignored_columns: list[str]
    counts: dict[str, int] = field(default_factory=dict)
    target: object = None  # the street (compounds default) or compound (units)
    # Resolved objects for commit, keyed by row number.
    resolved: dict = field(default_factory=dict, repr=False)

    @property
    def ok(self) -> bool:
        return not self.errors

    def errors_by_row(self) -> dict:
        out: dict = {}
        for e in self.errors:
            out.setdefault(e.row, []).append(e)
        return out


@dataclass
class ImportResult:
    kind: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    extra: dict = field(default_factory=dict)

    def summary(self) -> str:
        what = "小区" if self.kind == "compounds" else "房屋"
        s = f"导入完成:新增{what}{self.created}个,更新{self.updated}个,未变化{self.unchanged}个"
        if self.extra.get("owners_created"):
            s += f",新增业主{self.extra['owners_created']}个"
        if self.extra.get("buildings_created"):
            s += f",新增楼栋{self.extra['buildings_created']}个"
        if self.skipped:
            s += f",跳过{self.skipped}行(合计、说明等)"
        return s


# ---------------------------------------------------------------- access


def check_may_import(user) -> None:
    """Command-line runs without --user act as the operator (user None)."""
    if user is not None and not can_do(user, "compound.import"):
        raise PermissionDenied("您的角色无权导入台账")


def streets_in_scope(user):
    qs = Area.objects.filter(level=Area.Level.STREET)
    if user is None or user.is_superuser:
        return qs
    area = user.area
    if user.role not in (Role.LEADERSHIP, Role.HOUSING_BUREAU, Role.STREET_OFFICE) or area is None:
        return qs.none()
    if area.level == Area.Level.COUNTRY:
        return qs
    return qs.filter(prefix__startswith=area.prefix)


def street_for_user(user, code_or_pk) -> Area:
    """The --street / form choice, checked against the user's jurisdiction."""
    if code_or_pk in (None, ""):
        return None
    s = str(code_or_pk).strip()
    lookup = {"code": s} if len(s) == 12 else {"pk": s} if s.isdigit() else {"name": s}
    street = Area.objects.filter(level=Area.Level.STREET, **lookup).first()
    if street is None:
        raise DomainError(f"未找到街道“{s}”")
    if not streets_in_scope(user).filter(pk=street.pk).exists():
        raise DomainError(f"街道“{street.name}”不在您的辖区内")
    return street


def compound_for_import(user, pk) -> Compound:
    qs = Compound.objects.all() if user is None else compounds_for_user(user)
    try:
        return qs.select_related("street").get(pk=pk)
    except (Compound.DoesNotExist, ValueError, TypeError):
        raise DomainError(f"小区(编号 {pk})不存在或不在您的辖区内")


# ---------------------------------------------------------------- names


def street_key(name: str) -> str:
    s = nfkc(name).replace(" ", "")
    for suffix in ("街道办事处", "街道办", "街道", "办事处", "镇人民政府", "乡人民政府"):
        if s.endswith(suffix) and len(s) > len(suffix):
            return s[: -len(suffix)]
    return s


def community_key(name: str) -> str:
    s = nfkc(name).replace(" ", "")
    for suffix in (
        "社区居民委员会",
        "社区居委会",
        "居民委员会",
        "社区居委",
        "居委会",
        "社区",
        "村民委员会",
        "村委会",
    ):
        if s.endswith(suffix) and len(s) > len(suffix):
            return s[: -len(suffix)]
    return s


def _parsed_preview(kind, parsed: ParsedSheet, filename, target) -> ImportPreview:
    return ImportPreview(
        kind=kind,
        filename=filename,
        rows=[dict(r) for r in parsed.rows],
        errors=list(parsed.errors),
        skipped=parsed.skipped,
        header_row=parsed.header_row,
        columns=parsed.columns,
        ignored_columns=parsed.ignored_columns,
        target=target,
    )


# ---------------------------------------------------------------- compounds

COMPOUND_FIELD_MAP = {  # parsed key → model field
    "address": "address",
    "build_year": "built_year",
    "build_date": "built_date",
    "floor_area_m2": "floor_area",
    "households": "households",
    "buildings": "building_count",
    "investment_yuan": "investment_yuan",
    "in_main_urban_area": "in_main_urban_area",
    "in_shantytown_plan": "in_shantytown_plan",
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
                        "缺少所属街道:请在表中填写街道,或导入时选择街道", row=n, column=street_col
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
                msg = f"街道“{text_}”不在您的辖区内,不能导入"
            else:
                msg = f"未找到街道“{text_}”(请核对街道名称)"
            pv.errors.append(ErrorDetail(msg, row=n, column=street_col))
            continue
        if len(found) > 1:
            pv.errors.append(
                ErrorDetail(
                    f"街道名称“{text_}”在多个区县中重名,请导入时选择街道", row=n, column=street_col
                )
            )
            continue
        if street is not None and found[0].pk != street.pk:
            pv.errors.append(
                ErrorDetail(
                    f"本行街道“{text_}”与所选街道“{street.name}”不一致", row=n, column=street_col
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
        )
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
                        f"在{st.name}下未找到社区“{row['community']}”", row=n, column=community_col
                    )
                )
            else:
                row["community_name"] = community.name
        if st is not None and row["name"]:
            current = existing.get((st.pk, row["name"]))
            row["compound_id"] = current.pk if current else None
            resolved[n] = (st, community, current)
    bad_rows = {e.row for e in pv.errors}
    counts = {"create": 0, "update": 0, "error": 0}
    for row in pv.rows:
        n = row["row"]
        if n in bad_rows or n not in resolved:
            row["action"] = "error"
        else:
            row["action"] = "update" if resolved[n][2] is not None else "create"
        counts[row["action"]] += 1
    if name_col is None:
        counts["error"] = len(pv.rows)
    counts["skipped"] = len(pv.skipped)
    pv.counts = counts
    pv.resolved = resolved
    return pv


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
    file_or_path, *, user, filename=None, street=None, source: str = "import"
) -> ImportResult:
    """Re-validate and write a compound sheet, all or nothing."""
    with transaction.atomic():
        pv = preview_compounds(file_or_path, user=user, filename=filename, street=street)
        raise_if_errors(pv)
        result = ImportResult("compounds", skipped=len(pv.skipped))
        orgs: dict = {}
        present = set(pv.columns)
        if "build" in present:
            present |= {"build_year", "build_date"}
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


def raise_if_errors(pv: ImportPreview) -> None:
    if pv.errors:
        raise DomainError(
            f"导入未执行:发现{len(pv.errors)}处错误,请修改表格后重新导入(没有写入任何数据)",
            errors=pv.errors,
            code="import_invalid",
        )


# ---------------------------------------------------------------- units


def _owner_keys(name, id_number, phone) -> list[tuple]:
    """Keys under which one owner is recognised: the same name with the same
    ID number, or with the same phone; name alone when neither is known."""
    keys = []
    if id_number:
        keys.append((name, "id", id_number))
    if phone:
        keys.append((name, "phone", phone))
    if not keys:
        keys.append((name, "", ""))
    return keys


def preview_units(file_or_path, *, user, compound, filename=None) -> ImportPreview:
    check_may_import(user)
    if compound is None:
        raise DomainError("请选择要导入房屋的小区")
    parsed = parse_unit_sheet(file_or_path, filename=filename)
    pv = _parsed_preview("units", parsed, filename or "", compound)
    if parsed.header_row is None:
        return pv
    buildings = dict(Building.objects.filter(compound=compound).values_list("number", "id"))
    existing = {
        (b, e, n): (pk, area, owner, floor)
        for pk, b, e, n, area, owner, floor in Unit.objects.filter(
            building__compound=compound
        ).values_list(
            "id", "building_id", "entrance", "number", "exclusive_area", "owner_id", "floor"
        )
    }
    bad_rows = {e.row for e in pv.errors}
    counts = {"create": 0, "update": 0, "error": 0}
    for row in pv.rows:
        if row["row"] in bad_rows or not row.pop("ok", True):
            row["action"] = "error"
        else:
            bid = buildings.get(row["building"])
            row["action"] = (
                "update" if bid and (bid, row["entrance"], row["number"]) in existing else "create"
            )
        counts[row["action"]] += 1
    counts["skipped"] = len(pv.skipped)
    pv.counts = counts
    pv.resolved = {"buildings": buildings, "existing": existing}
    return pv


def commit_units(
    file_or_path, *, user, compound, filename=None, source: str = "import"
) -> ImportResult:
    """Write a unit/owner sheet into `compound`, all or nothing."""
    with transaction.atomic():
        pv = preview_units(file_or_path, user=user, compound=compound, filename=filename)
        raise_if_errors(pv)
        return _write_units(pv, user=user, compound=compound, source=source)


def _insert_many(model, fields: list[str], rows: list[tuple]) -> None:
    """INSERT through the cursor's executemany: for 100,000 units the ORM's
    bulk_create spends most of its time preparing values one by one, and
    SQLite caps it at 999 parameters per statement."""
    if not rows:
        return
    meta = model._meta
    qn = connection.ops.quote_name
    cols = ", ".join(qn(meta.get_field(f).column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {qn(meta.db_table)} ({cols}) VALUES ({marks})"
    with connection.cursor() as cur:
        for i in range(0, len(rows), 10_000):
            cur.executemany(sql, rows[i : i + 10_000])


def _write_units(pv: ImportPreview, *, user, compound, source) -> ImportResult:
    now = timezone.now()
    db_now = connection.ops.adapt_datetimefield_value(now)
    result = ImportResult("units", skipped=len(pv.skipped))
    buildings: dict[str, int] = pv.resolved["buildings"]
    existing: dict = pv.resolved["existing"]

    new_numbers = sorted({r["building"] for r in pv.rows} - set(buildings))
    new_buildings = Building.objects.bulk_create(
        [Building(compound=compound, number=b) for b in new_numbers], batch_size=BATCH
    )
    for b in new_buildings:
        buildings[b.number] = b.pk

    # Owners: existing ones by their keys; new ones are plain tuples until
    # inserted, then their ids are read back by (name, phone, id number),
    # which is unique among the owners one import creates.
    owner_by_key: dict[tuple, object] = {}
    developer = None
    for o in (
        Owner.objects.filter(compound=compound)
        .only("id", "name", "phone", "id_number", "is_developer")
        .order_by("id")
    ):
        if o.is_developer:
            developer = developer or o.pk
            continue
        for k in _owner_keys(o.name, o.id_number, o.phone):
            owner_by_key.setdefault(k, o.pk)
    new_owners: list[tuple] = []  # (name, phone, id_number, is_developer)
    row_owner: list = []
    for row in pv.rows:
        if row["is_developer"]:
            if developer is None:
                # The developer's unsold units count as one owner (建筑物区分所有权
                # 司法解释 第九条): one Owner per compound holds them all.
                developer = (row["owner_name"] or DEVELOPER_NAME, "", "", True)
                new_owners.append(developer)
            row_owner.append(developer)
            continue
        name = row["owner_name"]
        if not name:
            row_owner.append(None)
            continue
        keys = _owner_keys(name, row["id_number"], row["phone"])
        owner = None
        for k in keys:
            owner = owner_by_key.get(k)
            if owner is not None:
                break
        if owner is None:
            owner = (name, row["phone"], row["id_number"], False)
            new_owners.append(owner)
        for k in keys:
            owner_by_key.setdefault(k, owner)
        row_owner.append(owner)
    _insert_many(
        Owner,
        ["created_at", "updated_at", "compound", "name", "phone", "id_number", "is_developer"],
        [(db_now, db_now, compound.pk, *o) for o in new_owners],
    )
    new_ids = {}
    if new_owners:
        for pk, name, phone, idn, dev in Owner.objects.filter(
            compound=compound, created_at=now
        ).values_list("id", "name", "phone", "id_number", "is_developer"):
            new_ids[(name, phone, idn, dev)] = pk

    adapt = connection.ops.adapt_decimalfield_value
    to_create, to_update = [], []
    for row, owner in zip(pv.rows, row_owner, strict=True):
        bid = buildings[row["building"]]
        owner_id = new_ids[owner] if owner.__class__ is tuple else owner
        key = (bid, row["entrance"], row["number"])
        cur = existing.get(key)
        area = row["exclusive_area"]
        if cur is None:
            to_create.append(
                (
                    db_now,
                    db_now,
                    bid,
                    row["entrance"],
                    row["number"],
                    row["floor"],
                    adapt(area, 9, 2),
                    owner_id,
                )
            )
            continue
        pk, old_area, old_owner, floor = cur
        new_floor = row["floor"] if row["floor"] is not None else floor
        new_owner = owner_id if owner_id is not None else old_owner
        if Decimal(old_area) == area and new_owner == old_owner and new_floor == floor:
            result.unchanged += 1
            continue
        to_update.append((adapt(area, 9, 2), new_owner, new_floor, db_now, pk))
    _insert_many(
        Unit,
        [
            "created_at",
            "updated_at",
            "building",
            "entrance",
            "number",
            "floor",
            "exclusive_area",
            "owner",
        ],
        to_create,
    )
    if to_update:
        qn = connection.ops.quote_name
        sql = (
            f"UPDATE {qn(Unit._meta.db_table)} SET exclusive_area = %s, owner_id = %s, "
            f"floor = %s, updated_at = %s WHERE id = %s"
        )
        with connection.cursor() as c:
            c.executemany(sql, to_update)
    result.created, result.updated = len(to_create), len(to_update)
    result.extra = {"owners_created": len(new_owners), "buildings_created": len(new_buildings)}

    # One summary entry per import and one per new building, not one per unit.
    actor = user if getattr(user, "is_authenticated", False) else None
    entries = [
        AuditEntry(
            actor=actor,
            source=source,
            action=AuditEntry.Action.IMPORT,
            model=compound._meta.label_lower,
            object_pk=str(compound.pk),
            object_repr=str(compound)[:200],
            changes={
                "file": pv.filename,
                "kind": "units",
                "units_created": result.created,
                "units_updated": result.updated,
                "units_unchanged": result.unchanged,
                "owners_created": len(new_owners),
                "buildings_created": [b.number for b in new_buildings],
            },
        )
    ]
    entries += [
        AuditEntry(
            actor=actor,
            source=source,
            action=AuditEntry.Action.CREATE,
            model=Building._meta.label_lower,
            object_pk=str(b.pk),
            object_repr=f"{compound.name} {b.number}"[:200],
            changes={"file": pv.filename, "number": b.number},
        )
        for b in new_buildings
    ]
    AuditEntry.objects.bulk_create(entries)
    return result


def preview(kind, file_or_path, *, user, filename=None, street=None, compound=None):
    if kind == "units":
        return preview_units(file_or_path, user=user, compound=compound, filename=filename)
    return preview_compounds(file_or_path, user=user, filename=filename, street=street)


def commit(kind, file_or_path, *, user, filename=None, street=None, compound=None, source="import"):
    if kind == "units":
        return commit_units(
            file_or_path, user=user, compound=compound, filename=filename, source=source
        )
    return commit_compounds(
        file_or_path, user=user, filename=filename, street=street, source=source
    )
