from django.contrib import admin
from django.urls import include, path

from gaizao.api import api
from gaizao.consultation import urls as consultation_urls
from gaizao.core import urls as core_urls
from gaizao.feedback import urls as feedback_urls
from gaizao.site import urls as site_urls
from gaizao.site.media import protected_media

# URL namespaces are public names: pages that moved up into `site` keep
# theirs (core:home, core:audit_log, consultation:portal), composed here.
urlpatterns = [
    path("", include((site_urls.core_patterns + core_urls.urlpatterns, "core"))),
    path("accounts/", include("gaizao.accounts.urls")),
    path("compounds/", include("gaizao.inventory.urls")),
    path("eligibility/", include("gaizao.eligibility.urls")),
    path("plans/", include("gaizao.plans.urls")),
    path(
        "participate/",
        include(
            (
                site_urls.consultation_patterns
                + consultation_urls.urlpatterns
                + feedback_urls.urlpatterns,
                "consultation",
            )
        ),
    ),
    path("stewardship/", include("gaizao.stewardship.urls")),
    path("works/", include("gaizao.works.urls")),
    path("programme/", include("gaizao.programme.urls")),
    path("api/v1/", api.urls),
    # Public portal and open data (/public/, no login), dashboard (/dashboard/).
    path("", include("gaizao.disclosure.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    # Uploaded photos and ballot sheets: each app answers for its own files.
    path("media/<path:path>", protected_media, name="media"),
]
