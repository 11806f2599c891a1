"""gaizao summaries [--rebuild | --check]: the kept per-compound summary
behind the dashboard, the map, the portal and the home totals
(disclosure.facts; docs/scale.md §7). Every write keeps it up to date; this
command re-derives it after writes made around the services (a restore, a
hand-made SQL fix) or checks that it agrees with the records."""

import sys

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from gaizao.disclosure import facts, tally


class Command(BaseCommand):
    help = _("重新计算或核对小区进度汇总(驾驶舱、地图、公开页面所用)")

    def add_arguments(self, parser):
        g = parser.add_mutually_exclusive_group()
        g.add_argument("--rebuild", action="store_true", help=_("按记录重新计算全部小区的汇总"))
        g.add_argument("--check", action="store_true", help=_("核对汇总与记录是否一致(不修改)"))

    def handle(self, *args, **opts):
        if opts["rebuild"]:

            def progress(done, total):
                if opts["verbosity"]:
                    self.stdout.write(
                        _("已重新计算 %(d)s / %(t)s 个小区") % {"d": done, "t": total}
                    )

            n = facts.rebuild(progress=progress)
            self.stdout.write(_("完成:%(n)s 个小区的汇总已重新计算") % {"n": n})
            return
        bad = facts.mismatches()
        self.stdout.write(_("与记录不一致的小区:%(n)s 个") % {"n": len(bad)})
        if bad:
            self.stdout.write(
                _("小区编号:%(ids)s;运行 gaizao summaries --rebuild 修复")
                % {"ids": ", ".join(str(i) for i in bad[:20])}
            )
        streets = tally.mismatches()
        if streets:
            self.stdout.write(
                _(
                    "与记录不一致的街道汇总:%(n)s 个(街道编号:%(ids)s);运行 gaizao summaries --rebuild 修复"
                )
                % {"n": len(streets), "ids": ", ".join(str(i) for i in streets[:20])}
            )
        if bad or streets:
            sys.exit(1)
