"""Celery application. Eager (no broker) unless REDIS_URL is set; see settings."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "preceptorship.settings")

app = Celery("preceptorship")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
