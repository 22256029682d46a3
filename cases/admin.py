from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers
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
    open311_key_issue,
    open311_key_revoke,
    open311_setting_save,
    tier_make_default,
)


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


def _take(obj, saved) -> None:
    """Make the admin's unsaved ``obj`` the row a service saved, so the admin logs and links the right one."""
    for field in type(saved)._meta.concrete_fields:
        setattr(obj, field.attname, getattr(saved, field.attname))
    obj._state.adding = False
    obj._state.db = saved._state.db


class StreetManagerForm(forms.ModelForm):
    """A form that refuses a street the signed-in user does not manage (the services refuse it too)."""

    user = None  # set per request by the admin's get_form

    def clean(self):
        data = super().clean()
        street = data.get("street") or getattr(self.instance, "street", None)
        if street is not None and not can_manage_open311(self.user, street):
            raise forms.ValidationError(_("只有该街道街道一级的工作人员(或超级管理员)可以管理它的 Open311 设置。"))
        return data


class Open311KeyForm(StreetManagerForm):
    revoke_reason = forms.CharField(
        label=_("吊销原因"),
        required=False,
        max_length=200,
        help_text=_("填写后保存即吊销此密钥:使用它的 App 不能再提交,它的反馈渠道一并停用。吊销不能撤回。"),
    )

    class Meta:
        model = Open311Key
        fields = ["street", "name", "hourly_limit"]

    def clean_hourly_limit(self) -> int:
        limit = self.cleaned_data["hourly_limit"]
        if limit < 1:
            raise forms.ValidationError(_("每小时提交上限至少为 1。"))
        return limit


@admin.register(Open311Key)
class Open311KeyAdmin(admin.ModelAdmin):
    """Issue a key (shown once, only its hash kept), change its name or limit, revoke it with a reason."""

    form = Open311KeyForm
    list_display = ["name", "street", "prefix", "hourly_limit", "is_active", "created_at", "revoked_at"]
    list_filter = ["is_active", "street"]
    list_select_related = ["street"]
    search_fields = ["name", "prefix"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["street", "name", "hourly_limit"]
        fields = ["street", "name", "hourly_limit", "prefix", "channel", "is_active", "created_by", "created_at"]
        if obj.is_active:
            return [*fields, "revoke_reason"]
        return [*fields, "revoked_by", "revoked_at", "revoked_reason"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        fields = ["street", "prefix", "channel", "is_active", "created_by", "created_at"]
        if not obj.is_active:
            fields += ["name", "hourly_limit", "revoked_by", "revoked_at", "revoked_reason"]
        return fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    def save_model(self, request, obj, form, change):
        if not change:
            key, secret = open311_key_issue(
                street=obj.street, name=obj.name, hourly_limit=obj.hourly_limit, user=request.user
            )
            _take(obj, key)
            request.open311_secret = secret  # shown once by response_add, stored nowhere
            return
        if form.changed_data and set(form.changed_data) - {"revoke_reason"}:
            obj.save(update_fields=["name", "hourly_limit"])
        if form.cleaned_data.get("revoke_reason"):
            _take(obj, open311_key_revoke(key=obj, user=request.user, reason=form.cleaned_data["revoke_reason"]))

    def response_add(self, request, obj, post_url_continue=None):
        secret = getattr(request, "open311_secret", None)
        if secret is None:
            return super().response_add(request, obj, post_url_continue)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("API 密钥已签发"),
            "key": obj,
            "secret": secret,
        }
        response = TemplateResponse(request, "admin/cases/open311key/issued.html", context)
        add_never_cache_headers(response)
        return response

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class Open311SettingForm(StreetManagerForm):
    class Meta:
        model = Open311Setting
        fields = ["street", "public_listing", "service_notice"]


@admin.register(Open311Setting)
class Open311SettingAdmin(admin.ModelAdmin):
    """A street's switch for the public list (off until turned on here) and its notice; every change audited."""

    form = Open311SettingForm
    list_display = ["street", "public_listing", "service_notice"]
    list_select_related = ["street"]

    def get_readonly_fields(self, request, obj=None):
        return ["street"] if obj is not None else []

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    def save_model(self, request, obj, form, change):
        setting = open311_setting_save(
            street=obj.street,
            user=request.user,
            public_listing=obj.public_listing,
            service_notice=obj.service_notice,
        )
        _take(obj, setting)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


from .hotline import admin as hotline_admin  # noqa: E402, F401  (registers the 12345 models)
