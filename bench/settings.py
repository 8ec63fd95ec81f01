"""Settings for the benchmark: production's (DEBUG off, cached templates, every middleware), with
only what an in-process measurement needs changed."""

import os

os.environ.setdefault("SECRET_KEY", "benchmark-only-key-" + "b" * 40)

from preceptorship.settings.production import *  # noqa: E402,F403

DEBUG = False
ROOT_URLCONF = "bench.urls"
ALLOWED_HOSTS = ["testserver"]
# The test client speaks plain HTTP in-process: no redirect to HTTPS, cookies not marked secure.
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
# Static file names as in development: a fresh clone has not run collectstatic, and the
# production manifest lookup is one dictionary access per file.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Reminder e-mails are queued on an in-memory broker and never delivered: the sweep's figure
# covers finding, recording and queueing, as it does in production where workers send.
CELERY_TASK_ALWAYS_EAGER = False
CELERY_BROKER_URL = "memory://"
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "ERROR"}}

# WhiteNoise warns that collectstatic has not run; the benchmark serves no static files.
import warnings  # noqa: E402

warnings.filterwarnings("ignore", message="No directory at")
