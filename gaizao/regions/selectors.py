from .models import Area


def streets_of(area: Area | None):
    qs = Area.objects.filter(level=Area.Level.STREET)
    if area is not None and area.level != Area.Level.COUNTRY:
        qs = qs.filter(prefix__startswith=area.prefix)
    return qs.order_by("code")


def communities_of(area: Area | None):
    qs = Area.objects.filter(level=Area.Level.COMMUNITY).select_related("parent")
    if area is not None and area.level != Area.Level.COUNTRY:
        qs = qs.filter(prefix__startswith=area.prefix)
    return qs.order_by("code")
