from django.apps import AppConfig


class PreceptorsConfig(AppConfig):
    name = "programmes.preceptors"
    label = "preceptors"
    verbose_name = "Preceptors"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers the access policies, the audit scopes and the navigation links.
        from programmes.preceptors import access, audit_scopes, navigation  # noqa: F401
