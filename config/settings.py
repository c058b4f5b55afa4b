"""icahub settings: every value comes from the environment, with development defaults.

The database defaults to an SQLite file in the checkout (``make run`` needs no server) and
switches to PostgreSQL when ``DATABASE_URL`` says so. See docs/operations.md.
"""

import os
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env(
    DEBUG=(bool, True),
    ALLOWED_HOSTS=(list, ["127.0.0.1", "localhost", "[::1]", "testserver"]),
)
# Variables missing from the process environment are read from ENV_FILE (default: .env in the
# checkout); the process environment wins.
environ.Env.read_env(os.environ.get("ENV_FILE") or BASE_DIR / ".env", overwrite=False)

DEBUG = env("DEBUG")
# The development key is only accepted while DEBUG is on; production must set its own.
SECRET_KEY = env(
    "SECRET_KEY",
    default="django-insecure-development-key-not-for-production" if DEBUG else environ.Env.NOTSET,
)
ALLOWED_HOSTS = env("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # Our apps first so that their templates (registration/*) override the admin's.
    "icahub.accounts",
    "icahub.registry",
    "icahub.obligations",
    "icahub.reports",
    "icahub.assistance",
    "icahub.coalitions",
    "icahub.funding",
    "icahub.notifications",
    "icahub.relays",
    "icahub.imports",
    "icahub.worker",
    "icahub.web",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "template_partials",
    "rules",
    "simple_history",
    "axes",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "icahub.web.middleware.ApiLanguageMiddleware",
    "icahub.web.input_guard.RefuseNulMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "icahub.accounts.middleware.SessionExpiryMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    # Last: a cached anonymous page skips only the view (icahub/web/page_cache.py).
    "icahub.web.page_cache.AnonymousPageCacheMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "icahub.web.context_processors.site",
                "icahub.notifications.context_processors.unread_notifications",
                # After Django's csrf processor: see icahub/web/page_cache.py.
                "icahub.web.page_cache.csrf_placeholder",
            ],
        },
    }
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Persistent connections (seconds; 0 closes after each request), checked before reuse so that
# a database restart costs the requests made during the outage only.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0 if DEBUG else 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Give up connecting after this many seconds (the request then gets the 503 page).
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env.int(
        "DATABASE_CONNECT_TIMEOUT", default=5
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:home"

# Login throttling (django-axes): lock a username+address pair after repeated failures.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The translated "too many attempts" page, or JSON 429 with Retry-After for the API.
AXES_LOCKOUT_CALLABLE = "icahub.accounts.lockout.lockout_response"
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("fr", "Français"),
    ("es", "Español"),
    ("ar", "العربية"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
MEDIA_URL = "media/"

EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="icahub <noreply@icahub.invalid>")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
# The site's public address, put before the links in notification e-mails (e.g.
# https://icahub.example.org); without it the e-mails carry the path only.
ICAHUB_SITE_URL = env("ICAHUB_SITE_URL", default="")

# Uploads (icahub/interchange/uploads.py): the largest file a form or the API accepts,
# counted while the request streams in, and what an XLSX/DOCX may expand to once unzipped.
ICAHUB_MAX_UPLOAD_MB = env.float("ICAHUB_MAX_UPLOAD_MB", default=10)
ICAHUB_MAX_UNCOMPRESSED_MB = env.float("ICAHUB_MAX_UNCOMPRESSED_MB", default=100)
FILE_UPLOAD_HANDLERS = [
    "icahub.interchange.uploads.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# Sessions end SESSION_COOKIE_AGE seconds after signing in (absolute) and after
# SESSION_IDLE_TIMEOUT seconds without a request (0: no idle limit); both checked on the
# server by icahub.accounts.middleware.SessionExpiryMiddleware.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=30 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
# The CSRF cookie stays readable by scripts (Swagger UI's "Try it out" sends it back as a
# header); pages give HTMX the token through the hx-headers attribute of <body>.
CSRF_COOKIE_SECURE = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
# Preloading is a commitment made with the browsers' preload list; off unless asked for.
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
# With DEBUG=0 Django redirects HTTP to HTTPS itself unless told the proxy does it
# (SECURE_SSL_REDIRECT=0). The health checks stay reachable over plain HTTP.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^health/"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# `check --deploy` must report nothing in production (`make serve` fails otherwise). Two
# warnings are about choices documented in docs/operations.md rather than mistakes: HSTS
# preload (W021) left off, and HTTPS redirection left to the proxy (W008) when
# SECURE_SSL_REDIRECT=0 says so.
SILENCED_SYSTEM_CHECKS = []
if not SECURE_HSTS_PRELOAD:
    SILENCED_SYSTEM_CHECKS.append("security.W021")
if not SECURE_SSL_REDIRECT:
    SILENCED_SYSTEM_CHECKS.append("security.W008")

# Content-Security-Policy (django-csp), the same in development and production so that the
# browser tests see it: scripts, styles, images and fonts from the site itself only, no inline
# script or style, no plugins, no framing, forms posting to the site only.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["icahub.web.api_permissions.ReadPublicWriteSignedIn"],
    "DEFAULT_SCHEMA_CLASS": "icahub.web.api_schema.IcahubAutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": None,
    "EXCEPTION_HANDLER": "icahub.web.api.exception_handler",
    "DEFAULT_PARSER_CLASSES": [
        "icahub.web.api_parsers.NulRefusingJSONParser",
        "rest_framework.parsers.FormParser",
        "icahub.interchange.uploads.LimitedMultiPartParser",
    ],
    "DEFAULT_THROTTLE_RATES": {"token": "10/minute"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "icahub API",
    "DESCRIPTION": (
        "Registry of conventions, states, memberships and obligations under the Convention on "
        "Cluster Munitions and the Anti-Personnel Mine Ban Convention. Public read; writes by "
        "role. Token authentication: POST /api/v1/auth/token/ then 'Authorization: Token <key>'."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        # A PATCH body is partial, but must name the version it edits (icahub/versioning.py).
        "icahub.versioning.require_lock_version_in_patches",
    ],
    # Swagger UI served from the drf-spectacular-sidecar package: no CDN at run time.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "AssistanceAreaEnum": "icahub.assistance.models.AREA_CHOICES",
        "AssistanceModalityEnum": "icahub.assistance.models.MODALITY_CHOICES",
        "TextLanguageEnum": "icahub.assistance.models.LANGUAGE_CHOICES",
        "NeedStatusEnum": "icahub.assistance.models.NeedStatus",
        "OfferStatusEnum": "icahub.assistance.models.OfferStatus",
        "VisibilityEnum": "icahub.assistance.models.Visibility",
        "FollowUpOutcomeEnum": "icahub.relays.models.Outcome",
        "ReportKindEnum": "icahub.reports.models.ReportKind.values",
        "ReportLanguageEnum": "icahub.reports.services.LANGUAGES",
        "CoalitionStatusEnum": "icahub.coalitions.models.CoalitionStatus",
        "MemberRoleEnum": "icahub.coalitions.models.MemberRole",
        "InvitedRoleEnum": "icahub.coalitions.api.ROLE_CHOICES",
        "MemberStatusEnum": "icahub.coalitions.models.MemberStatus",
        "ActionStatusEnum": "icahub.coalitions.models.ActionStatus",
        "CommitmentStatusEnum": "icahub.coalitions.models.CommitmentStatus",
        "FlowStatusEnum": "icahub.funding.models.FlowStatus",
    },
}

SIMPLE_HISTORY_HISTORY_ID_USE_UUID = False

ICAHUB_SITE_NAME = _("icahub")
# Days ahead shown as "upcoming deadlines" on the dashboard (24 months).
ICAHUB_UPCOMING_MONTHS = 24

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# Background work (matching recomputes, relay reminders) runs through django-tasks. The
# default stores tasks in the database and a worker runs them (`manage.py worker`, which
# `make run` starts beside the site); TASKS_BACKEND=immediate runs them in the request
# (tests, one-off scripts).
TASKS_BACKEND = env("TASKS_BACKEND", default="database")
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if TASKS_BACKEND == "immediate"
            else "django_tasks_db.DatabaseBackend"
        ),
        "QUEUES": ["default"],
    }
}

# --- Performance: benchmarks and caching (benchmarks/load.py, docs/performance.md) --------
# /bench/minimal/ answers "ok" through the whole middleware stack without a query or a
# template: the load test's measure of the framework's limit. Off (404) unless asked for.
ICAHUB_BENCH_MINIMAL_VIEW = env.bool("ICAHUB_BENCH_MINIMAL_VIEW", default=False)
# Aggregates that every reader sees alike (the home dashboard) are kept this many seconds in
# the cache; 0 computes them on every request (the default with DEBUG on, so development and
# the tests always see the latest data). The cache is per process (local memory) unless
# CACHE_URL names a shared one (e.g. redis://127.0.0.1:6379/1, with its client installed).
ICAHUB_CACHE_SECONDS = env.int("ICAHUB_CACHE_SECONDS", default=0 if DEBUG else 60)
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://icahub")}

# The worker (`manage.py worker`, icahub/worker): each process refreshes a heartbeat row
# every WORKER_HEARTBEAT_SECONDS; a task left running by a worker whose heartbeat is older
# than WORKER_STALE_SECONDS (or whose process is gone, on the same host) is queued again,
# and fails with a clear error once it has been attempted TASK_MAX_ATTEMPTS times.
WORKER_HEARTBEAT_SECONDS = env.float("WORKER_HEARTBEAT_SECONDS", default=10)
WORKER_STALE_SECONDS = env.float("WORKER_STALE_SECONDS", default=120)
TASK_MAX_ATTEMPTS = env.int("TASK_MAX_ATTEMPTS", default=3)
# Test-only hooks of the fault tests (icahub/worker/faults.py); leave them unset.
TASK_TEST_CHECKPOINT_FILE = env("TASK_TEST_CHECKPOINT_FILE", default="")
TASK_TEST_DELAY_SECONDS = env.float("TASK_TEST_DELAY_SECONDS", default=0)
# Uploaded import files wait here for the worker (never under MEDIA_ROOT, which may be
# served without a permission check). Default: <MEDIA_ROOT>-private/imports.
IMPORT_FILES_ROOT = env("IMPORT_FILES_ROOT", default="")
