from django.apps import AppConfig


class EqualityConfig(AppConfig):
    name = "programmes.equality"
    label = "equality"
    verbose_name = "Equality monitoring"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The access policy, the audit log's scope and the figures' navigation link register on import.
        from programmes.equality import access, audit_scopes, navigation  # noqa: F401
