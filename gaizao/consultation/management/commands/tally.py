"""gaizao tally SHEET --matter N [--law civil_code|property_law]
                  [--opens DATE] [--closes DATE] [--developer NAME]

Tally a paper ballot sheet (one row per unit) under 民法典 第二百七十八条 (or the
old 物权法 第七十六条) and print the result as JSON. The same tally runs in the
web app on recorded ballots (gaizao.consultation.tally); the sheet is read by
gaizao.consultation.ballot_sheet (owners, developer, marks and areas).

The law: --law, or the one in force on --closes (the decision is made when
the vote closes); a vote open across 2021-01-01 (--opens before, --closes on
or after) is flagged. --matter is the item number as that law numbers it:
物权法第七十六条 items 1–7, 民法典第二百七十八条 items 1–9."""

import json
import sys
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from gaizao.consultation import tally as T
from gaizao.consultation.sheet_tally import sheet_tally
from gaizao.core.errors import DomainError


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"日期“{value}”无效,应为 YYYY-MM-DD,如 2021-01-10")


class Command(BaseCommand):
    help = (
        "按民法典第二百七十八条(或物权法第七十六条)对表决统计表(.xlsx/.csv,每户一行)计票,输出 JSON"
    )

    def add_arguments(self, parser):
        parser.add_argument("sheet", help="表决统计表 .xlsx 或 .csv")
        parser.add_argument(
            "--matter",
            type=int,
            required=True,
            metavar="N",
            help="表决事项,按适用法律自己的编号:民法典第二百七十八条第一款第 N 项(1–9),"
            "物权法第七十六条第一款第 N 项(1–7)",
        )
        parser.add_argument(
            "--law",
            choices=[T.CIVIL_CODE, T.PROPERTY_LAW],
            default=None,
            help="适用法律(默认按 --closes 表决截止日确定;都未给出时为 civil_code 民法典)",
        )
        parser.add_argument("--opens", default=None, help="表决开始日期 YYYY-MM-DD")
        parser.add_argument(
            "--closes", default=None, help="表决截止日期 YYYY-MM-DD(据此确定适用法律)"
        )
        parser.add_argument(
            "--developer",
            default="",
            metavar="NAME",
            help="开发建设单位在“业主”列中的名称(须完全一致),其未售房屋合计为一名业主",
        )

    def handle(self, *args, sheet, matter, law, opens, closes, developer, **opts):
        opens_d = _date(opens) if opens else None
        closes_d = _date(closes) if closes else None
        try:
            # A missing file or a folder is a DomainError too ("找不到文件:…",
            # "… 是文件夹,不是表格文件"), worded as in `import` and `eligibility`.
            out = sheet_tally(
                sheet, item=matter, law=law, opens=opens_d, closes=closes_d, developer=developer
            )
        except DomainError as e:
            for d in e.errors:
                sys.stderr.write(f"{d}\n")
            raise CommandError(e.message)
        if out.get("spans_2021"):
            sys.stderr.write(
                "注意:表决期跨越 2021-01-01(物权法施行期间开始,民法典施行后截止),"
                "按截止日施行的民法典计票\n"
            )
        self.stdout.write(json.dumps(out, ensure_ascii=False, indent=2))
