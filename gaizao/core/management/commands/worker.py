"""`gaizao worker`: runs the background jobs (gaizao.core.jobs) that pages
and commands enqueue — big exports, whole-jurisdiction evaluations. One
process per core is plenty; run it under the host's service manager next to
the web server (docs/settings.md). The demo starts one itself."""

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "运行后台任务(大批量导出、全辖区评估等);Ctrl+C 停止"

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch", action="store_true", help="处理完队列中的任务后退出(用于定时任务和测试)"
        )
        parser.add_argument("--interval", type=float, default=1.0, help="空闲时轮询间隔(秒)")

    def handle(self, *args, batch, interval, **opts):
        options = {"interval": interval, "no_startup_delay": True, "verbosity": opts["verbosity"]}
        if batch:
            options["batch"] = True
        call_command("db_worker", **options)
