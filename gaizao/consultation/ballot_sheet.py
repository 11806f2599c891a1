"""Read a paper ballot tally sheet (.xlsx or .csv, one row per unit) into the
tally's UnitVote list, as a system of record: every cell that could flip the
result is read strictly, and what cannot be read is refused with its row and
column. Pure: no ORM. Cell and header helpers come from the inventory import
(gaizao.inventory.importing).

Columns (header row found among the first 15 rows; full-width characters,
spaces and unit suffixes like (㎡) tolerated):

  房号 / 户号 / 单元房号 / 房屋 / 门牌号       required (with optional 楼栋 and 单元 columns)
  表决意见 / 意见 / 表决 / 投票                required: 同意 / 反对 / 弃权, blank = no reply;
                                              anything else (√, ×, a dash "—") is refused
  专有部分面积 / 产权面积 / 建筑面积 / 面积      registered area (不动产登记面积), m²
  实测面积                                    surveyed area (测绘机构实测), m²
  合同面积                                    contract area (房屋买卖合同), m²
                                              at least one of the three area columns
  身份证号 / 证件号码 / 不动产权证号 / 房产证号  optional: identifies the owner
  业主 / 业主姓名 / 产权人 / 姓名              optional: the owner's name(s)
  未售 / 开发商 / 建设单位                     optional: 是 marks the developer's unit

Owners (最高人民法院《关于审理建筑物区分所有权纠纷案件具体应用法律若干问题的
解释》(法释〔2009〕7号) 第九条: one unit one owner, one buyer of several
units counts once): a row's owner is its ID / property-certificate number
when the sheet has one, else its name; co-owners written in one cell
("张三、李四") are an unordered set, so 张三、李四 and 李四、张三 are the
same owners. Two people of the same name with different ID numbers are two
owners.

Developer (same article: the developer's unsold or undelivered units count as
ONE owner): only by an explicit column (未售 / 建设单位: 是) or by naming the
developer (`developer=` — the owner cell must equal it). Never by a word in a
name: 某某软件开发有限公司 is a buyer.

Area (同一解释 第八条): the registered area; where a unit is not yet
registered, the surveyed area; where not yet surveyed, the contract area.
The source used is reported per unit. Approximate areas ("约80") are refused.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from gaizao.core.errors import DomainError, Problems
from gaizao.inventory.importing.cells import AREA_UNITS, CellError, is_blank, nfkc, number, text
from gaizao.inventory.importing.reading import read_rows
from gaizao.inventory.importing.sheet import norm_header

from .tally import ABSTAIN, AGREE, OPPOSE, UnitVote

HEADER_SCAN_ROWS = 15
# SPC interpretation art. 8: the order in which a unit's area is taken.
AREA_ORDER = ("registered", "surveyed", "contract")
AREA_SOURCE_LABELS = {
    "registered": gettext_noop("登记面积"),
    "surveyed": gettext_noop("实测面积"),
    "contract": gettext_noop("合同面积"),
}
SYNONYMS = {
    "unit": ["房号", "户号", "单元房号", "房屋", "房屋编号", "门牌号", "室号"],
    "building": ["楼栋", "楼栋号", "栋号", "楼号", "幢号"],
    "entrance": ["单元", "单元号"],
    "owner": ["业主", "业主姓名", "产权人", "姓名", "业主名称", "买受人"],
    "owner_id": [
        "身份证号",
        "身份证号码",
        "证件号",
        "证件号码",
        "身份证件号码",
        "不动产权证号",
        "不动产权证书号",
        "产权证号",
        "房产证号",
        "房屋所有权证号",
    ],
    "registered": [
        "专有部分面积",
        "建筑面积",
        "面积",
        "房屋面积",
        "产权面积",
        "登记面积",
        "不动产登记面积",
        "产权登记面积",
    ],
    "surveyed": ["实测面积", "实测", "实测建筑面积", "测绘面积", "实测专有部分面积"],
    "contract": ["合同面积", "合同约定面积", "预售面积", "买卖合同面积", "合同建筑面积"],
    "choice": ["表决意见", "意见", "表决", "投票", "表决结果", "投票意见"],
    "developer": [
        "未售",
        "开发商",
        "建设单位",
        "开发建设单位",
        "建设单位未售",
        "开发商未售",
        "未售房屋",
        "是否未售",
    ],
}
REQUIRED = ("unit", "choice")

# The only marks a ballot sheet may carry (blank = did not take part).
_MARKS = {"同意": AGREE, "反对": OPPOSE, "弃权": ABSTAIN}
_YES = {"是", "未售", "y", "yes", "1", "true"}
_NO = {"否", "n", "no", "0", "false"}
_TOTAL = re.compile(r"^(合计|总计|小计|共计)")
# Co-owners in one cell: 张三、李四 / 张三,李四 / 张三;李四 / 张三/李四.
_CO_OWNERS = re.compile(r"[、,;/]+")


@dataclass(frozen=True)
class SheetUnit:
    """One row as read: where it came from and which area was used."""

    row: int
    label: str
    area: Decimal
    area_source: str


@dataclass
class BallotSheet:
    units: list[UnitVote]
    rows: list[SheetUnit]
    developer_units: int = 0
    identified_by: str = "name"  # "id" when the sheet has an ID/certificate column
    notes: list[str] = field(default_factory=list)

    def area_sources(self) -> dict[str, int]:
        out = dict.fromkeys(AREA_ORDER, 0)
        for r in self.rows:
            out[r.area_source] += 1
        return out


def _field_of(header) -> str | None:
    h = norm_header(header)
    if not h:
        return None
    h = re.sub(r"\((m2|㎡|平方米|元)\)$", "", h)
    for fld, names in SYNONYMS.items():
        if h in names:
            return fld
    return None


def parse_choice(value) -> str | None:
    """同意 / 反对 / 弃权, or None for a blank cell. Anything else — a tick, a
    cross, a dash — is refused: a dash is not an abstention (an abstention
    takes part, a dash may mean "did not return")."""
    if is_blank(value):
        return None
    s = re.sub(r"\s+", "", nfkc(text(value)))
    if s in _MARKS:
        return _MARKS[s]
    raise CellError(
        _("“%(value)s”不是有效的表决意见(只能填 同意、反对、弃权,未表决留空)")
        % {"value": text(value)}
    )


def owner_names(cell) -> frozenset[str]:
    """The owners written in one cell, as an unordered set of names."""
    s = nfkc(text(cell))
    return frozenset(p for p in (re.sub(r"\s+", "", x) for x in _CO_OWNERS.split(s)) if p)


def owner_ids(cell) -> frozenset[str]:
    s = nfkc(text(cell)).upper()
    return frozenset(p for p in (re.sub(r"\s+", "", x) for x in _CO_OWNERS.split(s)) if p)


def _key(kind: str, parts: frozenset[str]) -> str:
    return f"{kind}:" + "|".join(sorted(parts))


def _find_header(rows):
    buffered = []
    for rownum, cells in rows:
        buffered.append((rownum, cells))
        mapping = {}
        for i, cell in enumerate(cells):
            f = _field_of(cell)
            if f and f not in mapping:
                mapping[f] = i
        if all(f in mapping for f in REQUIRED) and any(f in mapping for f in AREA_ORDER):
            return mapping, rownum, cells
        if len(buffered) >= HEADER_SCAN_ROWS:
            break
    return None, None, None


def _area(cells, columns, headers, rownum, problems, cell):
    """(area, source) by the SPC art. 8 order, or None after adding a problem."""
    for source in AREA_ORDER:
        if source not in columns:
            continue
        value = cell(cells, source)
        if is_blank(value):
            continue
        try:
            area, approx = number(value, units=AREA_UNITS)
        except CellError as e:
            problems.add(str(e), row=rownum, column=headers[source])
            return None
        if approx:
            problems.add(
                _("“%(value)s”是约数,表决须按确切面积计算") % {"value": text(value)},
                row=rownum,
                column=headers[source],
            )
            return None
        if area is None or area <= 0:
            problems.add(_("专有部分面积应为大于 0 的数字"), row=rownum, column=headers[source])
            return None
        return area, source
    first = next(s for s in AREA_ORDER if s in columns)
    problems.add(
        _("没有面积:登记面积、实测面积、合同面积均为空(司法解释第八条)"),
        row=rownum,
        column=headers[first],
    )
    return None


def parse_ballot_sheet(file_or_path, *, filename=None, developer: str = "") -> BallotSheet:
    """developer: the developer's name as written in the owner column (its
    units then count as one owner); exact, not a substring."""
    try:
        rows = iter(read_rows(file_or_path, filename))
        columns, header_row, header_cells = _find_header(rows)
    except CellError as e:
        raise DomainError(str(e))
    if columns is None:
        raise DomainError(
            _("未找到表头:前 15 行中没有同时包含“房号”“表决意见”和面积(登记、实测或合同面积)的行"),
            errors=[],
        )
    headers = {f: text(header_cells[i]) for f, i in columns.items()}
    developer = re.sub(r"\s+", "", nfkc(developer or ""))
    if developer and "owner" not in columns:
        raise DomainError(_("指定了开发建设单位名称,但表格没有“业主”列"))
    problems = Problems()
    out: list[UnitVote] = []
    read: list[SheetUnit] = []
    seen: dict[str, int] = {}
    developer_n = 0

    def cell(cells, f):
        i = columns.get(f)
        return cells[i] if i is not None and i < len(cells) else None

    try:
        for rownum, cells in rows:
            if all(is_blank(c) for c in cells):
                continue
            first = next((text(c) for c in cells if not is_blank(c)), "")
            if _TOTAL.match(nfkc(first)) or _TOTAL.match(nfkc(text(cell(cells, "unit")))):
                continue  # a totals row
            if _field_of(cell(cells, "unit")) == "unit":
                continue  # a repeated header (page break in a printed sheet)
            number_s = nfkc(text(cell(cells, "unit")))
            if not number_s:
                problems.add(_("房号为空"), row=rownum, column=headers["unit"])
                continue
            where = [nfkc(text(cell(cells, f))) for f in ("building", "entrance")]
            key = "|".join([*where, number_s])
            label = "".join([*where, number_s])
            if key in seen:
                problems.add(
                    _("房号“%(label)s”与第%(row)s行重复") % {"label": label, "row": seen[key]},
                    row=rownum,
                    column=headers["unit"],
                )
                continue
            seen[key] = rownum
            got = _area(cells, columns, headers, rownum, problems, cell)
            try:
                choice = parse_choice(cell(cells, "choice"))
            except CellError as e:
                problems.add(str(e), row=rownum, column=headers["choice"])
                continue
            is_dev = False
            if "developer" in columns:
                mark = re.sub(r"\s+", "", nfkc(text(cell(cells, "developer")))).lower()
                if mark in _YES:
                    is_dev = True
                elif mark and mark not in _NO:
                    problems.add(
                        _("“%(value)s”无法识别:本列填“是”表示开发建设单位未售房屋,否则留空或填“否”")
                        % {"value": text(cell(cells, "developer"))},
                        row=rownum,
                        column=headers["developer"],
                    )
                    continue
            names = owner_names(cell(cells, "owner"))
            if developer and names == {developer}:
                is_dev = True
            if got is None:
                continue
            ids = owner_ids(cell(cells, "owner_id")) if "owner_id" in columns else frozenset()
            owner = _key("id", ids) if ids else (_key("n", names) if names else None)
            developer_n += is_dev
            out.append(
                UnitVote(unit=key, area=got[0], owner=owner, developer=is_dev, choice=choice)
            )
            read.append(SheetUnit(row=rownum, label=label, area=got[0], area_source=got[1]))
    except CellError as e:
        raise DomainError(str(e))
    if problems:
        raise DomainError(
            _("表格有 %(items)s 处错误,未计票") % {"items": len(problems.items)},
            errors=problems.items,
        )
    if not out:
        raise DomainError(_("表头(第%(header_row)s行)下没有房屋数据") % {"header_row": header_row})
    if developer and not developer_n:
        raise DomainError(
            _("“业主”列中没有名为“%(name)s”的业主(开发建设单位须与表中名称完全一致)")
            % {"name": developer}
        )
    return BallotSheet(
        units=out,
        rows=read,
        developer_units=developer_n,
        identified_by="id" if "owner_id" in columns else "name",
    )
