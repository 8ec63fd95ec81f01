"""Settings for the real Celery worker that test_fault_worker_killed.py starts and kills.

The production settings, with e-mail recorded to files (so the count survives a killed worker),
the worker's own queue, and a short visibility timeout so the broker gives a killed worker's
unacknowledged message to the next worker within seconds rather than an hour. The test passes
the test database (DATABASE_URL) and its own Redis database (REDIS_URL) in the environment.
"""

import os

from preceptorship.settings.production import *  # noqa: F403
from preceptorship.settings.production import CELERY_BROKER_TRANSPORT_OPTIONS

EMAIL_BACKEND = "preceptorship.tests.fault_mail.RecordingBackend"
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_DEFAULT_QUEUE = os.environ["FAULT_QUEUE"]
CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,
    "visibility_timeout": int(os.environ.get("FAULT_VISIBILITY_TIMEOUT", "10")),
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
