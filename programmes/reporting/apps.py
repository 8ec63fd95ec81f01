from django.apps import AppConfig


class ReportingConfig(AppConfig):
    """The dashboards, their figures and downloads: above ``programmes`` and ``progression``, which
    never import it (``preceptorship/tests/test_layers.py``)."""

    name = "programmes.reporting"
    label = "reporting"
    verbose_name = "Reports"

    def ready(self) -> None:
        # Registers the navigation links and home panels, and the dashboard's list export (which a
        # worker building an export job must find without having loaded the URLs).
        from programmes.reporting import audit_scopes, navigation, standards, views  # noqa: F401
