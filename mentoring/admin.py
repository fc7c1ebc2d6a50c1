from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mentoring.audit import Action, audit_record
from mentoring.models import AuditEvent, Delivery, Heartbeat, User

# Site roles that need two-step sign-in (mentoring.sessions.mfa_required).
ROLE_FIELDS = ("is_coordinator", "is_hr_viewer", "is_staff")


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
        (_("Dates"), {"fields": ("last_login", "date_joined", "role_granted_at")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "full_name", "password1", "password2")}),
    )
    readonly_fields = ("last_login", "date_joined", "role_granted_at")

    def save_model(
        self, request: HttpRequest, obj: User, form: ModelForm[Any], change: bool
    ) -> None:
        granted = [
            name
            for name in ROLE_FIELDS
            if getattr(obj, name) and (not change or name in form.changed_data)
        ]
        if granted:
            # A new role starts a fresh grace period to set up two-step sign-in.
            obj.role_granted_at = timezone.now()
        changed = [
            name
            for name in (*ROLE_FIELDS, "is_superuser", "is_active")
            if name in form.changed_data
        ]
        super().save_model(request, obj, form, change)
        if changed:
            audit_record(
                action=Action.ROLE_CHANGE,
                request=request,
                target=obj,
                detail={
                    "granted": [name for name in changed if getattr(obj, name)],
                    "revoked": [name for name in changed if not getattr(obj, name)],
                },
            )


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


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit log is append-only, for everyone including superusers."""

    list_display = ("at", "action", "actor_email", "target_type", "target_id", "ip")
    list_filter = ("action",)
    search_fields = ("actor_email", "target_id")
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
