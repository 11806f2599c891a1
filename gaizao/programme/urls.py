from django.urls import path

from . import views, views_reports

app_name = "programme"
urlpatterns = [
    path("", views.programme_list, name="programme_list"),
    path("new/", views.programme_new, name="programme_new"),
    path("<int:pk>/", views.board, name="board"),
    path("<int:pk>/batches/new/", views.batch_new, name="batch_new"),
    path("<int:pk>/fill/", views.fill, name="fill"),
    path("<int:pk>/entries/<int:entry_pk>/", views.entry_detail, name="entry"),
    path("<int:pk>/entries/<int:entry_pk>/lock/", views.entry_lock, name="entry_lock"),
    path("<int:pk>/entries/<int:entry_pk>/move/", views.entry_move, name="entry_move"),
    path("<int:pk>/runs/", views.run_start, name="run_start"),
    path("<int:pk>/runs/<int:run_pk>/", views.run_status, name="run_status"),
    path("<int:pk>/runs/<int:run_pk>/cancel/", views.run_cancel, name="run_cancel"),
    path("<int:pk>/compare/", views.run_compare, name="run_compare"),
    path("<int:pk>/export.xlsx", views_reports.export_xlsx, name="export"),
    path("<int:pk>/progress/", views_reports.progress_page, name="progress"),
]
