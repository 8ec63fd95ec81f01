from django.apps import AppConfig


class PreceptorshipConfig(AppConfig):
    name = "preceptorship"
    verbose_name = "Organisation directory"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from preceptorship import access, home  # noqa: F401  (registers policies and panels)
