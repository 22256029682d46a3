"""The admin of the 12345 hotline connection: keys (issued once, revoked with a reason), the street's callback
setting, the column mapping, and the orders and status deliveries to read (imported from ``cases.admin``)."""

from django import forms
from django.contrib import admin
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _

from lucun.admin import ReadOnlyAdmin
from lucun.text import mask_name, mask_phone

from ..models import HotlineColumn, HotlineDelivery, HotlineKey, HotlineOrder, HotlineSetting
from ..services import can_manage_hotline, hotline_key_issue, hotline_key_revoke, hotline_setting_save


def _take(obj, saved) -> None:
    """Make the admin's unsaved ``obj`` the row a service saved, so the admin logs and links the right one."""
    for model_field in type(saved)._meta.concrete_fields:
        setattr(obj, model_field.attname, getattr(saved, model_field.attname))
    obj._state.adding = False
    obj._state.db = saved._state.db


class HotlineStreetForm(forms.ModelForm):
    """Refuses a street the signed-in user does not manage (the services refuse it too)."""

    user = None  # set per request by the admin's get_form

    def clean(self):
        data = super().clean()
        street = data.get("street") or getattr(self.instance, "street", None)
        if street is not None and not can_manage_hotline(self.user, street):
            raise forms.ValidationError(_("只有该街道街道一级的工作人员(或超级管理员)可以管理它的 12345 设置。"))
        return data


class HotlineKeyForm(HotlineStreetForm):
    revoke_reason = forms.CharField(
        label=_("吊销原因"),
        required=False,
        max_length=200,
        help_text=_("填写后保存即吊销此密钥:热线平台不能再用它推送工单。吊销不能撤回。"),
    )

    class Meta:
        model = HotlineKey
        fields = ["street", "name", "hourly_limit"]


class _PerUserForm:
    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})


@admin.register(HotlineKey)
class HotlineKeyAdmin(_PerUserForm, admin.ModelAdmin):
    """Issue a key (shown once, only its hash kept), change its name or limit, revoke it with a reason."""

    form = HotlineKeyForm
    list_display = ["name", "street", "prefix", "hourly_limit", "is_active", "created_at", "revoked_at"]
    list_filter = ["is_active", "street"]
    list_select_related = ["street"]
    search_fields = ["name", "prefix"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["street", "name", "hourly_limit"]
        fields = ["street", "name", "hourly_limit", "prefix", "is_active", "created_by", "created_at"]
        if obj.is_active:
            return [*fields, "revoke_reason"]
        return [*fields, "revoked_by", "revoked_at", "revoked_reason"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        fields = ["street", "prefix", "is_active", "created_by", "created_at"]
        if not obj.is_active:
            fields += ["name", "hourly_limit", "revoked_by", "revoked_at", "revoked_reason"]
        return fields

    def save_model(self, request, obj, form, change):
        if not change:
            key, secret = hotline_key_issue(
                street=obj.street, name=obj.name, hourly_limit=obj.hourly_limit, user=request.user
            )
            _take(obj, key)
            request.hotline_secret = secret  # shown once by response_add, stored nowhere
            return
        if form.changed_data and set(form.changed_data) - {"revoke_reason"}:
            obj.save(update_fields=["name", "hourly_limit"])
        if form.cleaned_data.get("revoke_reason"):
            _take(obj, hotline_key_revoke(key=obj, user=request.user, reason=form.cleaned_data["revoke_reason"]))

    def response_add(self, request, obj, post_url_continue=None):
        secret = getattr(request, "hotline_secret", None)
        if secret is None:
            return super().response_add(request, obj, post_url_continue)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("12345 推送密钥已签发"),
            "key": obj,
            "secret": secret,
        }
        response = TemplateResponse(request, "admin/cases/hotlinekey/issued.html", context)
        add_never_cache_headers(response)
        return response

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class HotlineSettingForm(HotlineStreetForm):
    callback_url = forms.URLField(
        label=_("回传地址"),
        required=False,
        assume_scheme="https",
        help_text=HotlineSetting._meta.get_field("callback_url").help_text,
    )
    callback_secret = forms.CharField(
        label=_("签名密钥"),
        required=False,
        max_length=128,
        widget=forms.PasswordInput(render_value=True),
        help_text=HotlineSetting._meta.get_field("callback_secret").help_text,
    )

    class Meta:
        model = HotlineSetting
        fields = ["street", "callback_url", "callback_secret"]


@admin.register(HotlineSetting)
class HotlineSettingAdmin(_PerUserForm, admin.ModelAdmin):
    """Where a street's status changes go back, and the secret they are signed with; every change audited."""

    form = HotlineSettingForm
    list_display = ["street", "callback_url"]
    list_select_related = ["street"]

    def get_readonly_fields(self, request, obj=None):
        return ["street"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        setting = hotline_setting_save(
            street=obj.street,
            user=request.user,
            callback_url=obj.callback_url,
            callback_secret=form.cleaned_data.get("callback_secret", ""),
        )
        _take(obj, setting)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(HotlineColumn)
class HotlineColumnAdmin(admin.ModelAdmin):
    """The column mapping: which header of the hotline's export holds which field (seeded with the common one)."""

    list_display = ["field", "header", "required"]
    list_editable = ["header", "required"]

    def get_readonly_fields(self, request, obj=None):
        return ["field"] if obj is not None else []

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(HotlineOrder)
class HotlineOrderAdmin(ReadOnlyAdmin):
    """Imported orders, to read; the caller is masked here as in every list."""

    list_display = ["number", "street", "case", "accepted_at", "caller", "phone", "via", "imported_at"]
    list_filter = ["via", "street"]
    list_select_related = ["street", "case"]
    search_fields = ["number", "case__number"]
    exclude = ["caller_name", "caller_phone"]

    @admin.display(description=_("诉求人"))
    def caller(self, obj: HotlineOrder) -> str:
        return mask_name(obj.caller_name)

    @admin.display(description=_("联系电话"))
    def phone(self, obj: HotlineOrder) -> str:
        return mask_phone(obj.caller_phone)


@admin.register(HotlineDelivery)
class HotlineDeliveryAdmin(ReadOnlyAdmin):
    """Status changes sent back to the platform: delivered, or pending with the last error."""

    list_display = ["pk", "order", "created_at", "delivered_at", "attempts", "last_error"]
    list_select_related = ["order"]
    search_fields = ["order__number"]
