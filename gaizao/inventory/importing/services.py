"""Import services: preview (parse + resolve against the database, nothing
written) and commit (re-validate, then write everything in one transaction,
audited). The web page, the command line and the bench all call these.

Compounds: natural key street + name (Compound's UniqueConstraint), so
re-importing a sheet updates. Blank cells never clear recorded values.
Units: one chosen compound; buildings, owners and units are written with
bulk_create / bulk_update against dicts of the existing keys, never one
query per row (a 100,000-unit sheet imports in seconds).
"""

from .common import (  # noqa: F401
    BATCH,
    DEVELOPER_NAME,
    KINDS,
    ImportPreview,
    ImportResult,
    check_may_import,
    community_key,
    compound_for_import,
    raise_if_errors,
    street_for_user,
    street_key,
    streets_in_scope,
)
from .compound_writes import COMPOUND_FIELD_MAP, commit_compounds, preview_compounds  # noqa: F401
from .unit_writes import commit_units, preview_units  # noqa: F401


def preview(kind, file_or_path, *, user, filename=None, street=None, compound=None):
    if kind == "units":
        return preview_units(file_or_path, user=user, compound=compound, filename=filename)
    return preview_compounds(file_or_path, user=user, filename=filename, street=street)


def commit(
    kind,
    file_or_path,
    *,
    user,
    filename=None,
    street=None,
    compound=None,
    source="import",
    accept_warnings=False,
):
    if kind == "units":
        return commit_units(
            file_or_path,
            user=user,
            compound=compound,
            filename=filename,
            source=source,
            accept_warnings=accept_warnings,
        )
    return commit_compounds(
        file_or_path,
        user=user,
        filename=filename,
        street=street,
        source=source,
        accept_warnings=accept_warnings,
    )
