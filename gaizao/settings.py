"""One env-driven settings module (STYLE.md habit 10).

Environment:
  DEBUG            "1" for development (default "0" unless running the demo/tests)
  SECRET_KEY       required when DEBUG is off
  DATABASE_URL     e.g. postgres://postgres@127.0.0.1:5432/gaizao; SQLite file by default
  DATABASE_REPLICA_URL  optional PostgreSQL streaming replica for read-only pages
  GAIZAO_DATA_DIR  where the SQLite file and uploads live (default ./var)
  ALLOWED_HOSTS    comma separated
"""

import os
import sys
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
DATA_DIR = Path(os.environ.get("GAIZAO_DATA_DIR", PROJECT_DIR / "var"))

DEBUG = os.environ.get("DEBUG", "0") == "1"
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG or os.environ.get("GAIZAO_TESTING") == "1" or "pytest" in sys.modules:
        SECRET_KEY = "insecure-development-key-never-use-in-production"
    else:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
# A weak key (issue 9 #10: `SECRET_KEY=x` was accepted) signs sessions and
# password-reset links that anyone could forge. The same test as Django's
# security.W009: at least 50 characters, 5 distinct, not Django's generated
# "django-insecure-" placeholder. Refused at startup unless DEBUG.
_testing = os.environ.get("GAIZAO_TESTING") == "1" or "pytest" in sys.modules
if (
    not DEBUG
    and not _testing
    and (
        len(SECRET_KEY) < 50
        or len(set(SECRET_KEY)) < 5
        or SECRET_KEY.startswith("django-insecure-")
        or SECRET_KEY == "insecure-development-key-never-use-in-production"
    )
):
    raise ImproperlyConfigured(
        "SECRET_KEY is too weak: use at least 50 random characters, e.g. "
        "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
    )

ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    # django.contrib.admin with every ModelAdmin audited (core/admin_site.py).
    "gaizao.core.admin_apps.AuditedAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # The layers are in docs/layout.md; the demo's seed order is
    # gaizao/site/demo.py's STEPS, not this list.
    "gaizao.core",
    "gaizao.regions",
    "gaizao.accounts",
    "gaizao.inventory",
    "gaizao.consultation",
    "gaizao.eligibility",
    "gaizao.plans",
    "gaizao.catalogue",
    "gaizao.programme",
    "gaizao.stewardship",
    "gaizao.works",
    "gaizao.feedback",
    "gaizao.disclosure",
    # django-ninja in INSTALLED_APPS: /api/v1/docs loads Swagger UI from the
    # package's bundled static files, not from a CDN (no internet; issue 11).
    "ninja",
    # Background jobs (gaizao.core.jobs): django.tasks backport and its
    # database backend; `gaizao worker` runs them.
    "django_tasks",
    "django_tasks_db",
    "django_ratelimit",
    "csp",
    "gaizao.site",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Which database this request reads from (gaizao.core.replica): before
    # the session, so the session and the user are read where the page is.
    "gaizao.core.replica.ReplicaMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # zh-Hans unless the visitor chose a language: Accept-Language is ignored
    # without the language cookie (docs/i18n.md).
    "gaizao.core.middleware.DefaultLanguageMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Under /api/ every error is JSON {"error": …}, in the caller's language:
    # unknown paths, wrong methods and crashes included (docs/api.md).
    "gaizao.core.middleware.ApiErrorMiddleware",
    # Writes under /api/ are audited with the channel "api".
    "gaizao.core.middleware.ApiChannelMiddleware",
    # Integers beyond the database's range: 422 naming the field, before the view.
    "gaizao.core.middleware.ApiIntegerRangeMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Idle sessions end (GAIZAO_IDLE_MINUTES_*); the mark is written once a minute.
    "gaizao.accounts.middleware.IdleTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Content-Security-Policy (django-csp; CONTENT_SECURITY_POLICY below).
    "csp.middleware.CSPMiddleware",
    # request.htmx (django-htmx): is this an htmx request, a history restore?
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "gaizao.urls"
WSGI_APPLICATION = "gaizao.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "gaizao.site.context_processors.nav",
            ],
        },
    }
]

DATA_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{DATA_DIR / 'gaizao.sqlite3'}", conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the demo server read while an import writes.
    DATABASES["default"].setdefault("OPTIONS", {})
    # IMMEDIATE: a write transaction takes the write lock when it begins, so
    # a second writer waits (up to `timeout`) instead of failing with
    # "database is locked" when two presses of a button arrive together.
    DATABASES["default"]["OPTIONS"].update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
        }
    )
    DATABASES["default"]["TEST"] = {"NAME": ""}  # in-memory test database

# A PostgreSQL streaming replica for read-only pages (gaizao.core.replica,
# docs/scale.md). Only the pages named below read from it, and never for a
# browser that wrote within the last GAIZAO_REPLICA_PIN_SECONDS.
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"], conn_max_age=60
    )
    # Tests: the replica alias mirrors the test database (no second copy is
    # created); the live replica tests point it at the standby themselves.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["gaizao.core.replica.ReplicaRouter"]
# PostgreSQL's JIT compiles any query whose estimated cost passes
# jit_above_cost, which at a province's or the country's size is most page
# queries: it cost 123 ms of compiling on a 45 ms refresh of 500 compounds'
# kept summaries at 220,000 compounds, and 1.7 s on the same query before it
# was rewritten (docs/scale.md). Pages and chunked jobs here are short
# queries: JIT off for every PostgreSQL connection, unless the URL sets it.
for _db in DATABASES.values():
    if _db["ENGINE"] == "django.db.backends.postgresql":
        _opts = _db.setdefault("OPTIONS", {})
        if "jit" not in _opts.get("options", ""):
            _opts["options"] = (_opts.get("options", "") + " -c jit=off").strip()
GAIZAO_REPLICA_PIN_SECONDS = int(os.environ.get("GAIZAO_REPLICA_PIN_SECONDS", "10"))
GAIZAO_REPLICA_VIEWS = [
    "disclosure:*",  # dashboard, public portal, open data, reports
    "inventory:compound_list",
    "inventory:map",
    "inventory:map_data",
    "eligibility:reserve",
    "plans:plan_list",
    "programme:programme_list",
    "works:works_list",
    "works:responsibility",
    "consultation:feedback_queue",
]

# Background jobs (gaizao.core.jobs, docs/scale.md): stored in the database
# and run by `gaizao worker` (the demo starts one). Tests run them at once,
# in the test's own process, unless a test chooses the database backend.
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"
        if _testing
        else "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}
# Exports of more rows than this run as a background job with progress.
GAIZAO_SYNC_EXPORT_MAX = int(os.environ.get("GAIZAO_SYNC_EXPORT_MAX", "2000"))
# A whole-area evaluation of more compounds than this runs as a job (in
# chunks either way); so does the commit of an import of more rows than this.
GAIZAO_SYNC_EVALUATE_MAX = int(os.environ.get("GAIZAO_SYNC_EVALUATE_MAX", "2000"))
GAIZAO_SYNC_IMPORT_MAX = int(os.environ.get("GAIZAO_SYNC_IMPORT_MAX", "5000"))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
# Project-level catalog (base.html, error pages); each app has its own
# gaizao/<app>/locale/ found through INSTALLED_APPS (docs/i18n.md).
LOCALE_PATHS = [BASE_DIR / "locale"]
# The header's language switch sets this cookie; a year, so the choice
# survives closing the browser.
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
FORMAT_MODULE_PATH = ["gaizao.formats"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
# Front-end libraries come pinned from the npm registry (package.json) and are
# served by the app itself: no CDN at run time (STYLE.md habit 15).
_NODE = PROJECT_DIR / "node_modules"
for _prefix, _path in [
    ("vendor/htmx", _NODE / "htmx.org" / "dist"),
    ("vendor/leaflet", _NODE / "leaflet" / "dist"),
    ("vendor/echarts", _NODE / "echarts" / "dist"),
    ("vendor/protomaps-leaflet", _NODE / "protomaps-leaflet" / "dist"),
]:
    if _path.is_dir():
        STATICFILES_DIRS.append((_prefix, _path))
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
DATA_UPLOAD_MAX_NUMBER_FIELDS = 20000
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024

SESSION_COOKIE_HTTPONLY = True
# Sessions end after this many idle minutes (issue 9 #10; accounts.middleware):
# staff 30, residents a day (an elderly resident reads a notice slowly).
# The last activity is written at most once a minute, not on every request.
GAIZAO_IDLE_MINUTES_STAFF = int(os.environ.get("GAIZAO_IDLE_MINUTES_STAFF", "30"))
GAIZAO_IDLE_MINUTES_RESIDENT = int(os.environ.get("GAIZAO_IDLE_MINUTES_RESIDENT", "1440"))
# A session never outlives a working day's worth of idle time plus this cap.
SESSION_COOKIE_AGE = int(os.environ.get("GAIZAO_SESSION_DAYS", "7")) * 24 * 3600
# API tokens expire this many days after they are made (and on a password change).
GAIZAO_API_TOKEN_DAYS = int(os.environ.get("GAIZAO_API_TOKEN_DAYS", "90"))

# The shared cache: the rate limiter's counters (gaizao.core.throttle) must be
# seen by every worker, so production sets GAIZAO_CACHE_URL=redis://…; the
# local-memory default counts per process (development, tests).
_CACHE_URL = os.environ.get("GAIZAO_CACHE_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _CACHE_URL}
        if _CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# django-ratelimit's check refuses a non-shared cache; local memory is the
# development default, and `check --deploy` warns about it (gaizao.W001,
# gaizao/core/checks.py). W001 only says Django's own RedisCache is not on
# the library's list; its incr is Redis INCR, atomic.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"] + (
    [] if _CACHE_URL else ["django_ratelimit.E003"]
)
# Limits (count/window): staff login per account and per client address,
# household access codes and PIN logins per client, ballots per household.
GAIZAO_LOGIN_RATE_ACCOUNT = os.environ.get("GAIZAO_LOGIN_RATE_ACCOUNT", "10/15m")
GAIZAO_LOGIN_RATE_CLIENT = os.environ.get("GAIZAO_LOGIN_RATE_CLIENT", "30/15m")
GAIZAO_ACCESS_RATE = os.environ.get("GAIZAO_ACCESS_RATE", "10/15m")
GAIZAO_BALLOT_RATE = os.environ.get("GAIZAO_BALLOT_RATE", "20/h")
# Password-reset requests (issue 13): per client address, and per account
# (the identifier typed, and the account it names), so that nobody can flood
# a user's phone with reset SMS or probe many accounts from one address.
GAIZAO_RESET_RATE_CLIENT = os.environ.get("GAIZAO_RESET_RATE_CLIENT", "10/h")
GAIZAO_RESET_RATE_ACCOUNT = os.environ.get("GAIZAO_RESET_RATE_ACCOUNT", "3/h")
# A header that the trusted reverse proxy sets on every request (X-Real-IP);
# empty: the direct peer (REMOTE_ADDR). Never a header clients can set.
GAIZAO_CLIENT_IP_HEADER = os.environ.get("GAIZAO_CLIENT_IP_HEADER", "")
# HTTPS: HSTS and the redirect only when the site is served over HTTPS
# (GAIZAO_HTTPS=1; docs/settings.md), so the demo on http://127.0.0.1 works.
if os.environ.get("GAIZAO_HTTPS") == "1":
    SECURE_HSTS_SECONDS = int(os.environ.get("GAIZAO_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = os.environ.get("GAIZAO_HSTS_PRELOAD", "1") == "1"
    SECURE_SSL_REDIRECT = True
    # The trusted proxy (nginx) sets this header; nothing else may.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Content-Security-Policy (issue 9 #10): scripts only from this site's own
# static files — the templates carry no inline <script> nor on*= handlers
# (gaizao/static/gaizao/app.js reads data-confirm, data-autosubmit,
# data-print instead). Inline style attributes stay allowed: Leaflet's and
# ECharts' markup and a few templates use them, and styles cannot run code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

SESSION_COOKIE_SECURE = not DEBUG and os.environ.get("GAIZAO_INSECURE_COOKIES") != "1"
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    # Django's own loggers print once, through the root handler (its default
    # console handler would print every 403/404 a second time).
    "loggers": {"django": {"handlers": [], "level": "INFO", "propagate": True}},
}

# Notices (gaizao.core.notify, docs/works.md): e-mail through SMTP, SMS
# through a pluggable backend ("console" prints; "http" posts to a relay).
EMAIL_BACKEND = os.environ.get(
    "GAIZAO_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("GAIZAO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("GAIZAO_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("GAIZAO_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("GAIZAO_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("GAIZAO_EMAIL_TLS") == "1"
DEFAULT_FROM_EMAIL = os.environ.get("GAIZAO_EMAIL_FROM", "gaizao@localhost")
# One-time password-reset links (accounts/reset.py) expire after a day.
PASSWORD_RESET_TIMEOUT = 24 * 3600
GAIZAO_SMS_BACKEND = os.environ.get("GAIZAO_SMS_BACKEND", "console")
GAIZAO_SMS_URL = os.environ.get("GAIZAO_SMS_URL", "")
GAIZAO_SMS_TOKEN = os.environ.get("GAIZAO_SMS_TOKEN", "")
# Days a stage may be overdue before the notice escalates one level up.
GAIZAO_ESCALATE_AFTER_DAYS = int(os.environ.get("GAIZAO_ESCALATE_AFTER_DAYS", "7"))
# Days before a planned date when the "due" notice goes out.
GAIZAO_DUE_NOTICE_DAYS = int(os.environ.get("GAIZAO_DUE_NOTICE_DAYS", "3"))
# Satisfaction results show no scores below this many answers (privacy on
# small compounds: one household's score must not be readable). Issue 13.
GAIZAO_SATISFACTION_MIN_RESPONSES = int(os.environ.get("GAIZAO_SATISFACTION_MIN_RESPONSES", "5"))
# The one map's base map (issue 11): a PMTiles vector archive served by the
# app (`gaizao basemap build` writes it; docs/disclosure.md).
GAIZAO_BASEMAP = Path(os.environ.get("GAIZAO_BASEMAP", DATA_DIR / "basemap" / "basemap.pmtiles"))
