"""Settings for a developer's machine: ``manage.py``'s default, and what ``make run`` serves.

Debug pages, a fixed key, local host names and plain cookies, so a fresh clone runs with no
environment at all. Never for a server reachable by anyone else: the key is public.
"""

from preceptorship.env import env_bool, env_list, env_str
from preceptorship.settings.base import *  # noqa: F403
from preceptorship.settings.base import INSTALLED_APPS

DEBUG = env_bool("DEBUG", default=True)
SECRET_KEY = env_str("SECRET_KEY", "") or "development-only-key-not-for-production-use-" + "x" * 20
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CRISPY_FAIL_SILENTLY = not DEBUG
# The demo signs in with a password alone unless TWO_STEP_REQUIRED=1 asks for the production journey.
TWO_STEP_REQUIRED = env_bool("TWO_STEP_REQUIRED", default=False)
# The demo (seed_demo) and the scale-data generator (generate_scale_data).
INSTALLED_APPS = [*INSTALLED_APPS, "bench"]
