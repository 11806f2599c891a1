"""consultation URLs: household access, surveys, menu and votes
(urls_participation.py); feedback and satisfaction (urls_feedback.py)."""

from .urls_feedback import urlpatterns as feedback_urls
from .urls_participation import urlpatterns as participation_urls

app_name = "consultation"
urlpatterns = participation_urls + feedback_urls
