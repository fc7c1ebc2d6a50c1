from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from mentoring.models import Delivery, Heartbeat, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ("email",)
    list_display = ("email", "full_name", "is_coordinator", "is_hr_viewer", "is_staff", "is_active")
    list_filter = ("is_staff", "is_hr_viewer", "is_coordinator", "is_active")
    search_fields = ("email", "full_name", "preferred_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Person"), {"fields": ("full_name", "preferred_name", "time_zone")}),
        (_("Site roles"), {"fields": ("is_active", "is_coordinator", "is_hr_viewer", "is_staff")}),
        (
            _("Permissions"),
            {"classes": ("collapse",), "fields": ("is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "full_name", "password1", "password2")}),
    )
    readonly_fields = ("last_login", "date_joined")


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin):
    list_display = ("name", "beat_at", "count")
    readonly_fields = ("name", "beat_at", "count")


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """Read-only record of each once-only message the workers sent."""

    list_display = ("kind", "key", "sent_at")
    list_filter = ("kind",)
    search_fields = ("key",)
    readonly_fields = ("kind", "key", "sent_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
