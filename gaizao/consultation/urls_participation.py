"""Participation URLs under /participate/ (namespace consultation; the
portal at its root is gaizao.site's, composed in gaizao/urls.py)."""

from django.urls import path

from . import views, views_drafts, views_sheet, views_votes, views_willingness

urlpatterns = [
    path("code/", views.enter_code, name="enter_code"),
    path("login/", views.phone_login, name="phone_login"),
    path("bind/", views.bind_phone, name="bind_phone"),
    path("staff/", views.staff_home, name="staff_home"),
    path("staff/compound/<int:pk>/", views.staff_compound, name="staff_compound"),
    path("staff/building/<int:pk>/letters/", views.letters, name="letters"),
    path("staff/building/<int:pk>/revoke/", views.revoke_code, name="revoke_code"),
    path(
        "staff/compound/<int:pk>/survey/new/", views_willingness.willingness_new, name="survey_new"
    ),
    path("staff/compound/<int:pk>/vote/new/", views_votes.vote_new, name="vote_new"),
    path("staff/compound/<int:pk>/sheet/", views_sheet.sheet_check, name="sheet_check"),
    path("survey/<int:pk>/", views_willingness.willingness_fill, name="survey_fill"),
    path("survey/<int:pk>/results/", views_willingness.willingness_results, name="survey_results"),
    path("survey/<int:pk>/export.xlsx", views_willingness.willingness_export, name="survey_export"),
    path("survey/<int:pk>/assist/", views_willingness.willingness_assist, name="survey_assist"),
    path("vote/<int:pk>/", views_votes.vote_detail, name="vote_detail"),
    path("vote/<int:pk>/ballot/", views_votes.ballot, name="ballot"),
    path("vote/<int:pk>/enter/", views_votes.ballot_enter, name="ballot_enter"),
    path(
        "vote/<int:pk>/conflict/<int:cid>/", views_votes.conflict_resolve, name="conflict_resolve"
    ),
    path("vote/<int:pk>/units/", views_votes.unit_search, name="unit_search"),
    path("vote/<int:pk>/objection/", views_votes.objection, name="objection"),
    path(
        "vote/<int:pk>/objection/<int:oid>/reply/",
        views_votes.objection_reply,
        name="objection_reply",
    ),
    path("vote/<int:pk>/overturn/", views_votes.vote_overturn, name="vote_overturn"),
    path("vote/<int:pk>/retally/", views_votes.vote_retally, name="vote_retally"),
    path("vote/<int:pk>/certificate/", views_votes.certificate, name="certificate"),
    path("vote/<int:pk>/draft/edit/", views_drafts.vote_edit, name="vote_edit"),
    path("vote/<int:pk>/draft/cancel/", views_drafts.vote_cancel, name="vote_cancel"),
    path("vote/<int:pk>/<slug:action>/", views_votes.vote_action, name="vote_action"),
]
