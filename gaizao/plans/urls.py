from django.urls import path

from . import views, views_documents, views_setup, views_votes

app_name = "plans"
urlpatterns = [
    path("", views.plan_list, name="plan_list"),
    path("compound/<int:compound_pk>/", views.compound_plan, name="compound_plan"),
    path("<int:pk>/", views.plan_detail, name="plan_detail"),
    path("<int:pk>/items/add/", views.item_add, name="item_add"),
    path("<int:pk>/items/<int:item_pk>/", views.item_update, name="item_update"),
    path("<int:pk>/items/<int:item_pk>/remove/", views.item_remove, name="item_remove"),
    path("<int:pk>/menu/", views.menu_import, name="menu_import"),
    path("<int:pk>/funding/", views.funding_edit, name="funding_edit"),
    path("<int:pk>/funding/recompute/", views.funding_recompute, name="funding_recompute"),
    path("<int:pk>/update/", views.plan_update, name="plan_update"),
    path("<int:pk>/do/<slug:action>/", views.plan_action, name="plan_action"),
    path("<int:pk>/vote/new/", views_votes.plan_vote_new, name="plan_vote_new"),
    path("<int:pk>/vote/reuse/", views_votes.plan_vote_reuse, name="plan_vote_reuse"),
    path("<int:pk>/diff/<int:other_pk>/", views_documents.plan_diff, name="plan_diff"),
    path("<int:pk>/print/", views_documents.plan_print, name="plan_print"),
    path("<int:pk>/xlsx/", views_documents.plan_xlsx, name="plan_xlsx"),
    path("catalogue/", views_setup.catalogue_list, name="catalogue"),
    path("catalogue/new/", views_setup.catalogue_edit, name="catalogue_new"),
    path("catalogue/<int:pk>/edit/", views_setup.catalogue_edit, name="catalogue_edit"),
    path("rules/", views_setup.funding_rules, name="funding_rules"),
    path("clusters/", views_setup.cluster_list, name="cluster_list"),
    path("clusters/new/", views_setup.cluster_new, name="cluster_new"),
    path("clusters/<int:pk>/", views_setup.cluster_detail, name="cluster_detail"),
]
