"""Demo: the one map's offline base map, built from the demo compounds
(`gaizao basemap build` does the same)."""

from django.conf import settings

from . import basemap


def seed(ctx):
    layers = basemap.layers_from_data()
    basemap.build(settings.GAIZAO_BASEMAP, layers)


def logins(ctx):
    return None
