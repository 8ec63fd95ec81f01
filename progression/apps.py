from django.apps import AppConfig


class ProgressionConfig(AppConfig):
    name = "progression"
    verbose_name = "Career progression"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Access policies, navigation links, home panels and the audit log's scopes register
        # themselves on import.
        from progression import access, audit_scopes, navigation  # noqa: F401
