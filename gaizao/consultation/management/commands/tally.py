"""gaizao tally SHEET --matter N [--law civil_code|property_law]

Tally a ballot sheet (one row per unit) under 民法典 第二百七十八条 (or the old
物权法 第七十六条) and print the result as JSON. The same tally runs in the web
app on recorded ballots (gaizao.consultation.tally)."""

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from gaizao.consultation import tally as T
from gaizao.consultation.ballot_sheet import parse_ballot_sheet
from gaizao.core.errors import DomainError


class Command(BaseCommand):
    help = "按民法典第二百七十八条对表决统计表(.xlsx/.csv,每户一行)计票,输出 JSON"

    def add_arguments(self, parser):
        parser.add_argument("sheet", help="表决统计表 .xlsx 或 .csv")
        parser.add_argument(
            "--matter",
            type=int,
            required=True,
            choices=range(1, 10),
            metavar="N",
            help="表决事项,民法典第二百七十八条第一款第 N 项(1–9)",
        )
        parser.add_argument(
            "--law",
            choices=[T.CIVIL_CODE, T.PROPERTY_LAW],
            default=T.CIVIL_CODE,
            help="适用法律(默认 civil_code 民法典;property_law 为 2020 年底前的物权法)",
        )

    def handle(self, *args, sheet, matter, law, **opts):
        try:
            # A missing file or a folder is a DomainError too ("找不到文件:…",
            # "… 是文件夹,不是表格文件"), worded as in `import` and `eligibility`.
            units = parse_ballot_sheet(sheet)
        except DomainError as e:
            for d in e.errors:
                sys.stderr.write(f"{d}\n")
            raise CommandError(e.message)
        try:
            result = T.tally(units, matter=matter, law=law)
        except ValueError as e:
            raise CommandError(str(e))
        self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
