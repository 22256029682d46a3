from datetime import datetime

from django.utils import timezone


def now_for_bench() -> datetime:
    """The instant the data is built around (whole seconds, so deadlines compare exactly)."""
    return timezone.now().replace(microsecond=0)
