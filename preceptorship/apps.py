from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class PreceptorshipConfig(AppConfig):
    name = "preceptorship"
    verbose_name = "Organisation directory"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from preceptorship import access, checks, home  # noqa: F401  (registers policies, checks and panels)

        # Each app's reminders.py registers its reminder sources with preceptorship.reminders.
        autodiscover_modules("reminders")
