from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve

from gaizao.api import api

urlpatterns = [
    path("", include("gaizao.core.urls")),
    path("accounts/", include("gaizao.accounts.urls")),
    path("compounds/", include("gaizao.inventory.urls")),
    path("eligibility/", include("gaizao.eligibility.urls")),
    path("plans/", include("gaizao.plans.urls")),
    path("participate/", include("gaizao.consultation.urls")),
    path("stewardship/", include("gaizao.stewardship.urls")),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG or settings.MEDIA_ROOT:
    # Uploaded survey photos and ballot sheets. Behind a reverse proxy in
    # production the proxy serves /media/ with its own access rules.
    urlpatterns += [path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT})]
