from .models import Area
from .scope import areas_within


def streets_of(area: Area | None):
    qs = Area.objects.filter(level=Area.Level.STREET)
    return areas_within(area, qs).order_by("code")


def communities_of(area: Area | None):
    qs = Area.objects.filter(level=Area.Level.COMMUNITY).select_related("parent")
    return areas_within(area, qs).order_by("code")
