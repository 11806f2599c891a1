"""gaizao basemap build: write the one map's offline base map (a PMTiles
vector archive) from the district's own data; docs/disclosure.md explains
how to use an extract of a full Protomaps build instead."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from gaizao.disclosure import basemap


class Command(BaseCommand):
    help = _(
        "生成离线底图(PMTiles 矢量瓦片):街道名称与范围(由小区坐标推算,或用 --boundaries 提供的边界)、"
        "可选道路。其他地区可改用 Protomaps 全球底图的裁剪(见 docs/disclosure.md)"
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["build", "info"])
        parser.add_argument("-o", "--output", help=_("输出文件(默认为 GAIZAO_BASEMAP 设置)"))
        parser.add_argument("--boundaries", help=_("街道边界 GeoJSON(WGS-84,面要素,属性 name)"))
        parser.add_argument("--roads", help=_("道路 GeoJSON(WGS-84,线要素,属性 name、kind)"))
        parser.add_argument("--max-zoom", type=int, default=basemap.MAX_ZOOM)

    def handle(self, *args, **opts):
        path = Path(opts["output"] or settings.GAIZAO_BASEMAP)
        if opts["action"] == "info":
            a = basemap.archive(path)
            if a is None:
                raise CommandError(_("没有底图文件:%(p)s") % {"p": path})
            h = a.header
            self.stdout.write(
                f"{path}: z{h['min_zoom']}–{h['max_zoom']}, bbox {a.bounds()}, "
                f"{h['addressed_tiles_count']} tiles, {path.stat().st_size} bytes"
            )
            return
        if not 9 <= opts["max_zoom"] <= 16:
            raise CommandError(_("--max-zoom 应在 9 到 16 之间"))
        for key in ("boundaries", "roads"):
            if opts[key] and not Path(opts[key]).is_file():
                raise CommandError(_("找不到文件:%(p)s") % {"p": opts[key]})
        try:
            layers = basemap.layers_from_data(opts["boundaries"], opts["roads"])
        except ValueError as e:
            raise CommandError(_("无法生成底图:%(e)s") % {"e": e})
        except (KeyError, TypeError) as e:
            raise CommandError(_("GeoJSON 文件格式不对:%(e)s") % {"e": e})
        r = basemap.build(path, layers, max_zoom=opts["max_zoom"])
        self.stdout.write(
            _("底图已写入 %(p)s:%(n)s 个瓦片,%(b)s 字节")
            % {"p": path, "n": r["tiles"], "b": r["bytes"]}
        )
