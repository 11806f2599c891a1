"""gaizao eligibility — judge compounds against the scope rules (改造范围).

gaizao eligibility --area 530103000000 [--policy panlong-2020] [--json]
    evaluate the recorded compounds of an area and store the verdicts
gaizao eligibility SHEET.xlsx [--policy NAME] [--area CODE] --json
    judge the compounds of a spreadsheet without importing it
gaizao eligibility --install-policies
    create the built-in policies that are missing
"""

import json

from django.core.management.base import BaseCommand, CommandError

from gaizao.core.errors import DomainError
from gaizao.inventory.models import Compound
from gaizao.regions.models import Area
from gaizao.regions.scope import compound_area_q

from ... import rules, selectors, services
from ...models import Verdict
from ...sheet import evaluate_sheet, json_default


class Command(BaseCommand):
    help = "按改造政策判断小区是否属于改造范围(已录入的小区,或未导入的表格)"

    def add_arguments(self, parser):
        parser.add_argument("sheet", nargs="?", help="小区表格(.xlsx/.csv),不导入,只判断")
        parser.add_argument("--area", help="区划代码(12位),如 530103000000")
        parser.add_argument("--policy", help="政策编码或名称;默认按所在辖区的默认政策")
        parser.add_argument("--json", action="store_true", help="输出 JSON")
        parser.add_argument(
            "--install-policies",
            action="store_true",
            help="建立缺少的内置政策(全国2020、盘龙区2020)",
        )

    def handle(self, *args, **o):
        self.verbosity, self._shown = o.get("verbosity", 1), 0
        try:
            return self._handle(o)
        except DomainError as e:
            raise CommandError(e.message)

    def _handle(self, o):
        if o["install_policies"]:
            made = services.ensure_builtin_policies()
            self.stdout.write("已建立:" + "、".join(map(str, made)) if made else "内置政策已齐全")
            if not (o["area"] or o["sheet"]):
                return
        policy = None
        if o["policy"]:
            policy = selectors.get_policy(o["policy"])
            if policy is None:
                names = "、".join(p.code for p in selectors.policies())
                raise CommandError(f"没有名为“{o['policy']}”的政策。可用:{names}")
        area = None
        if o["area"]:
            area = Area.objects.filter(code=o["area"].strip()).first()
            if area is None:
                raise CommandError(f"区划代码“{o['area']}”不存在")
        if o["sheet"]:
            return self._sheet(o, policy, area)
        if area is None:
            raise CommandError("请用 --area 指定区划代码,或给出一个表格文件")
        # In chunks, each its own transaction, progress on stderr (stdout
        # stays the table or the JSON); memory does not grow with the area.
        result = services.evaluate_area(
            actor=None, area=area, policy=policy, source="cli", progress=self._progress
        )
        verdicts = Verdict.objects.filter(
            compound__in=Compound.objects.filter(compound_area_q(area))
        )
        verdicts = verdicts.filter(policy=policy) if policy else verdicts.filter(by_default=True)
        rows = selectors.reserve_rows(verdicts).iterator(chunk_size=2000)
        if o["json"]:
            self._json(result, rows)
            return
        w = self.stdout.write
        w(f"{'小区':<16}\t{'街道':<8}\t{'结论':<8}\t依据")
        for v in rows:
            why = next(
                (f"{r['label']}:{r['detail']}" for r in v.reasons if r["passed"] is False),
                "缺少:" + "、".join(v.missing) if v.missing else "全部条件符合",
            )
            w(
                f"{v.compound.name:<16}\t{v.compound.street.name:<8}\t"
                f"{rules.VERDICT_LABELS[v.verdict]:<8}\t{why}"
            )
        w(f"{area.name}:{result.summary}")

    def _progress(self, done, total):
        # A line per 5,000 compounds and at the end.
        if self.verbosity and done and (done == total or done // 5000 > self._shown // 5000):
            self.stderr.write(f"已评估 {done} / {total}")
        self._shown = done

    def _json(self, result, rows):
        """{"summary": …, "compounds": […]}, written a compound at a time."""
        head = json.dumps({"summary": result.as_dict()}, ensure_ascii=False, indent=1)
        w = self.stdout.write
        w(head[: head.rindex("}")].rstrip() + ',\n "compounds": [', ending="")
        for i, v in enumerate(rows):
            item = {
                "compound_id": v.compound_id,
                "name": v.compound.name,
                "street": v.compound.street.name,
                "policy": v.policy.code,
                "verdict": v.verdict,
                "reasons": v.reasons,
                "missing": v.missing,
            }
            text = json.dumps(item, ensure_ascii=False, default=json_default)
            w(("," if i else "") + "\n  " + text, ending="")
        w("\n ]\n}")

    def _sheet(self, o, policy, area):
        out = evaluate_sheet(o["sheet"], policy=policy, area=area)
        # Errors of a row travel with the row; errors without a row (a missing
        # column, an unreadable header) go to stderr.
        general = [e for e in out["errors"] if e.get("row") is None]
        if general and not out["rows"]:
            raise CommandError(";".join(e["message"] for e in general))
        for e in general:
            self.stderr.write(f"{e.get('column') or ''} {e['message']}".strip())
        if o["json"]:
            self.stdout.write(
                json.dumps(out["rows"], ensure_ascii=False, indent=1, default=json_default)
            )
            return
        for r in out["rows"]:
            self.stdout.write(
                f"第{r['row']}行\t{r['name']}\t{r['verdict_label']}\t{'、'.join(r['missing'])}"
            )
        for r in out["rows"]:
            for e in r["errors"]:
                self.stderr.write(e)
