from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from . import throttle

# Password guessing: at most this many failures per login name, and per address, in the window.
LOGIN_FAILURES_PER_NAME = 5
LOGIN_FAILURES_PER_ADDRESS = 30
LOGIN_WINDOW_SECONDS = 15 * 60


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("用户名或手机号"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username", "autocapitalize": "none"}),
    )
    error_messages = {
        "invalid_login": _("用户名(或手机号)与密码不匹配,请重新输入。"),
        "inactive": _("该账号已停用,请联系街道管理员。"),
        "throttled": _("登录失败次数过多,请 15 分钟后再试,或联系街道管理员重置密码。"),
    }

    def clean(self):
        name = (self.cleaned_data.get("username") or "").strip().lower()
        address = throttle.client_address(self.request) if self.request else ""
        checks = [("login-name", name, LOGIN_FAILURES_PER_NAME), ("login-address", address, LOGIN_FAILURES_PER_ADDRESS)]
        if any(
            value and throttle.too_many(purpose=p, value=value, limit=n, window_seconds=LOGIN_WINDOW_SECONDS)
            for p, value, n in checks
        ):
            raise forms.ValidationError(self.error_messages["throttled"], code="throttled")
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            for purpose, value, _limit in checks:
                if value:
                    throttle.record(purpose=purpose, value=value, window_seconds=LOGIN_WINDOW_SECONDS)
            raise
        throttle.reset(purpose="login-name", value=name, window_seconds=LOGIN_WINDOW_SECONDS)
        return cleaned
