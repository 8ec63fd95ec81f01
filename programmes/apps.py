from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    name = "programmes"
    verbose_name = "Preceptorship programmes"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers access policies, navigation links and home panels; lets progression evidence
        # link a reflection or a review meeting record (evidence_links) and a case's eligibility
        # show a completed preceptorship (progression_eligibility); a line manager's authority over
        # progression cases covers the preceptees they manage (progression_managers); the audit
        # log knows each record's organisation and person (audit_scopes).
        from programmes import (  # noqa: F401
            access,
            audit_scopes,
            evidence_links,
            progression_eligibility,
            progression_managers,
        )
        from programmes.navigation import lead, practice  # noqa: F401
