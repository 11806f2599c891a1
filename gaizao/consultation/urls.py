"""consultation URLs: household access, portal, surveys, menu and votes
(urls_participation.py). The feedback app's pages share the namespace and
the /participate/ prefix: gaizao/urls.py composes the two."""

from .urls_participation import urlpatterns as participation_urls

app_name = "consultation"
urlpatterns = participation_urls
