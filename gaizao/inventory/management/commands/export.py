"""gaizao export — compounds (or one compound's units) to .xlsx.

    gaizao export -o 台账.xlsx                  every compound
    gaizao export --area 530103005000 -o 金辰.xlsx
    gaizao export --units --compound 12 -o 清册.xlsx [--user NAME]

The compound export uses the import template's columns, so it re-imports.
Unit exports mask owners' personal data unless --user may see it; without
--user (the operator) pass --unmasked to export it whole.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gaizao.accounts.models import User
from gaizao.inventory import exporting
from gaizao.inventory.models import Compound, Unit
from gaizao.inventory.permissions import compounds_for_user, sees_personal_data
from gaizao.regions.models import Area
from gaizao.regions.scope import compound_area_q


class Command(BaseCommand):
    help = "导出小区台账(或一个小区的房屋及业主清册)为 .xlsx"

    def add_arguments(self, parser):
        parser.add_argument("--area", help="只导出此区划(统计用区划代码)内的小区")
        parser.add_argument("-o", "--output", help="输出文件,默认 台账.xlsx / 房屋清册.xlsx")
        parser.add_argument("--units", action="store_true", help="导出房屋及业主清册")
        parser.add_argument("--compound", help="--units 时的小区编号")
        parser.add_argument("--user", help="按此用户的辖区和个人信息权限导出")
        parser.add_argument(
            "--unmasked", action="store_true", help="(无 --user 时)不遮蔽业主个人信息"
        )

    def handle(self, *args, area, output, units, compound, user, unmasked, **opts):
        path = Path(output or ("房屋清册.xlsx" if units else "台账.xlsx"))
        # Checked before the (slow) export is built: a wrong name or folder
        # should not cost a minute of work first.
        if path.is_dir():
            raise CommandError(f"无法写入 {path}:这是一个文件夹,请给出 .xlsx 文件名")
        if path.suffix.lower() != ".xlsx":
            raise CommandError(f"导出文件名应以 .xlsx 结尾:{path}")
        if not path.parent.is_dir():
            raise CommandError(f"无法写入 {path}:文件夹 {path.parent} 不存在")
        # Touch the database before a workbook is open: on an unmigrated
        # database the one-line hint (gaizao.cli) comes out, not openpyxl's
        # complaint about a half-written sheet.
        Compound.objects.exists()
        actor = None
        if user:
            actor = User.objects.filter(username=user).select_related("area").first()
            if actor is None:
                raise CommandError(f"用户“{user}”不存在")
        qs = compounds_for_user(actor) if actor else Compound.objects.all()
        if area:
            a = Area.objects.filter(code=area).first()
            if a is None:
                raise CommandError(f"未找到区划代码“{area}”")
            qs = qs.filter(compound_area_q(a))
        if units:
            if not compound:
                raise CommandError("--units 需要 --compound 小区编号")
            c = qs.filter(pk=compound).first() if str(compound).isdigit() else None
            if c is None:
                raise CommandError(f"小区(编号 {compound})不存在或不在辖区内")
            mask = (not sees_personal_data(actor)) if actor else not unmasked
            data = exporting.export_units_xlsx(
                Unit.objects.filter(building__compound=c), mask_personal=mask
            )
        else:
            data = exporting.export_compounds_xlsx(qs.order_by("street__code", "name"))
        try:
            path.write_bytes(data)
        except PermissionError:
            raise CommandError(f"无法写入 {path}:没有写入权限") from None
        except OSError as e:
            raise CommandError(f"无法写入 {path}:{e.strerror or e}") from None
        self.stdout.write(f"已导出到 {path}({len(data) // 1024} KB)")
