from django.urls import path

from .organisation import views as org
from .views import actions, oversight, pages

app_name = "works"
urlpatterns = [
    path("", pages.works_list, name="works_list"),
    path("new/<int:plan_pk>/", pages.works_new, name="works_new"),
    path("responsibility/", oversight.responsibility, name="responsibility"),
    path("alerts/", oversight.alerts, name="alerts"),
    path("organisation/", org.organisation_home, name="organisation"),
    path("organisation/group/", org.group_save, name="group_save"),
    path("organisation/members/", org.member_add, name="member_add"),
    path("organisation/members/<int:mpk>/remove/", org.member_remove, name="member_remove"),
    path("organisation/meetings/", org.meeting_list, name="meeting_list"),
    path("organisation/suggest/organisations/", org.org_suggest, name="org_suggest"),
    path("organisation/suggest/people/", org.person_suggest, name="person_suggest"),
    path("organisation/meetings/new/", org.meeting_new, name="meeting_new"),
    path("organisation/meetings/<int:pk>/", org.meeting_detail, name="meeting_detail"),
    path("organisation/tasks/<int:pk>/done/", org.task_done, name="task_done"),
    path(
        "organisation/compound/<int:pk>/",
        org.compound_organisations,
        name="compound_organisations",
    ),
    path("<int:pk>/", pages.works_detail, name="works_detail"),
    path("<int:pk>/report/", pages.works_report, name="works_report"),
    path("<int:pk>/report/submit/", actions.report_submit, name="report_submit"),
    path("<int:pk>/acceptance/", pages.works_acceptance, name="works_acceptance"),
    path("<int:pk>/milestone/<str:stage>/done/", actions.milestone_done, name="milestone_done"),
    path("<int:pk>/milestone/<str:stage>/plan/", actions.milestone_plan, name="milestone_plan"),
    path("<int:pk>/cost/", actions.cost_add, name="cost_add"),
    path("<int:pk>/final-account/", actions.final_account, name="final_account"),
    path("<int:pk>/inspection/", actions.inspection_add, name="inspection_add"),
    path(
        "<int:pk>/inspection/<int:ipk>/recheck/",
        actions.inspection_recheck,
        name="inspection_recheck",
    ),
    path("<int:pk>/change/", actions.change_add, name="change_add"),
    path("<int:pk>/change/<int:cpk>/decide/", actions.change_decide, name="change_decide"),
    path("<int:pk>/item/<int:item_pk>/check/", actions.item_check, name="item_check"),
    path("<int:pk>/signoff/", actions.signoff_add, name="signoff_add"),
    path("<int:pk>/handover/", actions.handover, name="handover"),
    path("<int:pk>/photo/", actions.photo_add, name="photo_add"),
    path("<int:pk>/defect/", actions.defect_add, name="defect_add"),
    path("<int:pk>/defect/<int:dpk>/fixed/", actions.defect_fixed, name="defect_fixed"),
]
