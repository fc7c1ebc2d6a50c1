"""Who may manage integrations: a person's own API tokens, a program's webhooks (its
coordinators only)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from integrations.models import ApiToken, WebhookEndpoint
from integrations.tokens import api_tokens_allowed
from mentoring.models import User
from programs.access import Need, access_program


def access_api_tokens(user: User) -> User:
    """Coordinators, HR viewers and site admins may keep API tokens; others get 403."""
    if not api_tokens_allowed(user):
        raise PermissionDenied
    return user


def access_api_token(user: User, token_id: int) -> ApiToken:
    """One of the user's own tokens; anyone else's (or none) is a 404."""
    token = ApiToken.objects.filter(owner=user, pk=token_id).first()
    if token is None:
        raise Http404
    return token


def access_webhook_endpoint(user: User, program_id: int, endpoint_id: int) -> WebhookEndpoint:
    """A webhook of a program the user coordinates (404 to outsiders, 403 to members)."""
    access = access_program(user, program_id, need=Need.MANAGE)
    endpoint = WebhookEndpoint.objects.filter(program=access.program, pk=endpoint_id).first()
    if endpoint is None:
        raise Http404
    endpoint.program = access.program
    return endpoint
