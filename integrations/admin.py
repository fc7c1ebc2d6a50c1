from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from integrations.models import ApiToken, ChatChannel, WebhookDelivery, WebhookEndpoint


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are made by their owners (the secret is never stored); admins may see and
    revoke them (set "revoked at")."""

    list_display = ("name", "prefix", "owner", "created_at", "last_used_at", "revoked_at")
    list_select_related = ("owner",)
    search_fields = ("name", "prefix", "owner__email")
    readonly_fields = (
        "owner",
        "name",
        "prefix",
        "secret_hash",
        "scopes",
        "created_at",
        "last_used_at",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ("url", "program", "is_active", "created_at")
    list_filter = ("is_active",)
    list_select_related = ("program",)
    raw_id_fields = ("program", "created_by")
    exclude = ("secret",)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    """The delivery log, read-only; coordinators replay from the program's page."""

    list_display = ("event", "endpoint", "status", "attempts", "response_code", "created_at")
    list_filter = ("status", "event")
    list_select_related = ("endpoint",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in WebhookDelivery._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(ChatChannel)
class ChatChannelAdmin(admin.ModelAdmin):
    list_display = ("program", "kind", "name", "is_active")
    list_filter = ("kind", "is_active")
    list_select_related = ("program",)
    raw_id_fields = ("program",)
