"""The platform's own pages: health for load balancers and monitoring."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from mentoring import health


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """Machine-readable health for load balancers and monitoring (public, no secrets)."""
    healthy, checks = health.run_checks()
    body = {
        "status": "ok" if healthy else "unhealthy",
        "checked_at": timezone.now().isoformat(),
        "checks": checks,
    }
    return JsonResponse(body, status=200 if healthy else 503)
