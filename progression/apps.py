from django.apps import AppConfig


class ProgressionConfig(AppConfig):
    name = "progression"
    verbose_name = "Career progression"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Access policies, navigation links and home panels register themselves on import.
        from progression import access, navigation  # noqa: F401
