"""The admin site: the project's titles, and every password it checks counted by the sign-in limiter.

Django's own password change checks the old password with ``user.check_password``, which django-axes never sees; here
the view hands the request to a form that checks it through ``authenticate`` (lucun.login_limits), so a wrong old
password counts as a sign-in failure and a locked account cannot change its password either. Installed as the
default site (``lucun.apps.AdminConfig``): every ``admin.register`` lands here, the URL names stay Django's.
"""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .forms import AdminLoginForm, AdminPasswordChangeForm


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change, with the request handed to the form (the limiter counts per request)."""

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}


class AdminSite(admin.AdminSite):
    site_header = _("lucun 民情治理系统 · 配置")
    site_title = _("lucun 配置")
    index_title = _("配置数据")
    # The sign-in says "too many failures" in Chinese when django-axes has locked it.
    login_form = AdminLoginForm

    def password_change(self, request, extra_context=None):
        """Change one's own password; the old one is checked and counted as at sign-in."""
        defaults = {
            "form_class": AdminPasswordChangeForm,
            "success_url": reverse("admin:password_change_done", current_app=self.name),
            "extra_context": {**self.each_context(request), **(extra_context or {})},
        }
        if self.password_change_template is not None:
            defaults["template_name"] = self.password_change_template
        request.current_app = self.name
        return PasswordChangeView.as_view(**defaults)(request)
