"""gaizao remind: send due and overdue notices (run daily by cron or a systemd timer; docs/works.md)."""

import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from gaizao.works.reminders import remind


class Command(BaseCommand):
    help = "发送施工节点和联席会议任务到期与逾期提醒(站内、邮件、短信),逾期逐级上报;重复运行不会重复发送"

    def add_arguments(self, parser):
        parser.add_argument("--today", help="按此日期计算(YYYY-MM-DD),用于补发或测试")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **opts):
        today = None
        if opts.get("today"):
            try:
                today = date.fromisoformat(opts["today"])
            except ValueError:
                raise CommandError(f"--today “{opts['today']}” 不是有效日期(格式:2026-03-01)")
        r = remind(today=today)
        out = {
            "considered": r.considered,
            "tasks": r.tasks,
            "sent": r.sent,
            "skipped": r.skipped,
            "by_level": r.by_level,
        }
        if opts["json"]:
            self.stdout.write(json.dumps(out, ensure_ascii=False))
        else:
            self.stdout.write(
                f"节点 {r.considered} 个,联席会议任务 {r.tasks} 个,发送 {r.sent} 条,已发过跳过 {r.skipped} 条"
            )
