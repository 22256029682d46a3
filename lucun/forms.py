from django import forms
from django.contrib.admin import forms as admin_forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables

from .images import ACCEPT, images_clean
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


class AdminLoginForm(LockoutMessageMixin, admin_forms.AdminAuthenticationForm):
    """The admin's sign-in form, with the same lock-out message as the staff sign-in page."""


class CountedOldPasswordMixin:
    """Check the old password of a password change through ``authenticate``, as a sign-in does.

    Django's form asks ``user.check_password``, which the limiter never sees. Through ``authenticate`` a wrong old
    password counts as a sign-in failure of the account (and the address), and a locked account is refused with the
    lock-out message, answered with 429 like the sign-in pages.
    """

    def __init__(self, user, *args, request, **kwargs):
        self.request = request
        super().__init__(user, *args, **kwargs)

    @sensitive_variables("old_password")
    def clean_old_password(self):
        old_password = self.cleaned_data["old_password"]
        checked = authenticate(self.request, username=self.user.get_username(), password=old_password)
        if getattr(self.request, "axes_locked_out", False):
            setattr(self.request, hooks.LOCKOUT_SHOWN, True)
            raise forms.ValidationError(hooks.lockout_message(), code="throttled")
        if checked is None or checked.pk != self.user.pk:
            raise forms.ValidationError(self.error_messages["password_incorrect"], code="password_incorrect")
        return old_password


class AdminPasswordChangeForm(CountedOldPasswordMixin, admin_forms.AdminPasswordChangeForm):
    """The admin's "change my password" form, its old password counted by the sign-in limiter."""


class PhotoInput(forms.ClearableFileInput):
    """A file input that offers photos; ``camera`` opens the phone's camera first (officials in the field)."""

    def __init__(self, attrs=None, *, camera: bool = False):
        attrs = {"accept": ACCEPT, **({"capture": "environment"} if camera else {}), **(attrs or {})}
        super().__init__(attrs)


class MultiplePhotoInput(PhotoInput):
    allow_multiple_selected = True


class PhotoField(forms.FileField):
    """One photo, cleaned by the image pipeline: the cleaned value is a ``CleanImage`` (or None)."""

    widget = PhotoInput

    def to_python(self, data):
        if data in self.empty_values:
            return None
        [image] = images_clean([data])
        return image


class PhotosField(forms.FileField):
    """Up to ``most`` photos from one input, all cleaned or the field refused: a list of ``CleanImage``."""

    widget = MultiplePhotoInput

    def __init__(self, *, most: int, camera: bool = False, **kwargs):
        self.most = most
        kwargs.setdefault("widget", MultiplePhotoInput(camera=camera))
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not files and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        return images_clean(files, most=self.most)

    def has_changed(self, initial, data) -> bool:
        return bool(data)


class SmsNoticesForm(forms.Form):
    sms_notices = forms.BooleanField(
        label=_("超期督办和待我审批的申请,也发短信到我的手机"),
        required=False,
    )

    def __init__(self, *args, **kwargs) -> None:
        from django.conf import settings

        super().__init__(*args, **kwargs)
        help_text = _("同一号码每小时最多 %(n)d 条,多的顺延。") % {"n": settings.LUCUN_SMS_PER_HOUR}
        if settings.LUCUN_SMS_QUIET_HOURS:
            help_text = (
                _("%(hours)s 不发短信,留到安静时段结束再发;") % {"hours": settings.LUCUN_SMS_QUIET_HOURS} + help_text
            )
        self.fields["sms_notices"].help_text = help_text
