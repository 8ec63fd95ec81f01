from django.apps import AppConfig


class IdentityConfig(AppConfig):
    """Part of the core: imports nothing from progression, programmes or bench."""

    name = "preceptorship.identity"
    label = "identity"
    verbose_name = "Single sign-on"

    def ready(self) -> None:
        from preceptorship.identity import audit_scopes  # noqa: F401
