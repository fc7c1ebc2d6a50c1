"""The Content-Security-Policy's form-action extended to the configured providers."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from mentoring.sso.origins import configured_provider_origins


class SsoFormActionMiddleware:
    """Allow form navigation to the configured identity providers, and nowhere else.

    Sits after Django's CSP middleware in MIDDLEWARE, so it sees the response first and
    hands it an extended policy (the attribute ``csp_override`` sets for one view).
    """

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response: HttpResponse = self.get_response(request)
        policy: dict[str, Any] = dict(settings.SECURE_CSP or {})
        origins = configured_provider_origins()
        if policy and origins and not hasattr(response, "_csp_config"):
            form_action = [*policy.get("form-action", []), *origins]
            response._csp_config = {**policy, "form-action": form_action}  # type: ignore[attr-defined]
        return response
