"""Walking the data rows of a large sheet by column instead of by row: pure,
no ORM.

A district's unit register has 100,000 rows; a loop that looks at every row
in Python (is it blank, a totals row, a note, a repeated header? which cell
is which field?) costs more than reading the file. Here the rows are turned
into columns once (`zip_longest`, in C), the few rows that might be special
are found by scans over whole columns and judged one by one exactly as the
row-by-row walk in sheet.py judges them (`row_skip`), and the block parser
gets each field's values as one list (filled down where merged cells read as
blank). Messages, skipped rows and their order are the same as row by row.
"""

import gc
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from itertools import repeat, zip_longest
from operator import add, is_not

from django.utils.translation import gettext_noop

# A row needs a closer look (sheet.row_skip) when one of its strings starts
# with a character a totals row can start with, or with anything that is not
# a letter or digit (spaces, brackets, punctuation: a blank-looking cell, a
# note). Every other row with three or more filled cells is a data row.
# Found per column with one C scan of its strings joined by NUL (a reader
# refuses NUL in a cell, so it cannot occur inside one).
_SUSPECT = re.compile(r"\x00(?=[合总小共累全汇_]|[^\w\x00]|\x00|$)")


def _suspect(col) -> list[int]:
    """Positions of the column's strings that start suspiciously (an empty
    string included); any other value stands as "0", which never does."""
    joined = "\x00" + "\x00".join([v if v.__class__ is str else "0" for v in col])
    found, index, pos = [], 0, 0
    for m in _SUSPECT.finditer(joined):
        index += joined.count("\x00", pos, m.start())
        pos = m.start()
        found.append(index)
    return found


@contextmanager
def paused_gc():
    """No cyclic garbage collection while a large sheet is read and written:
    its 100,000 rows are a few million objects without cycles, which the
    collector would otherwise walk again and again (about a fifth of the
    parse). Reference counting still frees everything as usual."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _first_filled(columns: list[list]) -> list:
    """Each row's first non-blank cell (None for an empty row)."""
    first = list(columns[0]) if columns else []
    for col in columns[1:]:
        if None not in first:
            break
        first = [a if a is not None else b for a, b in zip(first, col, strict=True)]
    return first


def _without(values: list, drop: set[int]) -> list:
    """The list without the positions in `drop` (a totals row, a few blank
    rows: deleted in place, from the end; many: copied)."""
    if len(drop) > 64:
        return [v for i, v in enumerate(values) if i not in drop]
    values = list(values)
    for i in sorted(drop, reverse=True):
        del values[i]
    return values


def _columns(head: list, rows) -> tuple[list[int], list[list]]:
    """Row numbers and columns of the rows after the header: the few already
    read (`head`) and the rest, taken by column from the reader when it can
    (reading.CalamineRows), else transposed here."""
    if hasattr(rows, "rest"):
        nums, cols = rows.rest()
    else:
        more = list(rows)
        nums = [r for r, _c in more]
        cols = [list(c) for c in zip_longest(*[c for _r, c in more])]
    if not head:
        return nums, cols
    head_cols = [list(c) for c in zip_longest(*[c for _r, c in head])]
    width = max(len(head_cols), len(cols))
    nh, nm = len(head), len(nums)
    table = [
        (head_cols[j] if j < len(head_cols) else [None] * nh)
        + (cols[j] if j < len(cols) else [None] * nm)
        for j in range(width)
    ]
    return [r for r, _c in head] + nums, table


def walk(
    out,
    head: list[tuple[int, tuple]],
    rows: Iterator[tuple[int, tuple]],
    block_parser: Callable,
    *,
    columns: dict,
    fill_down: tuple[str, ...],
    watched: set[str],
    name_field: str,
    row_skip: Callable,
    norm: Callable,
    header_first: str | None,
) -> set[str]:
    """Hand every data row to `block_parser(out, rownums, fields)`, where
    `fields[key]` is (values, Column) — or (values, [Column per row]) when a
    field has several columns; record the skipped rows. Returns the watched
    fields that have a value in some row."""
    filled: set[str] = set()
    rownums, table = _columns(head, rows)
    n = len(rownums)
    if not n:
        return filled
    # Rows to judge one by one: two filled cells or fewer (blank, notes),
    # a suspect string anywhere, or a string first cell that may repeat the header.
    counts = [0] * n
    for col in table:
        counts = list(map(add, counts, map(is_not, col, repeat(None))))
    judge = {i for i, k in enumerate(counts) if k <= 2}
    del counts
    for col in table:
        judge.update(_suspect(col))
    norm = cache(norm)
    judge.update(
        i
        for i, v in enumerate(_first_filled(table))
        if v.__class__ is str and norm(v) == header_first
    )
    skipped: list[dict] = []
    drop: set[int] = set()
    for i in sorted(judge):
        row = [col[i] for col in table]
        blank = [
            j for j, v in enumerate(row) if v is not None and v.__class__ is str and not v.strip()
        ]
        for j in blank:  # a cell of spaces is blank, as a merged cell is
            table[j][i] = None
        values = [v for j, v in enumerate(row) if v is not None and j not in blank]
        if not values:
            drop.add(i)
            continue
        entry = row_skip(values)
        if entry:
            entry["row"] = rownums[i]
            skipped.append(entry)
            drop.add(i)
    none = [None] * n
    fields: dict[str, tuple[list, object]] = {}
    for key, cols in columns.items():
        if len(cols) == 1:
            col = cols[0]
            values = list(table[col.index]) if col.index < len(table) else list(none)
            chosen = col
        else:
            values, chosen = list(none), [cols[0]] * n
            for col in cols:
                if col.index >= len(table):
                    continue
                source = table[col.index]
                for i, v in enumerate(source):
                    if v is not None and values[i] is None:
                        values[i], chosen[i] = v, col
        if drop:
            values = _without(values, drop)
            if chosen.__class__ is list:
                chosen = _without(chosen, drop)
        if key in watched and any(v is not None for v in values):
            filled.add(key)
        if key in fill_down and None in values:
            # Merged cells (a building spanning many rows) read as blank
            # below their first row: carry the value (and its column) down.
            last, last_col = None, None
            for i, v in enumerate(values):
                if v is None:
                    if last is not None:
                        values[i] = last
                        if chosen.__class__ is list:
                            chosen[i] = last_col
                else:
                    last = v
                    last_col = chosen[i] if chosen.__class__ is list else None
        fields[key] = (values, chosen)
    if drop:
        rownums = _without(rownums, drop)
        table = [_without(col, drop) for col in table]
    # A row with nothing but a serial number in the fields' columns.
    used = sorted({c.index for cols in columns.values() for c in cols if c.index < len(table)})
    name = fields[name_field][0] if name_field in fields else [None] * len(rownums)
    empty = {i for i, v in enumerate(name) if v is None and all(table[j][i] is None for j in used)}
    if empty:
        skipped += [
            {"row": rownums[i], "reason": gettext_noop("无内容的行(仅序号)"), "text": ""}
            for i in empty
        ]
        rownums = _without(rownums, empty)
        for key, (values, chosen) in fields.items():
            fields[key] = (
                _without(values, empty),
                _without(chosen, empty) if chosen.__class__ is list else chosen,
            )
    del table
    skipped.sort(key=lambda e: e["row"])
    out.skipped.extend(skipped)
    if rownums:
        block_parser(out, rownums, fields)
    return filled
