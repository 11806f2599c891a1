"""Feedback (过程共建) and satisfaction (成果共享) pages, under /participate/.
No app_name: gaizao/urls.py puts these patterns in the "consultation"
namespace beside participation's, so the URL names stay as they were."""

from django.urls import path

from . import views as v

urlpatterns: list = [
    path("feedback/", v.feedback_list, name="feedback_list"),
    path("feedback/new/", v.feedback_new, name="feedback_new"),
    path("feedback/queue/", v.feedback_queue, name="feedback_queue"),
    path("feedback/queue/export.xlsx", v.feedback_export, name="feedback_export"),
    path("feedback/<int:pk>/", v.feedback_detail, name="feedback_detail"),
    path("feedback/<int:pk>/<str:action>/", v.feedback_act, name="feedback_act"),
    path("feedback/parties/<int:compound_pk>/", v.feedback_parties, name="feedback_parties"),
    path("satisfaction/", v.satisfaction_list, name="satisfaction_list"),
    path("satisfaction/<int:pk>/", v.satisfaction_detail, name="satisfaction_detail"),
    path("satisfaction/<int:pk>/rate/", v.satisfaction_rate, name="satisfaction_rate"),
    path("satisfaction/<int:pk>/close/", v.satisfaction_close, name="satisfaction_close"),
    path("satisfaction/<int:pk>/export.xlsx", v.satisfaction_export, name="satisfaction_export"),
]
