from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisitsConfig(AppConfig):
    name = "visits"
    verbose_name = _("直面问")
    default_auto_field = "django.db.models.BigAutoField"
