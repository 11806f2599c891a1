import subprocess
import sys
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from gaizao.core.demo import DemoContext
from gaizao.regions.models import Area
from gaizao.site import demo


class Command(BaseCommand):
    help = (
        "建立盘龙区演示数据并启动服务 (migrate, seed, print demo logins, serve on 127.0.0.1:8000)"
    )

    def add_arguments(self, parser):
        parser.add_argument("--no-serve", action="store_true", help="只建立数据,不启动服务")
        parser.add_argument("--reset", action="store_true", help="清空并重新建立演示数据")
        parser.add_argument("--compounds", type=int, default=400, help="演示小区数(默认 400)")
        parser.add_argument("--seed", type=int, default=2020, help="随机种子(默认 2020)")
        parser.add_argument("--addr", default="127.0.0.1:8000", help="服务地址")

    def handle(self, *args, **opts):
        call_command("migrate", interactive=False, verbosity=0)
        seeded = Area.objects.filter(code="530103000000").exists()
        if opts["reset"] and seeded:
            call_command("flush", interactive=False, verbosity=0)
            seeded = False
        ctx = DemoContext(seed=opts["seed"], compounds=opts["compounds"], out=self.stdout)
        if not seeded:
            t0 = time.monotonic()
            self.stdout.write("正在建立盘龙区演示数据 …")
            with transaction.atomic():
                demo.seed(ctx)  # the ordered steps in gaizao/site/demo.py
            self.stdout.write(f"演示数据已建立,用时 {time.monotonic() - t0:.1f} 秒。")
        else:
            self.stdout.write("演示数据已存在(使用 --reset 重建)。")
            demo.logins(ctx)
        self.print_logins(ctx, opts["addr"])
        if not opts["no_serve"]:
            # The background worker (big exports, whole-district evaluations)
            # runs beside the server and stops with it.
            worker = subprocess.Popen([sys.executable, "-m", "gaizao.cli", "worker"])
            try:
                call_command("runserver", opts["addr"], use_reloader=False)
            finally:
                worker.terminate()

    def print_logins(self, ctx, addr):
        w = self.stdout.write
        w("")
        w(f"演示地址: http://{addr}/   (API: http://{addr}/api/v1/docs)")
        w("启动服务时,后台任务程序(gaizao worker)随之启动。")
        w("演示账号(密码相同):")
        for lg in ctx.logins:
            w(f"  {lg.role:<12} 用户名 {lg.username:<22} 密码 {lg.password}   {lg.sees}")
        w("")
