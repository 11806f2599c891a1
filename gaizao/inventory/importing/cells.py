"""Cell readers for published spreadsheets: pure functions, no ORM.

Government sheets write numbers as "约2.29万平方米", "220余", "1,200",
"１２００" and years as "1990年代" or "1995年6月". Each reader returns
(value, approximate) or raises CellError with a Chinese message; the caller
adds the row and column.
"""

import re
import unicodedata
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _


class CellError(ValueError):
    """A cell that cannot be read; the message is shown to the user."""


def nfkc(value) -> str:
    """Full-width → half-width (digits, brackets, commas), ㎡ → m2, trimmed."""
    if value.__class__ is str and value.isascii():
        return value.strip()  # NFKC leaves ASCII as it is
    return unicodedata.normalize("NFKC", str(value)).strip()


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


_WS = re.compile(r"\s+")


def text(value) -> str:
    if value is None:
        return ""
    if value.__class__ is str:
        s = value.strip()
        # Collapse inner runs of spaces and line breaks (wrapped cells).
        if "  " in s or "\n" in s or "\t" in s or "\r" in s or "\u3000" in s:
            s = _WS.sub(" ", s)
        return s
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    return _WS.sub(" ", str(value)).strip()


# Unit words a cell may carry; the multiplier turns them into the field's base
# unit (m² or 元). Longest first so "万平方米" wins over "平方米".
AREA_UNITS = [
    ("万平方米", 10_000),
    ("万m2", 10_000),
    ("万平米", 10_000),
    ("万平", 10_000),
    ("平方米", 1),
    ("平米", 1),
    ("m2", 1),
    ("平", 1),
]
MONEY_UNITS = [
    ("亿元", 100_000_000),
    ("万元", 10_000),
    ("亿", 100_000_000),
    ("万", 10_000),
    ("元", 1),
]
COUNT_UNITS = [("户", 1), ("栋", 1), ("幢", 1), ("座", 1), ("套", 1), ("个", 1), ("年", 1)]

_APPROX_PREFIX = re.compile(r"^(约|大约|大概|近|逾|超过|超|共计|共|计|合计)")
_APPROX_SUFFIX = re.compile(r"(余|多|左右|以上|上下|\+)$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


def number(value, *, units=(), header_multiplier=1) -> tuple[Decimal | None, bool]:
    """A decimal number, converted by the cell's own unit if it names one,
    else by the header's. Returns (value, approximate)."""
    if is_blank(value):
        return None, False
    if isinstance(value, bool):
        raise CellError(_("“%(value)s”不是数字") % {"value": value})
    if isinstance(value, int | float):
        return Decimal(str(value)) * header_multiplier, False
    if isinstance(value, Decimal):
        return value * header_multiplier, False
    if isinstance(value, datetime | date):
        raise CellError(_("“%(value)s”是日期,这里需要数字") % {"value": text(value)})
    raw = str(value)
    s = nfkc(raw).replace(" ", "").replace(",", "").replace("，", "")
    s = s.replace("m²", "m2").replace("M2", "m2").replace("平方公尺", "平方米")
    approx = False
    m = _APPROX_PREFIX.match(s)
    if m:
        approx = m.group(1) not in ("共计", "共", "计", "合计")
        s = s[m.end() :]
    multiplier = header_multiplier
    for word, mult in units:
        if s.endswith(word):
            s = s[: -len(word)]
            multiplier = mult
            break
    m = _APPROX_SUFFIX.search(s)
    if m:
        approx = True
        s = s[: m.start()]
        # "220余户": the unit after the 余
    for word, mult in units:
        if s.endswith(word):
            s = s[: -len(word)]
            multiplier = mult
            break
    if not _NUMBER.match(s):
        raise CellError(_("“%(value)s”不是数字") % {"value": raw.strip()})
    try:
        return Decimal(s) * multiplier, approx
    except InvalidOperation:
        raise CellError(_("“%(value)s”不是数字") % {"value": raw.strip()})


def integer(value, *, units=COUNT_UNITS) -> tuple[int | None, bool]:
    d, approx = number(value, units=units)
    if d is None:
        return None, False
    if d != d.to_integral_value():
        raise CellError(_("“%(value)s”应为整数") % {"value": text(value)})
    return int(d), approx


_YES = {"是", "y", "yes", "true", "1", "√", "✓", "有", "已纳入", "纳入", "在", "属于", "对"}
_NO = {
    "否",
    "n",
    "no",
    "false",
    "0",
    "×",
    "✗",
    "x",
    "无",
    "未纳入",
    "不",
    "不是",
    "没有",
    "非",
    "不属于",
    "未",
    "-",
    "/",
}


def yes_no(value) -> bool | None:
    if value.__class__ is str and value in _YES_NO_EXACT:  # the common 是 / 否, first
        return _YES_NO_EXACT[value]
    if is_blank(value):
        return None
    if isinstance(value, bool):
        return value
    s = nfkc(value).lower().replace(" ", "")
    if s in _YES:
        return True
    if s in _NO:
        return False
    if s[0] in "是有√":
        return True
    if s[0] in "否无不未非×":
        return False
    raise CellError(_("“%(value)s”应填“是”或“否”") % {"value": text(value)})


_YES_NO_EXACT = {"是": True, "否": False}

EXCEL_EPOCH = date(1899, 12, 30)
_FULL_DATE = re.compile(r"^(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*日?$")
_YEAR_MONTH = re.compile(r"^(\d{4})\s*[-./年]\s*(\d{1,2})\s*月?(份)?$")
_YEAR = re.compile(r"^(\d{4})\s*年?(度)?$")
_DECADE = re.compile(r"^(20世纪|上世纪|19)?(\d{2})年代(初|初期|中|中期|末|末期|后期)?$")
_YEAR_BEFORE = re.compile(r"^(\d{4})\s*年?(以前|之前|前|左右|前后|以后|后)$")


def _check_year(y: int, raw) -> int:
    if not 1900 <= y <= 2100:
        raise CellError(_("“%(value)s”不是合理的年份(应在1900至2100之间)") % {"value": text(raw)})
    return y


_ABOUT_PREFIX = re.compile(r"^(约|大约|大概|估计)")
# The kinds of approximate build time build_time() reports (truthy both):
# ABOUT — a round figure either side of the year ("2000年左右", "约1999",
# "90年代"); BOUND — one side known ("2000年以前" → 1999 at the latest).
ABOUT, BOUND = "about", "bound"


def build_time(value) -> tuple[int | None, date | None, str | bool]:
    """(year, date or None, approximate) of a 建成年代/时间 cell. `approximate`
    is False, ABOUT or BOUND."""
    if is_blank(value):
        return None, None, False
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return _check_year(value.year, value), value, False
    if isinstance(value, int | float) and not isinstance(value, bool):
        n = float(value)
        if n.is_integer() and 1900 <= n <= 2100:
            return int(n), None, False
        if 2100 < n < 80000:  # an Excel date serial the sheet did not format as a date
            d = EXCEL_EPOCH + timedelta(days=int(n))
            return _check_year(d.year, value), d, False
        s = str(value)
    else:
        s = nfkc(value).replace(" ", "")
    s = s.rstrip("。")
    about = _ABOUT_PREFIX.match(s)
    if about and len(s) > about.end():
        y, d, _kind = build_time(s[about.end() :])
        return y, d, ABOUT
    m = _FULL_DATE.match(s)
    if m:
        y, mo, d = (int(x) for x in m.groups())
        try:
            return _check_year(y, value), date(y, mo, d), False
        except ValueError:
            raise CellError(_("“%(value)s”不是有效日期") % {"value": text(value)})
    m = _YEAR_MONTH.match(s)
    if m:
        y, mo = int(m.group(1)), int(m.group(2))
        if not 1 <= mo <= 12:
            raise CellError(_("“%(value)s”的月份无效") % {"value": text(value)})
        return _check_year(y, value), date(y, mo, 1), False
    m = _YEAR.match(s)
    if m:
        return _check_year(int(m.group(1)), value), None, False
    m = _DECADE.match(s)
    if m:
        y = 1900 + int(m.group(2))
        if m.group(2) == "00" or (m.group(1) is None and int(m.group(2)) < 30):
            y = 2000 + int(m.group(2)) if m.group(1) is None else y
        y += {"中": 5, "中期": 5, "末": 8, "末期": 8, "后期": 7}.get(m.group(3) or "", 0)
        return _check_year(y, value), None, ABOUT
    m = _YEAR_BEFORE.match(s)
    if m:
        # "2000年以前" means built by 1999: keep it before the policy cut-off.
        shift = {"以前": -1, "之前": -1, "前": -1, "以后": 1, "后": 1}.get(m.group(2), 0)
        kind = ABOUT if m.group(2) in ("左右", "前后") else BOUND
        return _check_year(int(m.group(1)) + shift, value), None, kind
    raise CellError(
        _("“%(value)s”不是可识别的年份或日期(例如 1995、1995年6月、1990年代)")
        % {"value": text(value)}
    )
