"""gaizao report --period YYYY-MM|YYYY-Qn [--area CODE] [-o FILE]: the
statistical report to the level above as .xlsx (docs/disclosure.md)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from gaizao.disclosure import report


class Command(BaseCommand):
    help = _("生成上报的城镇老旧小区改造统计报表(.xlsx,按月或按季度)")

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, help=_("报告期:2024-06(月)或 2024-Q2(季度)"))
        parser.add_argument("--area", help=_("区划代码(默认为本区);市级代码按区汇总"))
        parser.add_argument(
            "-o", "--output", help=_("输出文件(默认 report-<区划代码>-<报告期>.xlsx)")
        )

    def handle(self, *args, **opts):
        try:
            period = report.parse_period(opts["period"])
        except report.BadPeriod:
            raise CommandError(
                _("报告期“%(p)s”格式不对:应为 2024-06(月)或 2024-Q2(季度)") % {"p": opts["period"]}
            )
        try:
            area = report.area_for(opts.get("area"), report.root_area())
        except LookupError:
            raise CommandError(_("没有区划代码为“%(c)s”的地区") % {"c": opts.get("area") or ""})
        data = report.compute(area, period)
        out = Path(opts["output"] or f"report-{area.code}-{period.label}.xlsx")
        out.write_bytes(report.xlsx_bytes(data))
        v = data["values"]
        self.stdout.write(
            _("已写入 %(f)s:%(a)s %(p)s,本期新开工 %(n)s 个小区,本年累计开工率 %(r)s%%")
            % {
                "f": out,
                "a": area.name,
                "p": period.label,
                "n": v["new_started_n"][-1],
                "r": v["rate_n"][-1] if v["rate_n"][-1] is not None else "—",
            }
        )
