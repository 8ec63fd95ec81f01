"""Settings for the load test's servers (bench/load.py): the production settings, read from the
environment as deployed, with two changes that serving plain HTTP on localhost needs.

- ``ROOT_URLCONF``: the benchmark's URLs, which are every URL of the project plus the baseline
  page (``bench/urls.py``), so that the baseline's throughput is measured on the same server.
- Cookies not marked Secure: the load clients speak plain HTTP, and an HTTP client does not send a
  Secure cookie back over it, so nobody would stay signed in. In production a TLS-terminating
  proxy makes the connection secure; there is no proxy here.
"""

import os

try:  # the production module, once the settings are a package with one module per environment
    from preceptorship.settings.production import *  # noqa: F403
except ModuleNotFoundError as error:
    if error.name not in ("preceptorship.settings.production",):
        raise
    from preceptorship.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False

# Static files collected to the run's own folder, so a run leaves nothing in the checkout.
STATIC_ROOT = os.environ.get("LOAD_STATIC_ROOT") or STATIC_ROOT  # noqa: F405
