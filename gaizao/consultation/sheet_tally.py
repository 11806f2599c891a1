"""Tally a paper ballot sheet: the law (given, or the one in force on the
closing day, 2021-01-01 spans flagged), the item in that law's own numbering,
the sheet read strictly (ballot_sheet.py), the tally (tally.py). Pure, no
ORM: used by `gaizao tally` and the staff page that checks a sheet."""

from datetime import date
from fractions import Fraction

from django.utils.translation import gettext as _

from gaizao.core.errors import DomainError

from . import tally as T
from .ballot_sheet import AREA_SOURCE_LABELS, parse_ballot_sheet


def choose_law(law: str | None, opens: date | None, closes: date | None) -> str:
    """The law a decision is judged under: the one in force on the day the
    vote closes (the decision is made then); an explicit law that disagrees
    with the closing date is refused."""
    if opens and closes and closes < opens:
        raise DomainError(_("表决截止日期早于开始日期"))
    by_date = T.law_for_date(closes) if closes else None
    if law and by_date and law != by_date:
        raise DomainError(
            _(
                "适用法律 %(law)s 与截止日期 %(closes)s 时施行的法律(%(by_date)s)不一致;表决以截止之日施行的法律为准"
            )
            % {"law": law, "closes": closes, "by_date": by_date}
        )
    return law or by_date or T.CIVIL_CODE


def sheet_tally(
    file_or_path,
    *,
    item: int,
    law: str | None = None,
    opens: date | None = None,
    closes: date | None = None,
    developer: str = "",
    filename: str | None = None,
) -> dict:
    """The result as JSON-ready data; DomainError (with .errors naming row and
    column) when the sheet or the arguments cannot be used."""
    law = choose_law(law, opens, closes)
    try:
        key = T.matter_for_item(law, item)
    except ValueError as e:
        raise DomainError(str(e))
    sheet = parse_ballot_sheet(file_or_path, filename=filename, developer=developer)
    try:
        result = T.tally(sheet.units, matter=key, law=law)
    except ValueError as e:
        raise DomainError(str(e))
    out = result.as_dict()
    out["matter"] = item
    out["matter_cited"] = T.item_citation(law, item)
    out["rule"] = result.rule
    out["owners_identified_by"] = sheet.identified_by
    out["developer_units"] = sheet.developer_units
    out["area_sources"] = sheet.area_sources()
    out["units"] = [
        {
            "row": r.row,
            "unit": r.label,
            "area": T.area_number(Fraction(r.area)),
            "area_source": r.area_source,
            "area_source_label": AREA_SOURCE_LABELS[r.area_source],
        }
        for r in sheet.rows
    ]
    if opens and closes and T.spans_2021(opens, closes):
        out["spans_2021"] = True
    return out
