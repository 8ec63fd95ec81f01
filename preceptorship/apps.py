from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class PreceptorshipConfig(AppConfig):
    name = "preceptorship"
    verbose_name = "Organisation directory"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from preceptorship import access, checks, home  # noqa: F401  (registers policies, checks and panels)
        from preceptorship.admin_audit import audit_every_admin

        # The audit log's access policy and navigation link.
        from preceptorship.auditlog import access as audit_access  # noqa: F401
        from preceptorship.auditlog import navigation  # noqa: F401

        # Every admin class, whichever app registered it, records its changes in the audit log (the
        # admin modules were loaded by django.contrib.admin, listed first).
        audit_every_admin()

        # Warns check --deploy when two-step sign-in is off.
        from preceptorship.two_step import checks as two_step_checks  # noqa: F401

        # Each app's reminders.py registers its reminder sources with preceptorship.reminders.
        autodiscover_modules("reminders")
