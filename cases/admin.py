from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from lucun.admin import ConfigRowAdmin, ReadOnlyAdmin

from .models import (
    Bulletin,
    BulletinItem,
    BulletinReader,
    Category,
    ConductKind,
    Feedback,
    FeedbackChannel,
    FeedbackPhoto,
    Tier,
)
from .services import tier_make_default


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
        self.message_user(request, _("“%(name)s”已设为默认层级。") % {"name": tier.name})


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
