from django.contrib import admin
from django.urls import include, path

from gaizao.api import api
from gaizao.consultation import urls as consultation_urls
from gaizao.core.media import protected_media
from gaizao.feedback import urls as feedback_urls

# /participate/ is one namespace ("consultation:…", the public URL names) made
# of two apps: participation (consultation) and feedback, which sits above it.
participate = (consultation_urls.urlpatterns + feedback_urls.urlpatterns, "consultation")

urlpatterns = [
    path("", include("gaizao.core.urls")),
    path("accounts/", include("gaizao.accounts.urls")),
    path("compounds/", include("gaizao.inventory.urls")),
    path("eligibility/", include("gaizao.eligibility.urls")),
    path("plans/", include("gaizao.plans.urls")),
    path("participate/", include(participate)),
    path("stewardship/", include("gaizao.stewardship.urls")),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    # Uploaded photos and ballot sheets: checked against the record they belong to.
    path("media/<path:path>", protected_media, name="media"),
]
