"""The generic part of reading a published table: find the header row among
merged title rows, map header texts to fields through synonyms, and walk the
data rows, skipping blank rows, repeated headers, notes and totals rows.
Pure: no ORM."""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from gaizao.core.errors import ErrorDetail

from . import block
from .cells import CellError, is_blank, nfkc, text
from .reading import read_rows

HEADER_SCAN_ROWS = 15


def norm_header(value) -> str:
    """Header text as compared: no spaces, half-width, ㎡/m²/平方米 → m2."""
    s = nfkc(text(value)).lower()
    s = re.sub(r"\s+", "", s)
    for a, b in (
        ("【", "("),
        ("】", ")"),
        ("[", "("),
        ("]", ")"),
        ("〔", "("),
        ("〕", ")"),
        ("〈", "("),
        ("〉", ")"),
        ("《", "("),
        ("》", ")"),
        ("{", "("),
        ("}", ")"),
        ("<", "("),
        (">", ")"),
        ("平方米", "m2"),
        ("平米", "m2"),
        ("m²", "m2"),
        ("*", ""),
        ("※", ""),
        ("(必填)", ""),
        ("(选填)", ""),
    ):
        s = s.replace(a, b)
    return s.rstrip(":")


# Unit words in a header, normalised, → multiplier to the field's base unit.
HEADER_UNITS = {
    "万m2": 10_000,
    "m2": 1,
    "亿元": 100_000_000,
    "万元": 10_000,
    "元": 1,
    "户": 1,
    "栋": 1,
    "幢": 1,
    "座": 1,
    "个": 1,
    "套": 1,
    "年": 1,
    "年内": 1,
    "层": 1,
    "是/否": 1,
    "是或否": 1,
}
_PAREN = re.compile(r"^(.*?)\(([^()]*)\)(.*)$")


@dataclass(frozen=True)
class Field:
    key: str
    label: str  # our template's header
    synonyms: tuple[str, ...]


@dataclass
class Column:
    index: int
    header: str  # the sheet's own text, for messages
    multiplier: int = 1
    years: int | None = None  # "三年内拆除": the horizon a "是" means


@dataclass
class ParsedSheet:
    kind: str
    rows: list[dict] = field(default_factory=list)
    errors: list[ErrorDetail] = field(default_factory=list)
    # Values that may be right: imported only once the user confirms them.
    warnings: list[ErrorDetail] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)
    header_row: int | None = None
    columns: dict[str, str] = field(default_factory=dict)  # field → the sheet's header
    ignored_columns: list[str] = field(default_factory=list)

    def error(self, message: str, *, row=None, column=None, field=None) -> None:
        self.errors.append(ErrorDetail(str(message), row=row, column=column, field=field))

    def warn(self, message: str, *, row=None, column=None, field=None) -> None:
        self.warnings.append(ErrorDetail(str(message), row=row, column=column, field=field))

    def errors_by_row(self) -> dict[int | None, list[ErrorDetail]]:
        out: dict[int | None, list[ErrorDetail]] = {}
        for e in self.errors:
            out.setdefault(e.row, []).append(e)
        return out

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "header_row": self.header_row,
            "columns": self.columns,
            "rows": self.rows,
            "errors": [
                {"row": e.row, "column": e.column, "message": e.message} for e in self.errors
            ],
            "warnings": [
                {"row": e.row, "column": e.column, "message": e.message} for e in self.warnings
            ],
            "skipped": self.skipped,
        }


# Renovation items measured in m² (改造内容: 道路, 屋面防水 …): never a
# compound's floor area, whatever the unit says.
_NOT_FLOOR_AREA = (
    "占地",
    "道路",
    "绿化",
    "外墙",
    "管网",
    "管道",
    "停车",
    "拆除",
    "路面",
    "墙面",
    "防水",
)


class Schema:
    """The fields of one kind of sheet and their accepted header texts.

    `hints`: words by which a header looks like a field (面积, 规模 → floor
    area). A header that matches no synonym but carries a unit belonging to a
    field (`unit_fields`: 万m2 → floor area, 户 → households) and one of its
    hint words is that field: "改造规模(约,万平方米)". A header with a hint
    word that is still not recognised, while its field stays blank in every
    row, is an error (parse_sheet)."""

    def __init__(
        self,
        kind: str,
        fields: list[Field],
        *,
        required: tuple[str, ...],
        ignored: tuple[str, ...] = (),
        hints: dict[str, tuple[str, ...]] | None = None,
        unit_fields: dict[str, str] | None = None,
    ):
        self.kind = kind
        self.fields = {f.key: f for f in fields}
        self.required = required
        self.hints = hints or {}
        self.unit_fields = unit_fields or {}
        self.exact: dict[str, str] = {}
        self.bases: dict[str, str] = {}
        for f in fields:
            for syn in (f.label, *f.synonyms):
                n = norm_header(syn)
                self.exact.setdefault(n, f.key)
                base, _unit = split_unit(n)
                self.bases.setdefault(base, f.key)
        self.ignored = {norm_header(x) for x in ignored}

    def match(self, header) -> tuple[str | None, int, str]:
        """(field key or None, multiplier, normalised header)."""
        n = norm_header(header)
        if not n:
            return None, 1, n
        base, unit = split_unit(n)
        mult = HEADER_UNITS.get(unit, 1) if unit else 1
        if n in self.exact:
            return self.exact[n], mult, n
        if base in self.bases:
            return self.bases[base], mult, n
        key = self.unit_fields.get(unit)
        if key and self.looks_like(n, key):
            return key, mult, n
        return None, 1, n

    def looks_like(self, n: str, key: str) -> bool:
        if key == "floor_area_m2" and any(w in n for w in _NOT_FLOOR_AREA):
            return False
        return any(w in n for w in self.hints.get(key, ()))

    def lookalike(self, n: str) -> str | None:
        """The field an unrecognised header looks like, if any."""
        for key in self.hints:
            if self.looks_like(n, key):
                return key
        return None

    def match_parts(self, parts: tuple) -> tuple[str | None, int, str]:
        """A header spanning two rows (a merged parent over its children):
        parent + child first, then the child, then the parent alone."""
        texts = [text(p) for p in parts if not is_blank(p)]
        if len(texts) < 2:
            return self.match(texts[0] if texts else "")
        for candidate in ("".join(texts), texts[-1], texts[0]):
            key, mult, n = self.match(candidate)
            if key:
                return key, mult, n
        return None, 1, norm_header("".join(texts))


_TRAILING_UNITS = ("万m2", "亿元", "万元", "m2")
# Words that may stand in a header's brackets beside the unit:
# "建设规模(约,万平方米)", "投资(单位:万元)", "面积(计,m2)".
_UNIT_NOISE = re.compile(r"单位|大约|约|合计|共计|计|[:,;、/]")


def split_unit(n: str) -> tuple[str, str]:
    """'建设规模(万m2)' → ('建设规模', '万m2'); '建设规模(约,万m2)' → the same;
    '建筑面积万m2' and '建筑面积/万m2' → ('建筑面积', '万m2')."""
    m = _PAREN.match(n)
    if m:
        unit = _UNIT_NOISE.sub("", m.group(2))
        if unit in HEADER_UNITS:
            return m.group(1) + m.group(3), unit
    for u in _TRAILING_UNITS:
        if n.endswith(u) and len(n) > len(u):
            return n[: -len(u)].rstrip("/-_"), u
    return n, ""


_TOTALS = re.compile(r"^(合计|总计|小计|共计|累计|总数|全区合计|全市合计|汇总)")
_TOTALS_START = set("合总小共累全汇")
_NOTES = re.compile(r"^(注|备注|说明|填表|制表|审核|统计|负责人|联系人|填报)")


def _years_in_header(n: str) -> int | None:
    m = re.search(r"(\d+|[一二三四五六七八九十])年", n)
    if not m:
        return None
    g = m.group(1)
    return int(g) if g.isdigit() else "一二三四五六七八九十".index(g) + 1


def _header_parts(top: tuple, below: tuple | None) -> list[tuple]:
    """Each column's header texts: (top,) for a one-row header; for two rows,
    (parent, child) where a merged parent (its text in the first cell of the
    span, blanks after it) stands over children in the row below."""
    if below is None:
        return [(c,) for c in top]
    width = max(len(top), len(below))
    out = []
    parent = None
    for i in range(width):
        t = top[i] if i < len(top) else None
        b = below[i] if i < len(below) else None
        if not is_blank(t):
            parent = t
        elif is_blank(b):
            parent = None  # a gap ends the span
        if is_blank(b):
            out.append((t,))
        else:
            out.append((parent, b) if parent is not None else (b,))
    return out


def find_header(schema: Schema, buffered: list[tuple[int, tuple]]):
    """The header among the first rows that names most known columns: one
    row, or two rows when a merged parent header spans children below it
    (改造规模 over 楼栋 / 户数 / 建筑面积(万㎡)). Returns (score, last header
    row number, each column's header texts, field keys) or None."""
    best = None
    for i, (rownum, cells) in enumerate(buffered):
        options = [(rownum, _header_parts(cells, None))]
        if i + 1 < len(buffered) and buffered[i + 1][0] == rownum + 1:
            options.append((rownum + 1, _header_parts(cells, buffered[i + 1][1])))
        for last, parts in options:
            keys: set[str] = set()
            for p in parts:
                if any(not is_blank(x) for x in p):
                    k, _m, _n = schema.match_parts(p)
                    if k:
                        keys.add(k)
            # On a tie one row wins: a title row above is not a parent header.
            score = (len(keys), rownum - last)
            if best is None or score > best[0]:
                best = (score, last, parts, keys)
    if best is None:
        return None
    return (best[0][0], *best[1:])


def row_skip(values: list, header_set: list[str], first_norm: Callable) -> dict | None:
    """The skipped-row entry (without its row number) for a row whose non-blank
    cells are `values`, when it is a totals row, a notes row or a repeated
    header; None for a data row."""
    v0 = values[0]
    for v in values[:3]:
        if v.__class__ is str and v.lstrip()[:1] in _TOTALS_START:
            if any(_TOTALS.match(re.sub(r"\s+", "", nfkc(text(x)))) for x in values[:3]):
                return {"reason": gettext_noop("合计行"), "text": text(v0)}
            break
    if len(values) <= 2 and _NOTES.match(re.sub(r"\s+", "", nfkc(text(v0)))):
        return {"reason": gettext_noop("说明行"), "text": text(v0)[:60]}
    if (
        header_set
        and len(values) == len(header_set)
        and v0.__class__ is str
        and first_norm(v0) == header_set[0]
        and [norm_header(c) for c in values] == header_set
    ):
        return {"reason": gettext_noop("重复的表头行"), "text": ""}
    return None


def parse_sheet(
    schema: Schema,
    file_or_path,
    filename,
    row_parser: Callable | None,
    *,
    fill_down: tuple[str, ...] = (),
    name_field: str,
    block_parser: Callable | None = None,
) -> ParsedSheet:
    """`row_parser(out, rownum, raw)` is called per data row, `raw` = field →
    (value, Column); or, for sheets of 100,000 rows, `block_parser(out,
    rownums, values)` once with every data row's values by field (block.py)."""
    out = ParsedSheet(kind=schema.kind)
    try:
        rows: Iterator[tuple[int, tuple]] = iter(read_rows(file_or_path, filename))
        buffered = []
        for rownum, cells in rows:
            buffered.append((rownum, cells))
            if len(buffered) >= HEADER_SCAN_ROWS:
                break
    except CellError as e:
        out.error(str(e))
        return out
    if not buffered:
        out.error(_("表格中没有数据"))
        return out
    best = find_header(schema, buffered)
    needed = [schema.fields[k].label for k in schema.required]
    if best is None or best[0] < 2 or not set(schema.required) <= best[3]:
        found = (
            "、".join(schema.fields[k].label for k in sorted(best[3]))
            if best and best[3]
            else _("无")
        )
        # The headers named stay as the sheet must have them: in Chinese.
        out.error(
            _(
                "未找到表头:前%(n)s行中没有同时包含“%(needed)s”的行"
                "(识别到的列:%(found)s)。请确认表头文字,或下载导入模板对照填写"
            )
            % {"n": HEADER_SCAN_ROWS, "needed": "”“".join(needed), "found": found},
        )
        return out
    _score, header_row, header_parts, _keys = best
    out.header_row = header_row
    columns: dict[str, list[Column]] = {}
    header_norms = []
    lookalikes: list[tuple[str, str]] = []  # (header, field) of unrecognised columns
    for i, parts in enumerate(header_parts):
        shown = " / ".join(text(p) for p in parts if not is_blank(p))
        if not shown:
            header_norms.append("")
            continue
        key, mult, n = schema.match_parts(parts)
        header_norms.append(n)
        if key is None:
            if n not in schema.ignored and not re.match(r"^(序号|编号|no\.?|#)$", n):
                out.ignored_columns.append(shown)
                like = schema.lookalike(n)
                if like:
                    lookalikes.append((shown, like))
            continue
        columns.setdefault(key, []).append(
            Column(index=i, header=shown, multiplier=mult, years=_years_in_header(n))
        )
    out.columns = {k: " / ".join(c.header for c in cols) for k, cols in columns.items()}
    header_set = [n for n in header_norms if n]

    def data_rows():
        for rownum, cells in buffered:
            if rownum > header_row:
                yield rownum, cells
        yield from rows

    # The loop below runs once per data row (100,000 in a district's unit
    # register), so what can be decided once is decided here: each field's
    # column (most have one), whether it fills down, and which fields need
    # to know whether they were ever filled.
    watched = {key for _header, key in lookalikes}
    plan = [
        (key, cols[0].index, cols[0], key in fill_down, key in watched)
        for key, cols in columns.items()
        if len(cols) == 1
    ]
    several = [
        (key, cols, key in fill_down, key in watched)
        for key, cols in columns.items()
        if len(cols) > 1
    ]
    width = 1 + max((c.index for cols in columns.values() for c in cols), default=0)
    used = sorted({c.index for cols in columns.values() for c in cols})
    carried: dict[str, tuple] = {}
    filled: set[str] = set()
    first_norm = lru_cache(maxsize=1024)(norm_header)
    skip = out.skipped.append
    try:
        if block_parser is not None:
            with block.paused_gc():
                filled = block.walk(
                    out,
                    [(r, c) for r, c in buffered if r > header_row],
                    rows,
                    block_parser,
                    columns=columns,
                    fill_down=fill_down,
                    watched=watched,
                    name_field=name_field,
                    row_skip=lambda values: row_skip(values, header_set, first_norm),
                    norm=norm_header,
                    header_first=header_set[0] if header_set else None,
                )
        for rownum, cells in data_rows() if block_parser is None else ():
            values = [c for c in cells if c is not None and (c.__class__ is not str or c.strip())]
            if not values:
                continue
            skipped = row_skip(values, header_set, first_norm)
            if skipped:
                skipped["row"] = rownum
                skip(skipped)
                continue
            if len(cells) < width:
                cells = (*cells, *(None,) * (width - len(cells)))
            raw: dict[str, tuple[object, Column]] = {}
            for key, index, col, fill, watch in plan:
                v = cells[index]
                if v is None or (v.__class__ is str and not v.strip()):
                    # Merged cells (a street spanning many rows) read as blank
                    # below their first row: carry the value down.
                    raw[key] = carried[key] if fill and key in carried else (None, col)
                else:
                    raw[key] = chosen = (v, col)
                    if fill:
                        carried[key] = chosen
                    if watch:
                        filled.add(key)
            for key, cols, fill, watch in several:
                for col in cols:
                    v = cells[col.index]
                    if v is not None and (v.__class__ is not str or v.strip()):
                        raw[key] = chosen = (v, col)
                        if fill:
                            carried[key] = chosen
                        if watch:
                            filled.add(key)
                        break
                else:
                    raw[key] = carried[key] if fill and key in carried else (None, cols[0])
            name = raw.get(name_field, (None,))[0]
            if name is None or (name.__class__ is str and not name.strip()):
                if all(is_blank(cells[i]) for i in used):
                    skip({"row": rownum, "reason": gettext_noop("无内容的行(仅序号)"), "text": ""})
                    continue
            row_parser(out, rownum, raw)
    except CellError as e:  # a corrupt file discovered mid-way
        out.error(str(e))
        return out
    for header, key in lookalikes:
        if key in filled or not out.rows:
            continue
        label = _(schema.fields[key].label)
        # A grey "未识别" note is not enough: the whole column would be lost.
        out.error(
            _(
                "“%(header)s”列看起来是“%(label)s”,但未能识别,“%(label)s”在所有行都为空。"
                "请把表头改为“%(label)s”后重新导入(可在括号中写单位)"
            )
            % {"header": header, "label": label},
            column=header,
            field=key,
        )
    return out
