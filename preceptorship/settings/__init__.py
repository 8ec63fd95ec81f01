"""Settings by purpose: ``development``, ``test`` and ``production``, each built on ``base``.

DJANGO_SETTINGS_MODULE names one of them; this package itself holds no settings.
"""
