from django.apps import AppConfig


class BenchConfig(AppConfig):
    """Development tools, not the product: the demo builders (``seed_demo``) and the scale-data
    generator (``generate_scale_data``) used by the benchmark. Installed by the development and
    test settings, and by production's only when DEMO_TOOLS asks for them."""

    name = "bench"
    label = "bench"
    verbose_name = "Development tools"
