"""Celery application. Eager (no broker) unless REDIS_URL is set; see settings."""

import os

from celery import Celery

from preceptorship.observability import connect_task_logging

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "preceptorship.settings.production")

app = Celery("preceptorship")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
connect_task_logging()
