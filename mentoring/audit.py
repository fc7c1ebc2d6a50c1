"""Record security-relevant events in the append-only audit log (AuditEvent)."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import get_adapter
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import models
from django.http import HttpRequest

from mentoring.models import AuditEvent, User

Action = AuditEvent.Action


def _client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    try:
        # allauth's reading honours TRUSTED_PROXY_COUNT / TRUSTED_CLIENT_IP_HEADER.
        return str(get_adapter(request).get_client_ip(request))
    except (ImproperlyConfigured, PermissionDenied):
        # No address, or a forwarded header shorter than the trusted proxy count.
        return None


def audit_record(
    *,
    action: AuditEvent.Action,
    actor: Any = None,
    actor_email: str = "",
    request: HttpRequest | None = None,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Write one audit row. ``detail`` must hold ids and counts, never private content."""
    if actor is None and request is not None:
        actor = getattr(request, "user", None)
    user = actor if isinstance(actor, User) and actor.pk else None
    return AuditEvent.objects.create(
        action=action,
        actor=user,
        actor_email=(user.email if user else actor_email)[:254],
        target_type=target._meta.label_lower if target is not None else target_type,
        target_id=str(target.pk) if target is not None else target_id,
        detail=detail or {},
        ip=_client_ip(request),
    )
