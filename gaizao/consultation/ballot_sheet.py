"""Read a ballot tally sheet (.xlsx or .csv, one row per unit) into the tally's
UnitVote list. Pure: no ORM. Cell and header helpers come from the inventory
import (gaizao.inventory.importing).

Columns (header row found among the first 15 rows; full-width characters,
spaces and unit suffixes like (㎡) tolerated):

  房号 / 户号 / 单元房号 / 房屋 / 门牌号       required (with optional 楼栋 and 单元 columns)
  业主 / 业主姓名 / 产权人 / 姓名              optional; the same name = the same owner
  专有部分面积 / 建筑面积 / 面积               required, m²
  表决意见 / 意见 / 表决 / 投票                required: 同意 赞成 √ / 反对 不同意 × / 弃权; blank = no reply
  开发商 / 开发建设单位                        optional: 是 marks the developer's unsold unit

Developer: a row is the developer's when its 开发商 column says 是, or, if the
sheet has no such column, when the owner's name contains 开发 (…房地产开发有限公司)
or 建设单位. All the developer's rows count as ONE owner (司法解释 第九条).
"""

import re

from django.utils.translation import gettext as _

from gaizao.core.errors import DomainError, Problems
from gaizao.inventory.importing.cells import AREA_UNITS, CellError, is_blank, nfkc, number, text
from gaizao.inventory.importing.reading import read_rows
from gaizao.inventory.importing.sheet import norm_header

from .tally import ABSTAIN, AGREE, OPPOSE, UnitVote

HEADER_SCAN_ROWS = 15
SYNONYMS = {
    "unit": ["房号", "户号", "单元房号", "房屋", "房屋编号", "门牌号", "室号"],
    "building": ["楼栋", "楼栋号", "栋号", "楼号", "幢号"],
    "entrance": ["单元", "单元号"],
    "owner": ["业主", "业主姓名", "产权人", "姓名", "业主名称"],
    "area": ["专有部分面积", "建筑面积", "面积", "房屋面积", "产权面积"],
    "choice": ["表决意见", "意见", "表决", "投票", "表决结果", "投票意见"],
    "developer": ["开发商", "开发建设单位", "建设单位未售", "开发商未售"],
}
LABELS = {"unit": "房号", "area": "专有部分面积", "choice": "表决意见"}
REQUIRED = ("unit", "area", "choice")

_AGREE = {"同意", "赞成", "√", "✓", "✔", "是", "agree", "y", "yes", "支持"}
_OPPOSE = {"反对", "不同意", "×", "✗", "x", "否", "oppose", "no", "n", "不赞成"}
_ABSTAIN = {"弃权", "abstain", "—"}
_YES = {"是", "√", "✓", "y", "yes", "1", "true", "开发商"}
_TOTAL = re.compile(r"^(合计|总计|小计|共计)")


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
    if is_blank(value):
        return None
    s = nfkc(text(value)).lower().replace(" ", "")
    if s in _AGREE:
        return AGREE
    if s in _OPPOSE:
        return OPPOSE
    if s in _ABSTAIN:
        return ABSTAIN
    raise CellError(
        _("“%(value)s”不是有效的表决意见(应为 同意、反对、弃权 或留空表示未表决)")
        % {"value": text(value)}
    )


def parse_ballot_sheet(file_or_path, *, filename=None) -> list[UnitVote]:
    try:
        rows = iter(read_rows(file_or_path, filename))
        buffered = []
        columns = None
        header_row = None
        for rownum, cells in rows:
            buffered.append((rownum, cells))
            mapping = {}
            for i, cell in enumerate(cells):
                f = _field_of(cell)
                if f and f not in mapping:
                    mapping[f] = i
            if all(f in mapping for f in REQUIRED):
                columns, header_row = mapping, rownum
                break
            if len(buffered) >= HEADER_SCAN_ROWS:
                break
    except CellError as e:
        raise DomainError(str(e))
    if columns is None:
        raise DomainError(
            _("未找到表头:前 15 行中没有同时包含“房号”“专有部分面积”“表决意见”的行"), errors=[]
        )
    headers = {f: text(buffered[-1][1][i]) for f, i in columns.items()}
    problems = Problems()
    out: list[UnitVote] = []
    seen: dict[str, int] = {}

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
            key = (
                "|".join(nfkc(text(cell(cells, f))) for f in ("building", "entrance"))
                + "|"
                + number_s
            )
            label = "".join(nfkc(text(cell(cells, f))) for f in ("building", "entrance")) + number_s
            if key in seen:
                problems.add(
                    _("房号“%(label)s”与第%(row)s行重复") % {"label": label, "row": seen[key]},
                    row=rownum,
                    column=headers["unit"],
                )
                continue
            seen[key] = rownum
            try:
                area, _approx = number(cell(cells, "area"), units=AREA_UNITS)
            except CellError as e:
                problems.add(str(e), row=rownum, column=headers["area"])
                continue
            if area is None or area <= 0:
                problems.add(_("专有部分面积应为大于 0 的数字"), row=rownum, column=headers["area"])
                continue
            try:
                choice = parse_choice(cell(cells, "choice"))
            except CellError as e:
                problems.add(str(e), row=rownum, column=headers["choice"])
                continue
            owner = re.sub(r"\s+", "", nfkc(text(cell(cells, "owner"))))
            if "developer" in columns:
                developer = nfkc(text(cell(cells, "developer"))).lower() in _YES
            else:
                developer = "开发" in owner or "建设单位" in owner
            out.append(
                UnitVote(
                    unit=key,
                    area=area,
                    owner=f"n:{owner}" if owner else None,
                    developer=developer,
                    choice=choice,
                )
            )
    except CellError as e:
        raise DomainError(str(e))
    if problems:
        raise DomainError(
            _("表格有 %(items)s 处错误,未计票") % {"items": len(problems.items)},
            errors=problems.items,
        )
    if not out:
        raise DomainError(_("表头(第%(header_row)s行)下没有房屋数据") % {"header_row": header_row})
    return out
