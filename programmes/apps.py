from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    name = "programmes"
    verbose_name = "Preceptorship programmes"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers access policies, navigation links and home panels.
        from programmes import access, navigation_lead, navigation_practice, navigation_reports  # noqa: F401
