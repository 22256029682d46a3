from axes.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AxesConfig(AppConfig):
    """django-axes under a Chinese name in the admin."""

    verbose_name = _("登录限制")
