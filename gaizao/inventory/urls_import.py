"""Spreadsheet import and export URLs, mounted at /compounds/ (namespace inventory)."""

from django.urls import path

from . import views_import as v

urlpatterns = [
    path("import/", v.import_start, name="import"),
    path("import/template/<str:kind>.xlsx", v.import_template, name="import_template"),
    path("import/<str:token>/", v.import_preview, name="import_preview"),
    path("<int:pk>/units.xlsx", v.export_units, name="export_units"),
]
