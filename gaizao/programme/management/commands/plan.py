"""gaizao plan --instance FILE.json [--time-limit S]: the batch optimiser on a plain instance.

Prints the result JSON: {"assignment": {compound_id: period_id}, "objective",
"bound", "gap", "seconds", "status", "shortfalls": [...], "bound_method"}; with --explain also
"explanations": {compound_id: {period, status, worth, price, parts, binding, text}}.
A malformed instance is one Chinese line naming the field, exit status 2.
`gaizao plan PROGRAMME [--time-limit S] --json` runs on the database (programme/database_plan.py).
"""

import json
import math

from django.core.management.base import BaseCommand, CommandError

from gaizao.core.errors import DomainError
from gaizao.programme import database_plan
from gaizao.programme.optimiser import InstanceError, explain, instance_from_dict, solve


class Command(BaseCommand):
    help = "批次优化：为改造计划的各批次选定小区，并给出可证明的上界和差距"

    def add_arguments(self, parser):
        parser.add_argument("programme", nargs="?", help="改造计划（编号或名称，数据库模式）")
        parser.add_argument("--instance", help="JSON 实例文件（issue 15 的格式）")
        parser.add_argument("--time-limit", type=float, default=10.0, help="时间上限（秒）")
        parser.add_argument("--json", action="store_true", help="输出 JSON（默认即为 JSON）")
        parser.add_argument(
            "--explain", action="store_true", help="附上每个小区入选或未入选的原因（explanations）"
        )

    def handle(self, *args, **opts):
        limit = opts["time_limit"]
        if not math.isfinite(limit) or limit <= 0:
            raise CommandError("--time-limit 应为正数（秒）", returncode=2)
        if not opts["instance"]:
            if opts["programme"]:
                # On the database: gaizao/programme/database_plan.py (a recorded run).
                try:
                    out = database_plan.plan(opts["programme"], limit)
                except DomainError as e:
                    raise CommandError(e.message, returncode=2)
                self.stdout.write(json.dumps(out, ensure_ascii=False))
                return
            raise CommandError("请指定改造计划（编号或名称）或 --instance FILE.json", returncode=2)
        path = opts["instance"]
        try:
            with open(path, encoding="utf-8") as f:
                data = json.load(f)
        except FileNotFoundError:
            raise CommandError(f"找不到实例文件 {path}", returncode=2)
        except (OSError, UnicodeDecodeError) as e:
            raise CommandError(f"无法读取实例文件 {path}：{e.__class__.__name__}", returncode=2)
        except json.JSONDecodeError as e:
            raise CommandError(
                f"实例文件 {path} 不是有效的 JSON（第 {e.lineno} 行第 {e.colno} 列）", returncode=2
            )
        try:
            inst = instance_from_dict(data)
        except InstanceError as e:
            raise CommandError(str(e), returncode=2)
        result = solve(inst, time_limit=limit)
        out = result.as_dict()
        if opts["explain"]:
            out["explanations"] = {str(k): v for k, v in explain(result).items()}
        self.stdout.write(json.dumps(out, ensure_ascii=False))
