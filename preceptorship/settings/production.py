"""Settings for every server and release command: gunicorn (wsgi.py, asgi.py), the Celery worker
and beat (celery.py), and ``manage.py migrate``/``collectstatic``/``check --deploy`` run with
DJANGO_SETTINGS_MODULE=preceptorship.settings.production (the Dockerfile and docs/deploy.md set it).

Strict by default: a key is required, no host is served until named, cookies are Secure, HTTP is
redirected to HTTPS, and static files come from collectstatic's manifest.
"""

from django.core.exceptions import ImproperlyConfigured

from preceptorship.env import env_bool, env_int, env_list, env_str
from preceptorship.settings.base import *  # noqa: F403
from preceptorship.settings.base import INSTALLED_APPS, SECRET_KEY, SENTRY_DSN, STORAGES

if not SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is not set. Set SECRET_KEY in the environment (a long random string), or on your own "
        "machine use the development settings (DJANGO_SETTINGS_MODULE=preceptorship.settings.development)."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])
# The development tools (seed_demo, generate_scale_data) only for a demonstration or CI's production
# stage, and then only for the command that seeds: servers never need them.
if env_bool("DEMO_TOOLS", default=False):
    INSTALLED_APPS = [*INSTALLED_APPS, "bench"]
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}}

SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)

# Error reports to Sentry (or a Sentry-compatible service) when SENTRY_DSN is set: no personal
# data is sent (observability.scrub_event keeps the user's id and drops the rest).
if SENTRY_DSN:
    from preceptorship.observability import init_sentry

    init_sentry(SENTRY_DSN, environment=env_str("SENTRY_ENVIRONMENT", ""), release=env_str("SENTRY_RELEASE", ""))
