"""Spreadsheet import of the inventory.

Two layers: a pure parsing layer (`parse_compound_sheet`, `parse_unit_sheet`:
file → plain rows and errors, no ORM; the eligibility command reads sheets
with it) and the services (`preview_*`, `commit_*` in `services.py`) that
resolve rows against the database and write them in one transaction.
"""

from .compounds import COMPOUND_FIELDS, parse_compound_sheet
from .sheet import ParsedSheet
from .units import UNIT_FIELDS, parse_unit_sheet

__all__ = [
    "COMPOUND_FIELDS",
    "UNIT_FIELDS",
    "ParsedSheet",
    "parse_compound_sheet",
    "parse_unit_sheet",
]
