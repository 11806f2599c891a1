"""inventory URLs: pages (urls_pages.py) and spreadsheet import (urls_import.py)."""

from .urls_import import urlpatterns as import_urls
from .urls_pages import urlpatterns as page_urls

app_name = "inventory"
urlpatterns = page_urls + import_urls
