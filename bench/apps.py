from django.apps import AppConfig


class BenchConfig(AppConfig):
    """The benchmark (``manage.py bench``): a tool that drives every app, so it lives outside ``lucun``."""

    name = "bench"
    verbose_name = "benchmark"
