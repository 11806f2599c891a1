from django.urls import path

from . import views

app_name = "stewardship"
urlpatterns = [
    path("", views.arrangement_list, name="arrangement_list"),
    path("compound/<int:compound_pk>/", views.arrangement_edit, name="arrangement_edit"),
]
