from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "progression.supervision"
    label = "supervision"
    verbose_name = "Supervision records"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The access policies, the audit log's scopes and the evidence link source register on import.
        from progression.supervision import access, audit_scopes, evidence_links  # noqa: F401
