"""What every kind of process shares: the apps, the database, files, e-mail, Celery, the cache,
logs. Each value comes from the environment; the README's configuration table lists them all.

Run one of the modules built on this one, chosen by DJANGO_SETTINGS_MODULE: ``development``
(``manage.py``'s default), ``test`` (pytest.ini) or ``production`` (wsgi.py, asgi.py, celery.py,
the Dockerfile). Defaults let a fresh clone run with SQLite, eager Celery and console e-mail.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from preceptorship.env import env_bool, env_choice, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent

DEBUG = False
# Empty here: production refuses to start without one, development and tests have their own.
SECRET_KEY = env_str("SECRET_KEY", "")

CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "django_filters",
    "axes",
    "csp",
    # Two-step sign-in's devices (preceptorship/two_step/): before the core, whose admin takes
    # their own admin pages away.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "preceptorship",
    # Single sign-on through organisations' OpenID Connect providers: part of the core.
    "preceptorship.identity",
    "progression",
    "progression.supervision",
    "programmes",
    "programmes.reporting",
    "programmes.privacy",
    "programmes.equality",
    "programmes.preceptors",
    # The integration API (programmes/api); "ninja" serves its documentation page's own files.
    "ninja",
    "programmes.api",
]

MIDDLEWARE = [
    # First: a request id for everything below, and one log line per request (observability.py).
    "preceptorship.observability.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.otp_device: the device that confirmed this session's two-step code, if any.
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # A session that still owes its two-step code reaches only the two-step pages (TWO_STEP_REQUIRED).
    "preceptorship.two_step.middleware.TwoStepMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # A database error in a view: the "problem with the service" page (503), not a server error.
    "preceptorship.middleware.DatabaseUnavailableMiddleware",
    # Last, as django-axes asks, so it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "preceptorship.urls"
WSGI_APPLICATION = "preceptorship.wsgi.application"

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
                "preceptorship.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Each transaction takes SQLite's write lock as it begins and the others wait for it, so two
    # decisions at the same instant are taken one after the other and the second finds the case
    # moved on (as row locks give on PostgreSQL) instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "preceptorship.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Answers only the single sign-on callback (preceptorship/identity/backend.py).
    "preceptorship.identity.backend.OrganisationAccountBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# django-axes: lock an account and address after repeated failed sign-ins.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"
# Sign-in ignores the case of the address; the lock-out counts every spelling as one account.
AXES_USERNAME_CALLABLE = "preceptorship.forms.sign_in_account"
AXES_VERBOSE = False
# A provider's answer to a single sign-on is not a password guess (preceptorship/identity/views.py).
AXES_WHITELIST_CALLABLE = "preceptorship.identity.views.is_organisation_sign_in"

# Single sign-on through organisations' OpenID Connect providers (preceptorship/identity,
# docs/deploy.md "Single sign-on"). Providers are set up in the admin pages; one default provider
# can come from these variables instead. mozilla-django-oidc reads the OIDC_* names below.
OIDC_AUTHENTICATION_CALLBACK_URL = "identity:callback"
OIDC_USE_PKCE = True
OIDC_TIMEOUT = env_int("OIDC_TIMEOUT", 10)
OIDC_DEFAULT_ISSUER = (env_str("OIDC_DEFAULT_ISSUER", "") or "").strip()
OIDC_DEFAULT_NAME = env_str("OIDC_DEFAULT_NAME", "Your organisation's account")
OIDC_DEFAULT_CLIENT_ID = env_str("OIDC_DEFAULT_CLIENT_ID", "")
OIDC_DEFAULT_CLIENT_SECRET = env_str("OIDC_DEFAULT_CLIENT_SECRET", "")
OIDC_DEFAULT_ALLOWED_DOMAINS = env_list("OIDC_DEFAULT_ALLOWED_DOMAINS", [])
OIDC_DEFAULT_ORGANISATIONS = env_list("OIDC_DEFAULT_ORGANISATIONS", [])
OIDC_DEFAULT_EMPLOYEE_NUMBER_CLAIM = env_str("OIDC_DEFAULT_EMPLOYEE_NUMBER_CLAIM", "")
OIDC_DEFAULT_SCOPES = env_str("OIDC_DEFAULT_SCOPES", "openid email profile")
if OIDC_DEFAULT_ISSUER:
    _missing = [
        name for name, value in (
            ("OIDC_DEFAULT_CLIENT_ID", OIDC_DEFAULT_CLIENT_ID),
            ("OIDC_DEFAULT_CLIENT_SECRET", OIDC_DEFAULT_CLIENT_SECRET),
            ("OIDC_DEFAULT_ALLOWED_DOMAINS", OIDC_DEFAULT_ALLOWED_DOMAINS),
            ("OIDC_DEFAULT_ORGANISATIONS", OIDC_DEFAULT_ORGANISATIONS),
        ) if not value
    ]
    if _missing:
        raise ImproperlyConfigured(f"OIDC_DEFAULT_ISSUER is set: set {', '.join(_missing)} too.")
    if urlsplit(OIDC_DEFAULT_ISSUER).scheme != "https" and urlsplit(OIDC_DEFAULT_ISSUER).hostname not in (
        "localhost", "127.0.0.1"
    ):
        raise ImproperlyConfigured(f"OIDC_DEFAULT_ISSUER={OIDC_DEFAULT_ISSUER!r} must start with https://.")

# Two-step sign-in (docs/deploy.md): administrators, HR, programme and ICS leads, Operational
# Directors and data protection officers confirm a code from an authenticator app after their
# password. On unless turned off; development and the tests turn it off (their settings).
TWO_STEP_REQUIRED = env_bool("TWO_STEP_REQUIRED", default=True)
# The name authenticator apps show beside the codes.
OTP_TOTP_ISSUER = "Preceptorship"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Private files (evidence, letters, evidence packs, exports, staff imports): a folder outside the
# web root, or a private S3-compatible bucket when AWS_STORAGE_BUCKET_NAME is set, so that every
# web server and worker reads the same files. Either way they are read through the storage API and
# reach a browser only through views that check access and stream them (preceptorship/storage.py).


def private_bucket(bucket_name: str) -> dict:
    """The S3Storage of a private S3-compatible bucket, from the AWS_* variables (README)."""
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket_name,
            "endpoint_url": env_str("AWS_S3_ENDPOINT_URL", "") or None,
            "region_name": env_str("AWS_S3_REGION_NAME", "") or None,
            # Unset: boto3 finds credentials itself (instance role, AWS_* variables, ~/.aws).
            "access_key": env_str("AWS_ACCESS_KEY_ID", "") or None,
            "secret_key": env_str("AWS_SECRET_ACCESS_KEY", "") or None,
            "location": (env_str("AWS_LOCATION", "") or "").strip("/"),
            "addressing_style": env_str("AWS_S3_ADDRESSING_STYLE", "") or None,
            "signature_version": "s3v4",
            # Every object private; never a public URL. Should a URL ever be made, it is signed and
            # lasts a minute, but no view hands one out: downloads stream through Django.
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": 60,
            "file_overwrite": False,
        },
    }


AWS_STORAGE_BUCKET_NAME = env_str("AWS_STORAGE_BUCKET_NAME", "")
PRIVATE_FILES_STORAGE = (
    private_bucket(AWS_STORAGE_BUCKET_NAME) if AWS_STORAGE_BUCKET_NAME
    else {"BACKEND": "preceptorship.storage.PrivateFileSystemStorage"}
)
STORAGES = {
    "default": PRIVATE_FILES_STORAGE,
    # Production serves hashed, compressed names from collectstatic's manifest.
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The private folder, when files are not in a bucket: outside the web root, never served directly.
PRIVATE_MEDIA_ROOT = Path(env_str("PRIVATE_MEDIA_ROOT", str(BASE_DIR / "private")))
MEDIA_ROOT = PRIVATE_MEDIA_ROOT
MEDIA_URL = None
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

CRISPY_ALLOWED_TEMPLATE_PACKS = ["nhsuk"]
CRISPY_TEMPLATE_PACK = "nhsuk"
CRISPY_FAIL_SILENTLY = not DEBUG

# E-mail: console unless EMAIL_HOST (or EMAIL_BACKEND) is set.
EMAIL_HOST = env_str("EMAIL_HOST", "")
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=bool(EMAIL_HOST))
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Preceptorship <no-reply@preceptorship.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: Redis when REDIS_URL is set; otherwise tasks run eagerly in the web process.
REDIS_URL = env_str("REDIS_URL", "")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5}
# Due dates live in the database; this hourly sweep finds them (never ETA or countdown tasks).
CELERY_BEAT_SCHEDULE = {
    "sweep-reminders": {"task": "preceptorship.tasks.sweep_reminders", "schedule": 60 * 60},
    "begin-pauses": {"task": "programmes.tasks.begin_pauses", "schedule": 60 * 60},
    # The dashboards read summary tables rebuilt from the records (docs/architecture.md, "Dashboard
    # figures"); their pages say when the figures are from.
    "rebuild-dashboard-figures": {"task": "programmes.reporting.tasks.rebuild_dashboard_figures", "schedule": 5 * 60},
    # Anonymises or deletes what the retention schedule (RETENTION, below) says is past its date.
    "apply-retention": {"task": "programmes.privacy.tasks.apply_retention", "schedule": crontab(hour=2, minute=30)},
}

# The retention schedule (docs/data-protection.md says why each period): how long after its
# starting point each kind of record is kept, as "N days", "N months" or "N years". Each can be
# changed with RETENTION_<KIND>, e.g. RETENTION_NEEDS_ASSESSMENTS="2 years"; a value that is not
# a period stops the site at start-up (programmes/privacy/checks.py).
RETENTION_DEFAULTS = {
    "enrolments": "6 years",  # withdrawn or completed: with their reviews, goals, reflections, protected time
    "needs_assessments": "1 year",  # after the programme ended; may hold health information
    "progression_cases": "6 years",  # after the final decision
    "notifications": "1 year",
    "files": "90 days",  # staff import files and list exports
    "subject_access_exports": "30 days",  # the zip's download expires then
    "leavers": "6 years",  # inactive accounts with no role left, after leaving
}
RETENTION = {kind: env_str(f"RETENTION_{kind.upper()}", default) for kind, default in RETENTION_DEFAULTS.items()}


def _cache_url(broker_url: str) -> str:
    """The broker's Redis server, in the next database (the one before, for the last of the 16)."""
    parts = urlsplit(broker_url)
    if parts.scheme not in ("redis", "rediss"):
        raise ImproperlyConfigured(
            f"REDIS_URL={broker_url!r}: set REDIS_CACHE_URL too, to a Redis database of its own for the cache."
        )
    number = parts.path.strip("/") or "0"
    if not number.isdigit():
        raise ImproperlyConfigured(f"REDIS_URL={broker_url!r} does not end in a database number, such as /0.")
    database = int(number) + 1 if int(number) < 15 else int(number) - 1
    return urlunsplit(parts._replace(path=f"/{database}"))


# Cache: shared by every web server and worker through Redis when REDIS_URL is set, so a value
# kept by one process is met (and replaced) by all; each process's own memory only without Redis.
# It lives in a Redis database of its own, not the broker's (RedisCache.clear() empties the whole
# database, queued tasks with it), and its keys start with "preceptorship" so they are recognisable.
# Redis unreachable is a cache miss, not an error: see preceptorship/cache.py.
REDIS_CACHE_URL = env_str("REDIS_CACHE_URL", "") or (_cache_url(REDIS_URL) if REDIS_URL else "")
if REDIS_CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "preceptorship.cache.ForgivingRedisCache",
            "LOCATION": REDIS_CACHE_URL,
            "KEY_PREFIX": "preceptorship",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# The integration API's rate limit: requests per token per window, counted in the cache above
# (shared by every web server through Redis).
API_RATE_LIMIT = env_int("API_RATE_LIMIT", 120)
API_RATE_WINDOW_SECONDS = env_int("API_RATE_WINDOW_SECONDS", 60)
if API_RATE_LIMIT < 1 or API_RATE_WINDOW_SECONDS < 1:
    raise ImproperlyConfigured("API_RATE_LIMIT and API_RATE_WINDOW_SECONDS must be 1 or more.")

# Security. Secure cookies, the redirect to HTTPS and HSTS are production's (production.py).
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=False)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY", False) else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Load balancers and process managers ask over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^(healthz|livez|readyz)$"]

# No inline script or style anywhere; everything comes from our own static files.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Logs: plain lines on the console, or with LOG_FORMAT=json one JSON object per line for a central
# log store, with one line per request and per task run (ids, never names or e-mail addresses;
# preceptorship/observability.py). Every line made during a request carries its request id.
LOG_FORMAT = env_choice("LOG_FORMAT", ("text", "json"), "text")
LOG_LEVEL = env_str("LOG_LEVEL", "WARNING")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "preceptorship.observability.RequestIdFilter"}},
    "formatters": {"json": {"()": "preceptorship.observability.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            **({"formatter": "json"} if LOG_FORMAT == "json" else {}),
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # The per-request and per-task lines are what a JSON log is for; on the console they would
        # repeat what runserver and the worker already print.
        "preceptorship.requests": {"level": "INFO" if LOG_FORMAT == "json" else "WARNING"},
        "preceptorship.tasks": {"level": "INFO" if LOG_FORMAT == "json" else "WARNING"},
    },
}
# A worker keeps these handlers instead of replacing them with Celery's own plain format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = LOG_FORMAT != "json"

# Error reports go to Sentry from the servers only (production.py).
SENTRY_DSN = env_str("SENTRY_DSN", "")
