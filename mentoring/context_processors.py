from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, Any]:
    return {
        "SITE_NAME": settings.SITE_NAME,
        # Days left to set up two-step sign-in (set by MfaRequiredMiddleware), else None.
        "mfa_grace_days_left": getattr(request, "mfa_grace_days_left", None),
    }
