from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "programmes.privacy"
    label = "privacy"
    verbose_name = "Data protection"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers the access policies and the navigation link; checks the retention schedule.
        from programmes.privacy import access, checks, navigation  # noqa: F401
