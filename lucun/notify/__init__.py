"""Delivery channels for notifications besides the in-app centre, chosen by settings."""

from django.conf import settings
from django.utils.module_loading import import_string

from .backends import Backend


def get_backends() -> list[Backend]:
    return [import_string(path)() for path in settings.LUCUN_NOTIFICATION_BACKENDS]
