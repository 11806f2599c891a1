from django.urls import path

from . import views

app_name = "eligibility"
urlpatterns = [
    path("", views.reserve, name="reserve"),
    path("evaluate/", views.reserve_evaluate, name="evaluate"),
    path("compound/<int:pk>/", views.compound, name="compound"),
    path("compound/<int:pk>/decide/", views.compound_decide, name="compound_decide"),
    path("policies/", views.policy_list, name="policy_list"),
    path("policies/new/", views.policy_create, name="policy_create"),
    path("policies/<int:pk>/edit/", views.policy_edit, name="policy_edit"),
]
