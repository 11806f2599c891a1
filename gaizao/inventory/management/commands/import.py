"""gaizao import FILE — import a compound sheet or a unit/owner sheet.

    gaizao import 台账.xlsx --dry-run --json           preview, as JSON, nothing written
    gaizao import 台账.xlsx --street 530103005000      blank street cells → this street
    gaizao import 清册.xlsx --kind units --compound 12 --user street_jinchen
    gaizao import 台账.xls --accept-warnings          write although values need a second look

Reads .xlsx, .xls, .xlsb, .ods, WPS .et and .csv (the format is taken from
the bytes). Warnings (plausibility, near-duplicate names) block the write
until --accept-warnings confirms them, as the checkbox does on the web page.

Same services as the web page (inventory.importing.services). Without --user
the operator at this machine acts with no jurisdiction limit.

Exits 1 whenever there are errors — a file that cannot be read (missing, a
folder, not a spreadsheet, no header row) or any row error — with or without
--dry-run; nothing is written then. The preview (--json: the whole JSON
document) is still printed to stdout first, the errors go to stderr.
"""

import json
import sys
import time
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from gaizao.accounts.models import User
from gaizao.core.errors import DomainError
from gaizao.inventory.importing import services


def plain(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


class Command(BaseCommand):
    help = "导入小区台账或房屋及业主清册(.xlsx / .csv);--dry-run 只预览不写入"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--kind",
            choices=["compounds", "units"],
            default=None,
            help="compounds(小区台账,默认)或 units(房屋及业主清册)",
        )
        parser.add_argument("--street", help="街道统计用区划代码:表中未填街道的行归入此街道")
        parser.add_argument("--compound", help="units 导入的目标小区编号")
        parser.add_argument("--dry-run", action="store_true", help="只解析和校验,不写入")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出预览结果")
        parser.add_argument("--user", help="以此用户身份导入(按其辖区校验)")
        parser.add_argument(
            "--accept-warnings",
            action="store_true",
            help="确认全部提醒(数值超出常见范围、名称相近等)后写入",
        )

    def handle(self, *args, file, kind, street, compound, dry_run, user, **opts):
        as_json = opts["json"]
        accept = opts.get("accept_warnings", False)
        kind = kind or ("units" if compound else "compounds")
        try:
            actor = User.objects.select_related("area").get(username=user) if user else None
        except User.DoesNotExist:
            raise CommandError(f"用户“{user}”不存在")
        try:
            street_obj = services.street_for_user(actor, street) if street else None
            compound_obj = services.compound_for_import(actor, compound) if compound else None
            if kind == "units" and compound_obj is None:
                raise CommandError("导入房屋及业主清册需要 --compound 小区编号")
            t0 = time.perf_counter()
            pv = services.preview(
                kind, file, user=actor, street=street_obj, compound=compound_obj, filename=file
            )
            t_parse = time.perf_counter() - t0
            result = None
            if not dry_run and pv.ok and (accept or not pv.warnings):
                result = services.commit(
                    kind,
                    file,
                    user=actor,
                    street=street_obj,
                    compound=compound_obj,
                    filename=file,
                    source="cli",
                    accept_warnings=accept,
                )
        except (DomainError, PermissionDenied) as e:
            if isinstance(e, DomainError) and e.errors and as_json:
                self._json(pv, None, False)
            raise CommandError(getattr(e, "message", None) or str(e))
        # Errors not tied to a row with no rows read: the file itself could not
        # be used (找不到文件, 是文件夹, not a spreadsheet, no header row).
        unusable = not pv.rows and [e.message for e in pv.errors if e.row is None]
        if as_json:
            self._json(pv, result, dry_run)
        elif not unusable:
            self._text(pv, result, dry_run, t_parse)
        if unusable:
            raise CommandError(";".join(unusable))
        if pv.errors and kind == "compounds" and not services.streets_in_scope(None).exists():
            # A fresh install has no area tree: every street is "not found".
            raise CommandError(
                "还没有行政区划(街道),未写入任何数据:请先在 /admin/ 录入区划,"
                "或运行 `gaizao demo` 载入演示区划"
            )
        if pv.errors:
            raise CommandError(f"发现{len(pv.errors)}处错误,未写入任何数据")
        if pv.warnings and not accept and not dry_run:
            raise CommandError(
                f"有{len(pv.warnings)}条提醒需要核对,未写入任何数据;核对无误后加 --accept-warnings 再导入"
            )

    def _json(self, pv, result, dry_run):
        drop = {"compound_id", "ok", "changes", "moves"}
        report = pv.report()
        rows = [
            {**{k: v for k, v in r.items() if k not in drop}, **rep}
            for r, rep in zip(pv.rows, report, strict=True)
        ]
        doc = {
            "kind": pv.kind,
            "header_row": pv.header_row,
            "columns": pv.columns,
            "ignored_columns": pv.ignored_columns,
            "rows": plain(rows),
            "errors": [{"row": e.row, "column": e.column, "message": e.message} for e in pv.errors],
            "warnings": [
                {"row": e.row, "column": e.column, "message": e.message} for e in pv.warnings
            ],
            "skipped": pv.skipped,
            "counts": pv.counts,
            "dry_run": dry_run,
            "committed": result is not None,
        }
        if result is not None:
            doc["result"] = {
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
                **result.extra,
            }
        self.stdout.write(json.dumps(doc, ensure_ascii=False, indent=1))

    def _text(self, pv, result, dry_run, t_parse):
        out = self.stdout
        out.write(
            f"{services.KINDS[pv.kind]}:表头在第{pv.header_row or '?'}行,"
            f"数据{len(pv.rows)}行,跳过{len(pv.skipped)}行,解析用时{t_parse:.2f}秒"
        )
        if pv.columns:
            out.write("识别的列:" + "、".join(pv.columns.values()))
        if pv.ignored_columns:
            out.write("忽略的列:" + "、".join(pv.ignored_columns))
        c = pv.counts
        out.write(
            f"将新增{c.get('create', 0)}、更新{c.get('update', 0)}、无变化{c.get('unchanged', 0)}、"
            f"错误{c.get('error', 0)}行,需核对{c.get('warning', 0)}行"
        )
        for r in pv.report():
            for c in r["changes"]:
                mark = "(移至其他社区)" if c["field"] == "community" else ""
                out.write(f"  第{r['row']}行 {c['label']}:{c['old']} → {c['new']}{mark}")
        for e in pv.warnings:
            sys.stderr.write(f"  提醒 第{e.row}行 {e.column or ''}:{e.message}\n")
        for e in pv.errors:
            sys.stderr.write(f"  {e}\n")
        if result is not None:
            out.write(self.style.SUCCESS(result.summary()))
        elif dry_run:
            out.write("(--dry-run:未写入)")
