"""disclosure URLs: the public portal and open data (no login) under
/public/, the leadership dashboard under /dashboard/."""

from django.urls import path

from . import views, views_map, views_report

app_name = "disclosure"
urlpatterns = [
    path("public/", views.portal, name="portal"),
    path("public/compounds/<int:pk>/", views.portal_compound, name="portal_compound"),
    path("public/photos/<int:pk>/", views.portal_photo, name="portal_photo"),
    path("public/data/", views.opendata, name="opendata"),
    path("public/data/compounds.<str:fmt>", views.opendata_download, name="opendata_download"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/compounds/", views.dashboard_compounds, name="dashboard_compounds"),
    path("dashboard/report/", views_report.report_page, name="report"),
    path("dashboard/notices/<int:pk>/", views_report.notice, name="notice"),
    path("map/", views_map.map_page, name="map"),
    path("map/data.json", views_map.map_data, name="map_data"),
    path("map/tiles/<int:z>/<int:x>/<int:y>.mvt", views_map.map_tile, name="map_tile"),
]
