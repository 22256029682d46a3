from django.contrib import admin

from lucun.admin import ConfigRowAdmin

from .models import (
    LedgerEntry,
    PointsAccount,
    PointsPolicy,
    Redemption,
    RedemptionLine,
    RedemptionWindow,
    Reward,
    ServiceClaim,
    ServiceCorps,
    ServiceType,
    Volunteer,
)


@admin.register(PointsPolicy)
class PointsPolicyAdmin(admin.ModelAdmin):
    list_display = ["__str__", "expiry_enabled", "expiry_quarters", "window_month_in_quarter", "hour_value_yuan"]

    def has_add_permission(self, request):
        return not PointsPolicy.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ServiceCorps)
class ServiceCorpsAdmin(ConfigRowAdmin):
    list_display = ["name", "description", "sort_order", "is_active"]
    list_editable = ["sort_order", "is_active"]


@admin.register(ServiceType)
class ServiceTypeAdmin(ConfigRowAdmin):
    list_display = [
        "name",
        "unit",
        "points_per_unit",
        "monthly_cap",
        "evidence_required",
        "hours_per_unit",
        "sort_order",
        "is_active",
    ]
    list_editable = ["points_per_unit", "monthly_cap", "evidence_required", "sort_order", "is_active"]


@admin.register(RedemptionWindow)
class RedemptionWindowAdmin(admin.ModelAdmin):
    list_display = ["__str__", "community", "opens_on", "closes_on", "note"]
    list_filter = ["community"]


@admin.register(Volunteer)
class VolunteerAdmin(admin.ModelAdmin):
    list_display = ["name", "community", "joined_on", "active"]
    list_filter = ["community", "active", "corps"]
    search_fields = ["name"]
    filter_horizontal = ["corps"]
    # The household link is set on the volunteer pages or the API, whose service checks the member's community.
    readonly_fields = ["token_issued_at", "member"]


@admin.register(Reward)
class RewardAdmin(ConfigRowAdmin):
    list_display = ["name", "community", "shop_name", "kind", "price_points", "stock", "is_active"]
    list_filter = ["community", "kind", "is_active"]
    search_fields = ["name"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """History: visible in the admin, changed only through the services (reversals, not edits)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ServiceClaim)
class ServiceClaimAdmin(ReadOnlyAdmin):
    list_display = ["volunteer", "community", "service_type", "service_date", "points", "status", "via"]
    list_filter = ["status", "via", "community", "service_type"]
    list_select_related = ["volunteer", "community", "service_type"]


@admin.register(PointsAccount)
class PointsAccountAdmin(ReadOnlyAdmin):
    list_display = ["volunteer", "community", "balance", "updated_at"]
    list_select_related = ["volunteer", "community"]


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "account", "kind", "points", "balance_after", "note"]
    list_filter = ["kind", "community"]
    list_select_related = ["account__volunteer"]


class RedemptionLineInline(admin.TabularInline):
    model = RedemptionLine
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Redemption)
class RedemptionAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "community", "total_points", "created_at", "cancelled_at"]
    list_select_related = ["volunteer", "community"]
    inlines = [RedemptionLineInline]
