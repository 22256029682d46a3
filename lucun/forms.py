from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from .login_limits import hooks


class LockoutMessageMixin:
    """Say "too many failures" on the form when django-axes has locked the account or address.

    Counting and locking happen in django-axes (lucun.login_limits), on every path that checks a password.
    """

    def get_invalid_login_error(self):
        if getattr(self.request, "axes_locked_out", False):
            setattr(self.request, hooks.LOCKOUT_SHOWN, True)
            return forms.ValidationError(hooks.lockout_message(), code="throttled")
        return super().get_invalid_login_error()


class LoginForm(LockoutMessageMixin, AuthenticationForm):
    username = forms.CharField(
        label=_("用户名或手机号"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username", "autocapitalize": "none"}),
    )
    error_messages = {
        "invalid_login": _("用户名(或手机号)与密码不匹配,请重新输入。"),
        "inactive": _("该账号已停用,请联系街道管理员。"),
    }


class AdminLoginForm(LockoutMessageMixin, AdminAuthenticationForm):
    """The admin's sign-in form, with the same lock-out message as the staff sign-in page."""
