"""Settings for the test suite (pytest.ini): development's, made fast, quiet and self-contained.

Each test process keeps its own files folder, e-mail outbox and cache, and runs tasks eagerly, so
parallel workers never meet each other's state and nothing outside the run is touched.
"""

from preceptorship.env import env_bool
from preceptorship.settings.development import *  # noqa: F403
from preceptorship.settings.development import BASE_DIR

DEBUG = False
CRISPY_FAIL_SILENTLY = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PRIVATE_MEDIA_ROOT = BASE_DIR / ".test-private"
MEDIA_ROOT = PRIVATE_MEDIA_ROOT
AXES_ENABLED = env_bool("AXES_ENABLED", default=True)
# Off whatever the environment says: the tests of two-step sign-in turn it on (test_two_step.py).
TWO_STEP_REQUIRED = False
# Task bodies are tested eagerly; the one integration test with a real worker overrides this.
CELERY_TASK_ALWAYS_EAGER = True
# Each test process keeps its own cache, emptied before every test (conftest.py): parallel
# workers never meet each other's values, and nothing flushes a Redis database others use.
# test_cache.py proves the shared Redis cache between two processes.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
REDIS_CACHE_URL = ""

# Transactional tests empty the tables and Django then recreates content types and permissions
# with new ids; restoring the serialized migration data (professions, shipped frameworks) must not
# bring back the old ids of those two, or the restore fails on their unique names.
TEST_NON_SERIALIZED_APPS = ["django.contrib.contenttypes", "django.contrib.auth"]
