#!/usr/bin/env python
import os
import sys


def main() -> None:
    # A developer's machine unless told otherwise: servers and release commands name
    # preceptorship.settings.production (the Dockerfile and docs/deploy.md's environment file).
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "preceptorship.settings.development")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    # Django hides a settings error behind "Models aren't loaded yet"; say what is wrong instead.
    try:
        settings.INSTALLED_APPS  # noqa: B018
    except ImproperlyConfigured as error:
        sys.exit(f"Configuration error: {error}")
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
