"""Settings for Mødested, read from the environment.

With no environment at all the app runs on its embedded default: SQLite under
``var/``, Celery's broker on the local filesystem, e-mail written to files in
``var/mail/``. ``DATABASE_URL``, ``REDIS_URL`` and ``EMAIL_URL`` switch to
PostgreSQL, Redis and a real SMTP server. See the README's configuration table.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("MODESTED_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


TESTING = "pytest" in sys.modules or os.environ.get("MODESTED_TESTING") == "1"

DEBUG = env_bool("DJANGO_DEBUG", True)
# The fallback starts with "django-insecure-" on purpose, so the deploy check flags it.
SECRET_KEY = os.environ.get(
    "DJANGO_SECRET_KEY", "django-insecure-dev-only-5v7#mødested-not-for-production"
)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
SITE_URL = os.environ.get("MODESTED_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "core.admin_apps.AdminConfig",  # django.contrib.admin, for administrators only
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI from our own static files, no CDN
    # Mødested, in the one direction they depend in.
    "core",
    "identity",
    "rooms",
    "events",
    "volunteers",
    "notifications",
    "plans",
]

MIDDLEWARE = [
    # A lost database connection: a safe request is run once more, others answer 503.
    "core.db_unavailable.DatabaseUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "core.security.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.DanishFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "core.middleware.RefuseUnstorableInputMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "core.urls"
WSGI_APPLICATION = "core.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.site",
            ],
            # One style for dates and times on every page (|clock, |weekday_day, ...).
            "builtins": ["core.templatetags.core_time"],
        },
    },
]

# --- Database -------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'modested.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers are serialised: every transaction takes the write lock when it begins.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")
# How long a writer waits for a row another writer holds before it answers 409 "try again"
# (PostgreSQL's lock_timeout). It is set once for each connection, so a write pays no extra
# round trip for it; core.locking sets it for the transaction only where a test changed it.
MODESTED_LOCK_TIMEOUT_MS = int(os.environ.get("MODESTED_LOCK_TIMEOUT_MS", "5000"))
if IS_POSTGRES:
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = (
        f"{_options.get('options', '')} -c lock_timeout={MODESTED_LOCK_TIMEOUT_MS}ms".strip()
    )
    MODESTED_CONNECTION_LOCK_TIMEOUT_MS = MODESTED_LOCK_TIMEOUT_MS
# The hot paths' statements (an API token's lookup, an event's lock and its count) are
# prepared once per connection (core.db.prepared). Off behind a pooler that hands a session's
# connection to others between transactions (PgBouncer in transaction mode).
MODESTED_PREPARED_STATEMENTS = env_bool("MODESTED_PREPARED_STATEMENTS", True)

AUTH_USER_MODEL = "core.User"
AUTH_PASSWORD_VALIDATORS = [
    {
        # The name too: "Kirsten Kierkegaard" is no password for Kirsten Kierkegaard.
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("email", "name")},
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# --- Logging in: client address, throttles, API tokens (see core/throttling.py) -------
# How many proxies in front of the app append to X-Forwarded-For (nginx: 1). With 0 the
# client address is REMOTE_ADDR and X-Forwarded-For is ignored, so it cannot be forged.
MODESTED_TRUSTED_PROXIES = int(os.environ.get("MODESTED_TRUSTED_PROXIES") or 0)
# Rates are "<number>/<period>", the period in s, m, h or d with an optional count ("15m").
# Failed logins from one client address, at every door (API token, page, admin) together.
MODESTED_LOGIN_FAILURE_RATE = os.environ.get("MODESTED_LOGIN_FAILURE_RATE") or "20/15m"
# Failed logins against one e-mail address, wherever they come from.
MODESTED_LOGIN_ACCOUNT_FAILURE_RATE = (
    os.environ.get("MODESTED_LOGIN_ACCOUNT_FAILURE_RATE") or "5/15m"
)
# Sign-ups (API and page) per client address, and per e-mail address signed up with.
MODESTED_SIGNUP_RATE = os.environ.get("MODESTED_SIGNUP_RATE") or "20/h"
# Password-reset requests per client address, and per e-mail address asked for.
MODESTED_PASSWORD_RESET_RATE = os.environ.get("MODESTED_PASSWORD_RESET_RATE") or "10/h"
# An API token not used for this many days stops working; each use renews it.
MODESTED_API_TOKEN_DAYS = int(os.environ.get("MODESTED_API_TOKEN_DAYS") or 30)
# No-shows: this many bookings not checked in (rooms and machines) within the window pause a
# person's right to book for the pause (rooms.services.checkin).
MODESTED_NO_SHOW_LIMIT = int(os.environ.get("MODESTED_NO_SHOW_LIMIT") or 3)
MODESTED_NO_SHOW_WINDOW_DAYS = int(os.environ.get("MODESTED_NO_SHOW_WINDOW_DAYS") or 90)
MODESTED_NO_SHOW_PAUSE_DAYS = int(os.environ.get("MODESTED_NO_SHOW_PAUSE_DAYS") or 30)

# --- Cache (throttling, locks for the dispatcher) ---------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            # Degrades instead of failing when Redis is down (core/cache.py): the throttles
            # fail open, with a warning in the log, and a request never waits on Redis long.
            "BACKEND": "core.cache.SafeRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "modested",
            "OPTIONS": {
                "socket_connect_timeout": float(
                    os.environ.get("MODESTED_REDIS_CONNECT_TIMEOUT", "0.5")
                ),
                "socket_timeout": float(os.environ.get("MODESTED_REDIS_TIMEOUT", "0.5")),
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# After a failed call to Redis, nothing in the process tries it again for this long.
MODESTED_REDIS_RETRY_SECONDS = float(os.environ.get("MODESTED_REDIS_RETRY_SECONDS", "10"))

# --- Internationalisation ---------------------------------------------------
LANGUAGE_CODE = "da"
LANGUAGES = [("da", _("Danish")), ("en", _("English"))]
# Each app keeps its own translations in <app>/locale/.
LOCALE_PATHS: list[Path] = []
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "Europe/Copenhagen")
USE_I18N = True
USE_TZ = True

# --- Static and media -------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)
WHITENOISE_USE_FINDERS = DEBUG or TESTING
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- E-mail ---------------------------------------------------------------
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "Mødested <noreply@modested.dk>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_URL = os.environ.get("EMAIL_URL", "")


def _email_settings(url: str) -> dict[str, object]:
    if not url:
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(VAR_DIR / "mail"),
        }
    parsed = urlparse(url)
    options = parse_qs(parsed.query)
    if parsed.scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if parsed.scheme == "file":
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": unquote(parsed.path) or str(VAR_DIR / "mail"),
        }
    if parsed.scheme in {"smtp", "smtps", "submission"}:
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": parsed.hostname or "localhost",
            "EMAIL_PORT": parsed.port
            or {"smtp": 25, "smtps": 465, "submission": 587}[parsed.scheme],
            "EMAIL_HOST_USER": unquote(parsed.username or ""),
            "EMAIL_HOST_PASSWORD": unquote(parsed.password or ""),
            "EMAIL_USE_SSL": parsed.scheme == "smtps",
            "EMAIL_USE_TLS": parsed.scheme == "submission" or options.get("tls") == ["1"],
            "EMAIL_TIMEOUT": 10,
        }
    raise ValueError(f"EMAIL_URL has an unknown scheme: {parsed.scheme!r}")


globals().update(_email_settings(EMAIL_URL))

# --- The outbox ------------------------------------------------------------
# How long a claimed delivery belongs to one dispatcher before another may take it over; the
# dispatcher renews it every third of it while a send is in progress, so a message in flight
# when a worker is killed goes out about this long after the restart.
MODESTED_DELIVERY_LEASE_SECONDS = float(os.environ.get("MODESTED_DELIVERY_LEASE_SECONDS", "60"))
# The first retry after a failed send (the mail server down), doubled at each failure up to
# two hours; after ten attempts the delivery is "failed" (staff can send it again).
MODESTED_DELIVERY_FIRST_RETRY_SECONDS = float(
    os.environ.get("MODESTED_DELIVERY_FIRST_RETRY_SECONDS", "30")
)
# Heartbeat files of the worker and beat (``python manage.py health worker|beat``).
MODESTED_HEALTH_DIR = Path(os.environ.get("MODESTED_HEALTH_DIR", VAR_DIR / "health"))

# --- Celery (the app is core.celery) ----------------------------------------
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {
        "visibility_timeout": 3600,
        # A kick after a commit must not wait long for a Redis that is not there.
        "socket_connect_timeout": float(os.environ.get("MODESTED_REDIS_CONNECT_TIMEOUT", "0.5")),
        # A publisher (the kick after a commit) tries the connection once; the worker and
        # beat pass their own "for ever" (CELERY_BROKER_CONNECTION_MAX_RETRIES below).
        "max_retries": 0,
    }
else:
    _broker_dir = VAR_DIR / "broker"
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Workers and beat never give up on the broker: they retry for ever, with back-off (2 s more
# each time, at most 30 s apart), and log each attempt ("Trying again in N seconds...").
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# Publishing a task is tried once, never retried: a request never waits on a broker that is
# down. Nothing is lost: every task is re-derived from the database by beat's next tick.
CELERY_TASK_PUBLISH_RETRY = False
# Beat's scheduler touches a heartbeat file at each tick (``manage.py health beat``).
CELERY_BEAT_SCHEDULER = "core.celery:HeartbeatScheduler"
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    # Finds every message that is due (confirmations, reminders...) from the current state.
    "dispatch-due": {
        "task": "notifications.dispatch_due",
        "schedule": float(os.environ.get("MODESTED_DISPATCH_SECONDS", "60")),
    },
    # Retention: personal links of old registrations and bookings are removed (see docs/privacy.md).
    "anonymise-old-registrations": {
        "task": "events.anonymise_old_registrations",
        "schedule": 3600.0,
    },
    "anonymise-old-bookings": {"task": "rooms.anonymise_old_bookings", "schedule": 3600.0},
    "anonymise-old-signups": {"task": "volunteers.anonymise_old_signups", "schedule": 86400.0},
    "remove-idle-volunteer-profiles": {
        "task": "volunteers.remove_idle_profiles",
        "schedule": 86400.0,
    },
    "delete-inactive-accounts": {"task": "core.delete_inactive_accounts", "schedule": 86400.0},
    "purge-library-signups": {"task": "identity.purge_library_signups", "schedule": 86400.0},
    # Makerspace slots not checked in within 15 minutes are given free again.
    "release-unclaimed-slots": {"task": "rooms.release_unclaimed_slots", "schedule": 60.0},
    # Tentative holds on rooms past their expiry are released (they already hold nothing).
    "release-expired-holds": {"task": "rooms.release_expired_holds", "schedule": 60.0},
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Tests without a broker run tasks in-process; with REDIS_URL they go through Redis.
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", TESTING and not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True

# --- REST framework -----------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_PARSER_CLASSES": [
        "core.api.parsers.SafeJSONParser",
        "core.api.parsers.SafeFormParser",
        "core.api.parsers.SafeMultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exceptions.exception_handler",
    # Logging in and signing up are throttled by core.throttling (its rates are above);
    # any DRF throttle added later finds the client address the same way.
    "NUM_PROXIES": MODESTED_TRUSTED_PROXIES,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Mødested API",
    "DESCRIPTION": "Events, rooms, makerspace and volunteers of the public libraries.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # /api/docs/ is served from drf-spectacular-sidecar's static files (no third-party
    # script), and its start script is a file of its own, so the CSP needs no inline script.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # validatorUrl None: no badge image fetched from validator.swagger.io.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "ENUM_NAME_OVERRIDES": {
        "BranchKindEnum": "core.models.BranchKind",
        "HoursKindEnum": "core.models.HoursKind",
        "PartnerKindEnum": "core.models.PartnerKind",
        "BookingKindEnum": "rooms.models.BookingKind",
        "EquipmentKindEnum": "rooms.models.EquipmentKind",
        "PlaceKindEnum": "events.models.PlaceKind",
        "ReminderKindEnum": "notifications.models.ReminderKind",
    },
}

# --- Security (production: DJANGO_DEBUG=0 behind HTTPS) -----------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy of every HTML page (core.security): no inline script, no third-party
# anything. MODESTED_CSP replaces it ("off" sends none); MODESTED_CSP_REPORT_ONLY=1 only reports.
MODESTED_CSP = os.environ.get(
    "MODESTED_CSP",
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'",
)
MODESTED_CSP_REPORT_ONLY = env_bool("MODESTED_CSP_REPORT_ONLY", False)
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}

# --- Library rules ------------------------------------------------------------
# Days the libraries are closed although they are not public holidays.
# Names: "easter_saturday", "christmas_eve", "new_years_eve", "constitution_day".
MODESTED_EXTRA_CLOSED_DAYS = env_list(
    "MODESTED_EXTRA_CLOSED_DAYS", "easter_saturday,christmas_eve,new_years_eve"
)

AUTHENTICATION_BACKENDS = ["core.auth.RoleBackend", "identity.backends.PlatformBackend"]

# --- Logging in with the login people already have (identity app, docs/operations.md) ------
# The library's own municipality number (Roskilde: 265). People whose library login says they
# live there get the rooms' resident prices and booking windows; the plan counts them apart.
MODESTED_MUNICIPALITY = os.environ.get("MODESTED_MUNICIPALITY", "").strip()
# Citizens: Adgangsplatformen (OAuth 2 authorization code + PKCE, then its user-info with
# uniqueId and municipality). Off unless the client id and the three URLs are set.
ADGANGSPLATFORMEN = {
    "client_id": os.environ.get("ADGANGSPLATFORMEN_CLIENT_ID", ""),
    "client_secret": os.environ.get("ADGANGSPLATFORMEN_CLIENT_SECRET", ""),
    "authorize_url": os.environ.get("ADGANGSPLATFORMEN_AUTHORIZE_URL", ""),
    "token_url": os.environ.get("ADGANGSPLATFORMEN_TOKEN_URL", ""),
    "userinfo_url": os.environ.get("ADGANGSPLATFORMEN_USERINFO_URL", ""),
    # How the client authenticates at the token endpoint (the platform: in the form body).
    "token_auth_method": os.environ.get(
        "ADGANGSPLATFORMEN_TOKEN_AUTH_METHOD", "client_secret_post"
    ),
}
# Staff: the municipality's OpenID Connect provider (e.g. Microsoft Entra ID). Off unless the
# discovery URL and the client id are set. Groups map to a role and branches:
# "group=staff:viby+hasle,other-group=administrator" (branch slugs joined by "+").
STAFF_SSO = {
    "metadata_url": os.environ.get("STAFF_SSO_METADATA_URL", ""),
    "client_id": os.environ.get("STAFF_SSO_CLIENT_ID", ""),
    "client_secret": os.environ.get("STAFF_SSO_CLIENT_SECRET", ""),
    "scope": os.environ.get("STAFF_SSO_SCOPE", "openid email profile"),
    "groups_claim": os.environ.get("STAFF_SSO_GROUPS_CLAIM", "groups"),
    "groups": os.environ.get("STAFF_SSO_GROUPS", ""),
}
# Off: staff and administrators can no longer log in with e-mail and password (page, API,
# admin); they use the staff single sign-on.
MODESTED_STAFF_PASSWORD_LOGIN = env_bool("MODESTED_STAFF_PASSWORD_LOGIN", True)
# Seconds to wait for the login platforms before telling the person they do not answer.
MODESTED_LOGIN_PLATFORM_TIMEOUT = float(os.environ.get("MODESTED_LOGIN_PLATFORM_TIMEOUT", "5"))

if TESTING:
    # Real hashing costs a second a person on a loaded 2-core machine; tests need no strength.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
