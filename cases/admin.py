from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from lucun.admin import ConfigRowAdmin, ReadOnlyAdmin

from .models import (
    ApprovalRule,
    Bulletin,
    BulletinItem,
    BulletinReader,
    Category,
    ConductKind,
    Feedback,
    FeedbackChannel,
    FeedbackPhoto,
    Open311Key,
    Open311Setting,
    Tier,
)
from .services import (
    can_manage_open311,
    open311_key_change,
    open311_key_issue,
    open311_key_revoke,
    open311_setting_save,
    tier_make_default,
)
from .street_admin import IssuedKeyAdmin, PerUserFormAdmin, StreetManagedForm, adopt_saved


@admin.register(Category)
class CategoryAdmin(ConfigRowAdmin):
    list_display = ["name", "code", "sort_order", "is_active"]
    list_editable = ["sort_order", "is_active"]


@admin.register(Tier)
class TierAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "code",
        "rank",
        "time_limit",
        "warn_before",
        "notice_after_red",
        "first_contact_limit",
        "is_default",
    ]
    actions = ["make_default"]

    @admin.action(description=_("设为默认层级"))
    def make_default(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("请只选择一个层级。"), level=messages.WARNING)
            return
        tier = tier_make_default(tier=queryset.get())
        self.log_change(request, tier, [{"changed": {"fields": ["is_default"]}}])
        self.message_user(request, _("“%(name)s”已设为默认层级。") % {"name": tier.display_name})


@admin.register(ApprovalRule)
class ApprovalRuleAdmin(ConfigRowAdmin):
    """Who approves extensions and returns (审批权限); a change that leaves a request without an approver is refused.

    Rows are switched off rather than deleted, so switching one off is checked like any other change.
    """

    list_display = ["name", "kind", "tier", "up_to_days", "approver_role", "escalate_after", "escalate_to", "is_active"]
    list_filter = ["kind", "tier", "is_active"]
    list_select_related = ["tier"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ConductKind)
class ConductKindAdmin(ConfigRowAdmin):
    list_display = ["name", "sort_order", "is_active"]
    list_editable = ["sort_order", "is_active"]


@admin.register(BulletinReader)
class BulletinReaderAdmin(admin.ModelAdmin):
    """Which positions read the 通报 of the streets they work in (supervisors and street leaders always do)."""

    list_display = ["role", "is_active"]
    list_editable = ["is_active"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # switched off, never deleted, like every row of configuration


class BulletinItemInline(admin.TabularInline):
    model = BulletinItem
    extra = 0
    can_delete = False
    fields = ["violation", "handling", "sort_order"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Bulletin)
class BulletinAdmin(ReadOnlyAdmin):
    """通报 are drafted and published on their pages (audited); a published one is never changed."""

    list_display = ["title", "street", "state", "year", "serial", "period_from", "period_to", "published_at"]
    list_filter = ["state", "street"]
    search_fields = ["title"]
    list_select_related = ["street"]
    inlines = [BulletinItemInline]


@admin.register(FeedbackChannel)
class FeedbackChannelAdmin(admin.ModelAdmin):
    """Channels are created and stopped through the pages (audited); here they are read and relabelled."""

    list_display = ["label", "kind", "street", "community", "is_active", "created_at"]
    list_filter = ["kind", "is_active", "street"]
    search_fields = ["label"]
    readonly_fields = [
        "token",
        "kind",
        "street",
        "community",
        "is_active",
        "deactivated_at",
        "deactivated_reason",
        "created_by",
        "created_at",
    ]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class FeedbackPhotoInline(admin.TabularInline):
    model = FeedbackPhoto
    extra = 0
    can_delete = False
    readonly_fields = ["image", "width", "height", "size"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    """Read-only: every decision on a message goes through the triage services, which audit it."""

    list_display = ["pk", "received_at", "community", "category", "channel", "state"]
    list_filter = ["state", "community", "channel__kind"]
    inlines = [FeedbackPhotoInline]
    exclude = ["submit_key", "lookup_code"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields if f.name not in ("submit_key", "lookup_code")]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


# --- Open311 ------------------------------------------------------------------------------------------------


class Open311StreetForm(StreetManagedForm):
    can_manage = staticmethod(can_manage_open311)
    refusal = _("只有该街道街道一级的工作人员(或超级管理员)可以管理它的 Open311 设置。")


class Open311KeyForm(Open311StreetForm):
    revoke_reason = forms.CharField(
        label=_("吊销原因"),
        required=False,
        max_length=200,
        help_text=_("填写后保存即吊销此密钥:使用它的 App 不能再提交,它的反馈渠道一并停用。吊销不能撤回。"),
    )

    class Meta:
        model = Open311Key
        fields = ["street", "name", "hourly_limit", "limit_each_address"]

    def clean_hourly_limit(self) -> int:
        limit = self.cleaned_data["hourly_limit"]
        if limit < 1:
            raise forms.ValidationError(_("每小时提交上限至少为 1。"))
        return limit


@admin.register(Open311Key)
class Open311KeyAdmin(IssuedKeyAdmin):
    form = Open311KeyForm
    issue = staticmethod(open311_key_issue)
    revoke = staticmethod(open311_key_revoke)
    issued_title = _("API 密钥已签发")
    kind_fields = ["channel"]
    kind_settings = ["limit_each_address"]
    change = staticmethod(open311_key_change)


class Open311SettingForm(Open311StreetForm):
    class Meta:
        model = Open311Setting
        fields = ["street", "public_listing", "service_notice"]


@admin.register(Open311Setting)
class Open311SettingAdmin(PerUserFormAdmin):
    """A street's switch for the public list (off until turned on here) and its notice; every change audited."""

    form = Open311SettingForm
    list_display = ["street", "public_listing", "service_notice"]
    list_select_related = ["street"]

    def get_readonly_fields(self, request, obj=None):
        return ["street"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        setting = open311_setting_save(
            street=obj.street,
            user=request.user,
            public_listing=obj.public_listing,
            service_notice=obj.service_notice,
        )
        adopt_saved(obj, setting)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


from .hotline import admin as hotline_admin  # noqa: E402, F401  (registers the 12345 models)
