from django.urls import path

from . import views

urlpatterns = [
    path("", views.compound_list, name="compound_list"),
    path("export.xlsx", views.compound_export, name="compound_export"),
    path("map/", views.compound_map, name="map"),
    path("suggest.json", views.compound_suggest, name="compound_suggest"),
    path("communities/", views.filter_communities, name="filter_communities"),
    path("map/data.json", views.map_data, name="map_data"),
    path("<int:pk>/", views.compound_detail, name="compound_detail"),
    path("<int:pk>/edit/", views.compound_edit, name="compound_edit"),
    path("<int:pk>/survey/", views.survey_create, name="survey_create"),
    path("surveys/<int:pk>/", views.survey_detail, name="survey_detail"),
]
