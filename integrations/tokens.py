"""Personal API tokens: made, listed and revoked by their owner; checked on each call.

A token acts as its owner through the same access helpers as the web pages, and
only within its scopes, so it never has more rights than the person who made it.
The secret is shown once; the database keeps its SHA-256 hash.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Sequence

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from integrations.models import ApiToken
from integrations.webhooks import IntegrationError
from mentoring.models import User

SECRET_PREFIX = "mtk_"  # noqa: S105  # nosec B105 - not a secret: the start of every token
# A busy token records its use at most this often.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)
MAX_TOKENS_PER_PERSON = 50


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def api_tokens_allowed(user: User) -> bool:
    """Coordinators, HR viewers and site admins may make tokens."""
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.is_coordinator or user.is_hr_viewer or user.is_staff)
    )


def api_token_create(
    *,
    owner: User,
    name: str,
    scopes: Sequence[str],
    expires_at: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> tuple[ApiToken, str]:
    """A new token and its secret (shown once, never stored)."""
    now = now or timezone.now()
    if not api_tokens_allowed(owner):
        raise IntegrationError(_("Only coordinators and HR viewers can make API tokens."))
    chosen = [s for s in ApiToken.Scope.values if s in set(scopes)]
    if set(scopes) - set(chosen):
        raise IntegrationError(_("Unknown scope."))
    if not chosen:
        raise IntegrationError(_("Choose at least one scope."))
    if not name.strip():
        raise IntegrationError(_("Give the token a name."))
    if expires_at is not None and expires_at <= now:
        raise IntegrationError(_("The expiry date must be in the future."))
    if api_token_list(owner=owner, now=now).count() >= MAX_TOKENS_PER_PERSON:
        raise IntegrationError(_("Revoke a token you no longer use before making another."))
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        owner=owner,
        name=name.strip()[:100],
        prefix=secret[: len(SECRET_PREFIX) + 6],
        secret_hash=secret_hash(secret),
        scopes=chosen,
        created_at=now,
        expires_at=expires_at,
    )
    return token, secret


def api_token_revoke(*, token: ApiToken, now: dt.datetime | None = None) -> None:
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=now or timezone.now()
    )


def api_token_list(*, owner: User, now: dt.datetime | None = None) -> QuerySet[ApiToken]:
    """The person's tokens that still work, newest first."""
    now = now or timezone.now()
    return (
        ApiToken.objects.filter(owner=owner, revoked_at__isnull=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .order_by("-created_at", "-id")
    )


def api_token_authenticate(secret: str, *, now: dt.datetime | None = None) -> ApiToken | None:
    """The working token with this secret, its owner loaded; None for anything else."""
    if not secret.startswith(SECRET_PREFIX) or len(secret) > 200:
        return None
    now = now or timezone.now()
    token = (
        ApiToken.objects.select_related("owner")
        .filter(secret_hash=secret_hash(secret), revoked_at__isnull=True)
        .first()
    )
    if token is None or (token.expires_at is not None and token.expires_at <= now):
        return None
    # The owner's rights today, not when the token was made.
    if not api_tokens_allowed(token.owner):
        return None
    if token.last_used_at is None or token.last_used_at < now - LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
