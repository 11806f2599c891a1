from django.urls import path

from . import views, views_care

app_name = "stewardship"
urlpatterns = [
    path("", views.arrangement_list, name="arrangement_list"),
    path("compound/<int:compound_pk>/", views.arrangement_edit, name="arrangement_edit"),
    path("compound/<int:compound_pk>/care/", views_care.care, name="care"),
    path(
        "compound/<int:compound_pk>/care/<str:action>/",
        views_care.care_action,
        name="care_action",
    ),
]
