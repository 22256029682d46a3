"""The admin of the 12345 hotline connection: keys (issued once, revoked with a reason), the street's callback
setting, the column mapping, and the orders and status deliveries to read (imported from ``cases.admin``)."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from lucun.admin import ReadOnlyAdmin
from lucun.text import mask_name, mask_phone

from ..models import HotlineColumn, HotlineDelivery, HotlineKey, HotlineOrder, HotlineSetting
from ..services import (
    can_manage_hotline,
    hotline_key_change,
    hotline_key_issue,
    hotline_key_revoke,
    hotline_setting_save,
)
from ..street_admin import IssuedKeyAdmin, PerUserFormAdmin, StreetManagedForm, adopt_saved


class HotlineStreetForm(StreetManagedForm):
    can_manage = staticmethod(can_manage_hotline)
    refusal = _("只有该街道街道一级的工作人员(或超级管理员)可以管理它的 12345 设置。")


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


@admin.register(HotlineKey)
class HotlineKeyAdmin(IssuedKeyAdmin):
    form = HotlineKeyForm
    issue = staticmethod(hotline_key_issue)
    revoke = staticmethod(hotline_key_revoke)
    issued_title = _("12345 推送密钥已签发")
    change = staticmethod(hotline_key_change)


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
class HotlineSettingAdmin(PerUserFormAdmin):
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
        adopt_saved(obj, setting)

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
