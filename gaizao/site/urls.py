"""site pages. They keep the URL names they had before they moved up here:
gaizao/urls.py composes `core_patterns` into the `core:` namespace and
`consultation_patterns` into `consultation:` (under /participate/)."""

from django.urls import path

from . import views, views_devices, views_jobs

core_patterns = [
    path("", views.home, name="home"),
    path("audit/", views.audit_log, name="audit_log"),
    path("jobs/", views_jobs.job_list, name="jobs"),
    path("jobs/<int:pk>/", views_jobs.job_detail, name="job"),
    path("jobs/<int:pk>/download", views_jobs.job_download, name="job_download"),
    path("inbox/", views.inbox_page, name="inbox"),
    path("inbox/read/", views.inbox_read, name="inbox_read"),
]
consultation_patterns = [
    path("", views.portal, name="portal"),
    path(
        "staff/building/<int:pk>/devices/",
        views_devices.household_devices,
        name="household_devices",
    ),
]
