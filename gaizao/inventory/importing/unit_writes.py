"""Unit and owner sheets for one compound: preview, then bulk writes (no query per row)."""

from decimal import Decimal
from itertools import chain

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from gaizao.accounts.selectors import households_with_accounts
from gaizao.accounts.services import unit_access_end
from gaizao.core.errors import DomainError
from gaizao.core.models import AuditEntry

from ..models import Building, Owner, Unit
from .block import paused_gc
from .common import (
    BATCH,
    DEVELOPER_NAME,
    ImportPreview,
    ImportResult,
    _parsed_preview,
    check_may_import,
    display,
    raise_if_errors,
    raise_if_unconfirmed,
)
from .units import parse_unit_sheet

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


@paused_gc()
def preview_units(file_or_path, *, user, compound, filename=None) -> ImportPreview:
    check_may_import(user)
    if compound is None:
        raise DomainError(_("请选择要导入房屋的小区"))
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
    owner_names = dict(Owner.objects.filter(compound=compound).values_list("id", "name"))
    bad_rows = {e.row for e in pv.errors}
    counts = {"create": 0, "update": 0, "unchanged": 0, "error": 0}
    for row in pv.rows:
        if row["row"] in bad_rows or not row.pop("ok", True):
            row["action"] = "error"
        else:
            bid = buildings.get(row["building"]) if existing else None
            cur = existing.get((bid, row["entrance"], row["number"])) if bid else None
            if cur is None:
                row["action"] = "create"
            else:
                row["changes"] = _unit_changes(row, cur, owner_names)
                row["action"] = "update" if row["changes"] else "unchanged"
        counts[row["action"]] += 1
    counts["skipped"] = len(pv.skipped)
    pv.counts = counts
    pv.resolved = {"buildings": buildings, "existing": existing}
    return pv


def _unit_changes(row: dict, cur: tuple, owner_names: dict) -> list[dict]:
    """Area, floor and owner name, old → new (a blank cell changes nothing)."""
    _pk, area, owner, floor = cur
    out = []
    if row["exclusive_area"] is not None and Decimal(area) != row["exclusive_area"]:
        out.append(
            {
                "field": "exclusive_area",
                "label": gettext_noop("专有部分面积(㎡)"),
                "old": display(Decimal(area)),
                "new": display(row["exclusive_area"]),
            }
        )
    if row["floor"] is not None and row["floor"] != floor:
        out.append(
            {
                "field": "floor",
                "label": gettext_noop("楼层"),
                "old": display(floor),
                "new": display(row["floor"]),
            }
        )
    old_name = owner_names.get(owner, "")
    if row["owner_name"] and not row["is_developer"] and row["owner_name"] != old_name:
        out.append(
            {
                "field": "owner_name",
                "label": gettext_noop("业主姓名"),
                "old": old_name or "—",
                "new": row["owner_name"],
            }
        )
    return out


def commit_units(
    file_or_path,
    *,
    user,
    compound,
    filename=None,
    source: str = "import",
    accept_warnings: bool = False,
) -> ImportResult:
    """Write a unit/owner sheet into `compound`, all or nothing."""
    with transaction.atomic():
        pv = preview_units(file_or_path, user=user, compound=compound, filename=filename)
        raise_if_errors(pv)
        raise_if_unconfirmed(pv, accept_warnings)
        return _write_units(pv, user=user, compound=compound, source=source)


def _insert_many(model, fields: list[str], rows: list[tuple]) -> None:
    """INSERT many rows per statement, the statement repeated through one
    executemany. For 100,000 units the ORM's bulk_create spends most of its
    time preparing values one by one; a one-row INSERT per unit spends it in
    the driver and SQLite stepping a statement per row (half the write). A
    statement holds as many rows as the database's parameter limit allows
    (SQLite: 999 parameters, 124 units), else 1,000 rows. Rows go in in the
    order given, so ids come out increasing in that order (_write_units)."""
    if not rows:
        return
    meta = model._meta
    qn = connection.ops.quote_name
    cols = ", ".join(qn(meta.get_field(f).column) for f in fields)
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    limit = connection.features.max_query_params
    per = max(1, min(1000, limit // len(fields) if limit else 1000))
    head = f"INSERT INTO {qn(meta.db_table)} ({cols}) VALUES "
    full = len(rows) - len(rows) % per
    width = per * len(fields)
    flat = list(chain.from_iterable(rows))
    with connection.cursor() as cur:
        if full:
            cur.executemany(
                head + ", ".join([one] * per),
                [flat[i : i + width] for i in range(0, full * len(fields), width)],
            )
        if full < len(rows):
            cur.execute(head + ", ".join([one] * (len(rows) - full)), flat[full * len(fields) :])


@paused_gc()  # 166,000 new rows' tuples: no collector passes over them
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

    # Owners: existing ones by their keys (their ids, > 0); a new one stands
    # as ~n (< 0: the n-th of new_owners) until inserted, then its id is read
    # back by its place in the insertion order.
    owner_by_key: dict[tuple, int] = {}
    developer = None
    for pk, name, phone, idn, is_dev in (
        Owner.objects.filter(compound=compound)
        .order_by("id")
        .values_list("id", "name", "phone", "id_number", "is_developer")
    ):
        if is_dev:
            developer = developer or pk
            continue
        for k in _owner_keys(name, idn, phone):
            owner_by_key.setdefault(k, pk)
    new_owners: list[tuple] = []  # (name, phone, id_number, is_developer)
    row_owner: list[int | None] = []
    get_owner, set_owner = owner_by_key.get, owner_by_key.setdefault
    for row in pv.rows:
        name = row["owner_name"]
        if row["is_developer"]:
            if developer is None:
                # The developer's unsold units count as one owner (建筑物区分所有权
                # 司法解释 第九条): one Owner per compound holds them all.
                developer = ~len(new_owners)
                new_owners.append((name or DEVELOPER_NAME, "", "", True))
            row_owner.append(developer)
            continue
        if not name:
            row_owner.append(None)
            continue
        # _owner_keys, inline: this runs once per unit.
        idn, phone = row["id_number"], row["phone"]
        k1 = (name, "id", idn) if idn else None
        k2 = (name, "phone", phone) if phone else None
        if k1 is None and k2 is None:
            k1 = (name, "", "")
        owner = (k1 and get_owner(k1)) or (k2 and get_owner(k2))
        if owner is None:
            owner = ~len(new_owners)
            new_owners.append((name, phone, idn, False))
        if k1:
            set_owner(k1, owner)
        if k2:
            set_owner(k2, owner)
        row_owner.append(owner)
    cid = compound.pk
    _insert_many(
        Owner,
        ["created_at", "updated_at", "compound", "name", "phone", "id_number", "is_developer"],
        [(db_now, db_now, cid, *o) for o in new_owners],
    )
    if new_owners:
        qn = connection.ops.quote_name
        with connection.cursor() as c:
            # Only the ids, in the order they were given: the inserts in
            # this transaction hand out increasing ids in insertion order
            # (SQLite AUTOINCREMENT, a PostgreSQL sequence), so the n-th id is
            # the n-th new owner. A plain cursor: the ORM's converters for
            # 66,000 rows cost more than the insert.
            c.execute(
                f"SELECT id FROM {qn(Owner._meta.db_table)} "
                "WHERE compound_id = %s AND created_at = %s ORDER BY id",
                [cid, db_now],
            )
            ids = [pk for (pk,) in c.fetchall()]
        if len(ids) != len(new_owners):  # another writer at the same microsecond
            raise DomainError(_("导入未执行:业主记录写入时发生冲突,请重新导入(没有写入任何数据)"))
        row_owner = [ids[~o] if o is not None and o < 0 else o for o in row_owner]

    # Decimal goes to the driver as it is (SQLite and PostgreSQL take it;
    # adapt_decimalfield_value is the identity on both).
    to_create: list[tuple] = []
    to_update, owner_changed = [], []
    if not existing:  # a compound's first import: every unit is new
        to_create = [
            (
                db_now,
                db_now,
                buildings[r["building"]],
                r["entrance"],
                r["number"],
                r["floor"],
                r["exclusive_area"],
                owner_id,
            )
            for r, owner_id in zip(pv.rows, row_owner, strict=True)
        ]
    append_new = to_create.append
    for row, owner_id in zip(pv.rows, row_owner, strict=True) if existing else ():
        bid = buildings[row["building"]]
        area = row["exclusive_area"]
        cur = existing.get((bid, row["entrance"], row["number"]))
        if cur is None:
            append_new(
                (db_now, db_now, bid, row["entrance"], row["number"], row["floor"], area, owner_id)
            )
            continue
        pk, old_area, old_owner, floor = cur
        new_floor = row["floor"] if row["floor"] is not None else floor
        new_owner = owner_id if owner_id is not None else old_owner
        if Decimal(old_area) == area and new_owner == old_owner and new_floor == floor:
            result.unchanged += 1
            continue
        to_update.append((area, new_owner, new_floor, db_now, pk))
        if old_owner is not None and new_owner != old_owner:
            owner_changed.append(pk)
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
    # A new owner: whoever was signed in for the unit is cut off (issue 9 #1).
    # One query finds the few changed units that have accounts at all.
    for unit_id in households_with_accounts(owner_changed):
        unit_access_end(actor=user, unit_id=unit_id, reason="owner", source=source)
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
            compound_id=compound.pk,
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
            compound_id=compound.pk,
            changes={"file": pv.filename, "number": b.number},
        )
        for b in new_buildings
    ]
    AuditEntry.objects.bulk_create(entries)
    return result
