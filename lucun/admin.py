from axes import admin as axes_admin
from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt, AccessFailureLog
from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .errors import error_message
from .handover.services import position_end_check
from .login_limits.services import login_lock_clear
from .models import (
    AuditEvent,
    Community,
    County,
    Grid,
    Notification,
    NotificationDelivery,
    OutboxMessage,
    Position,
    SmsMessage,
    Street,
    User,
)


class ConfigRowAdmin(admin.ModelAdmin):
    """A configuration row's form: its name, what is its own, then the shared description, order and switch.

    The shared fields come from ``ConfigRow`` and would otherwise lead the form, ahead of the row's own.
    """

    def get_fields(self, request, obj=None):
        if self.fields:
            return self.fields
        fields = list(super().get_fields(request, obj))
        shared = [f for f in ("description", "sort_order", "is_active") if f in fields]
        first = [f for f in ("name",) if f in fields]
        return [*first, *(f for f in fields if f not in first and f not in shared), *shared]


class PositionForm(forms.ModelForm):
    """Ending a position here obeys the hand-over rule too: refused while its holder keeps work nobody was given."""

    class Meta:
        model = Position
        fields = "__all__"  # noqa: DJ007 - the admin lists its fields itself

    def clean(self):
        cleaned = super().clean()
        ended_on = cleaned.get("ended_on")
        if self.instance.pk and ended_on and ended_on != self.instance.ended_on:
            try:
                position_end_check(position=self.instance)
            except ValidationError as exc:
                raise ValidationError(error_message(exc)) from exc
        return cleaned


class PositionInline(admin.TabularInline):
    model = Position
    form = PositionForm
    extra = 0
    autocomplete_fields = ["county", "street", "community", "grid"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "real_name", "phone", "is_active", "is_staff"]
    search_fields = ["username", "real_name", "phone"]
    fieldsets = (*BaseUserAdmin.fieldsets, (_("联系方式"), {"fields": ["real_name", "phone"]}))
    add_fieldsets = (*BaseUserAdmin.add_fieldsets, (_("联系方式"), {"fields": ["real_name", "phone"]}))
    inlines = [PositionInline]


@admin.register(County)
class CountyAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name"]


@admin.register(Street)
class StreetAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "county", "hotline"]
    search_fields = ["name", "code"]


class GridInline(admin.TabularInline):
    model = Grid
    extra = 0


@admin.register(Community)
class CommunityAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "street", "sort_order"]
    list_filter = ["street", "kind"]
    search_fields = ["name"]
    inlines = [GridInline]


@admin.register(Grid)
class GridAdmin(admin.ModelAdmin):
    list_display = ["name", "community"]
    list_filter = ["community__street"]
    search_fields = ["name", "community__name"]
    list_select_related = ["community"]


@admin.register(Position)
class PositionAdmin(admin.ModelAdmin):
    form = PositionForm
    list_display = ["user", "role", "title", "county", "street", "community", "grid", "started_on", "ended_on"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__real_name", "title"]
    autocomplete_fields = ["user", "county", "street", "community", "grid"]
    list_select_related = ["user", "county", "street", "community", "grid__community"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """History is never rewritten: these rows can be read, never added, changed or deleted here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "actor", "action", "object_repr", "community", "summary"]
    list_filter = ["action", "community"]
    search_fields = ["object_repr", "summary", "actor__username", "actor__real_name"]
    list_select_related = ["actor", "community"]
    date_hierarchy = "created_at"


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "recipient", "level", "title", "read_at"]
    list_filter = ["level"]
    search_fields = ["title", "recipient__username"]
    list_select_related = ["recipient"]


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "task_name", "sent_at", "attempts", "last_error"]
    list_filter = ["task_name"]


@admin.register(SmsMessage)
class SmsMessageAdmin(ReadOnlyAdmin):
    """The SMS outbox: what waits (quiet hours, the hourly limit, a provider down), what went, what was dropped."""

    list_display = ["id", "__str__", "created_at", "not_before", "sent_at", "attempts", "dropped_at", "last_error"]
    list_filter = ["kind", ("sent_at", admin.EmptyFieldListFilter), ("dropped_at", admin.EmptyFieldListFilter)]
    search_fields = ["=phone", "=dedupe_key"]
    exclude = ["params"]  # a villager's lookup code is theirs


# Sign-in limits (django-axes): failure records and the locks they make. Failure logs are not kept (off in settings).
admin.site.unregister(AccessAttempt)
admin.site.unregister(AccessFailureLog)


@admin.register(AccessAttempt)
class AccessAttemptAdmin(axes_admin.AccessAttemptAdmin):
    """Recent sign-in failures per name and address; deleting a record lifts the lock it makes, with an audit record."""

    @admin.action(description=_("清理已过期的失败记录"))
    def cleanup_expired_attempts(self, request, queryset):
        AxesProxyHandler.update_request(request)  # the cool-off is counted back from this request's time
        count = AxesProxyHandler.get_implementation().clean_expired_user_attempts(request=request)
        self.message_user(request, _("已清理 %(count)d 条过期的失败记录。") % {"count": count})

    def delete_model(self, request, obj):
        login_lock_clear(actor=request.user, attempts=AccessAttempt.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        login_lock_clear(actor=request.user, attempts=queryset)


@admin.register(NotificationDelivery)
class NotificationDeliveryAdmin(ReadOnlyAdmin):
    list_display = ["id", "notification", "channel", "delivered_at", "claimed_at", "attempts", "last_error"]
    list_filter = [("delivered_at", admin.EmptyFieldListFilter)]  # not delivered yet: released or claimed
    search_fields = ["notification__title", "notification__recipient__username", "=channel"]
    list_select_related = ["notification"]
