"""Sign-in safeguards for the people who see the most: two-factor authentication
required of coordinators, HR viewers and site admins (after a grace period to enrol),
and an idle timeout for HR viewers and site admins.

Both are middleware so that no view can forget them. Neither costs a query on an
ordinary request: whether the person has an authenticator is read once at sign-in
(and kept current by allauth's authenticator signals) and remembered in the session.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_htmx.http import HttpResponseClientRedirect

from mentoring.models import User

MFA_SESSION_KEY = "mentoring_mfa_enabled"
ACTIVITY_SESSION_KEY = "mentoring_last_activity_at"
# Writing the session on every request would cost a query each time; a minute of
# slack in the idle clock is harmless.
ACTIVITY_WRITE_EVERY_SECONDS = 60

# Pages a person who must enrol may still open: the two-factor set-up itself (and the
# re-authentication it asks for, by password or at the identity provider), signing out,
# and the health check.
MFA_EXEMPT_URL_NAMES = frozenset(
    {"account_logout", "account_login", "account_reauthenticate", "healthz"}
)
MFA_EXEMPT_URL_PREFIXES = ("mfa_", "sso_", "openid_connect_", "saml_")


def mfa_required(user: Any) -> bool:
    """Coordinators, HR viewers and site admins must sign in with a second factor."""
    return bool(
        getattr(user, "is_authenticated", False)
        and (user.is_coordinator or user.is_hr_viewer or user.is_staff)
    )


def mfa_grace_ends_at(user: User) -> datetime:
    started_at = user.role_granted_at or user.date_joined
    return started_at + timedelta(days=settings.MFA_GRACE_DAYS)


def mfa_overdue(user: Any, *, enabled: bool | None = None) -> bool:
    """The person's role needs a second factor, it is not set up and the grace is over.

    The one rule for pages (``MfaRequiredMiddleware``, where ``enabled`` is what the
    sign-in established, an identity provider's check included) and API tokens (where it
    is an authenticator here: a token outlives any sign-in).
    """
    if not mfa_required(user):
        return False
    if enabled is None:
        enabled = is_mfa_enabled(user)
    if enabled:
        return False
    return bool(mfa_grace_ends_at(user) <= timezone.now())


def idle_timeout_applies(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and (user.is_hr_viewer or user.is_staff))


def session_remember_mfa(request: HttpRequest, *, enabled: bool) -> None:
    request.session[MFA_SESSION_KEY] = enabled


def session_on_login(request: HttpRequest, user: User, *, provider_mfa: bool = False) -> None:
    """At sign-in: remember whether the second factor is satisfied, start the idle clock.

    It is when the person has an authenticator here (allauth asked for it), or when the
    identity provider they signed in through says it checked one in a way its settings
    trust (``provider_mfa``, see ``mentoring.sso.signin.provider_mfa_satisfied``).
    """
    if mfa_required(user):
        session_remember_mfa(request, enabled=provider_mfa or is_mfa_enabled(user))
    request.session[ACTIVITY_SESSION_KEY] = timezone.now().timestamp()


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(url)
    return HttpResponseRedirect(url)


class MfaRequiredMiddleware:
    """Send privileged people without a second factor to set one up, after the grace period.

    Inside the grace period the page shows a banner with the days left
    (``request.mfa_grace_days_left``, read by the ``site`` context processor).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponse],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        user = request.user
        if not (isinstance(user, User) and mfa_required(user)):
            return None
        enabled = request.session.get(MFA_SESSION_KEY)
        if enabled is None:
            # A session from before this safeguard: look once, then remember.
            enabled = is_mfa_enabled(user)
            session_remember_mfa(request, enabled=enabled)
        if not mfa_overdue(user, enabled=enabled):
            if not enabled:
                remaining = mfa_grace_ends_at(user) - timezone.now()
                request.mfa_grace_days_left = math.ceil(remaining / timedelta(days=1))  # type: ignore[attr-defined]
            return None
        match = request.resolver_match
        name = match.url_name if match else None
        if name and (name.startswith(MFA_EXEMPT_URL_PREFIXES) or name in MFA_EXEMPT_URL_NAMES):
            return None
        messages.warning(
            request,
            _(
                "Your role needs two-step sign-in. Set up an authenticator app to continue "
                "using the site."
            ),
        )
        return _redirect(request, reverse("mfa_activate_totp"))


class IdleTimeoutMiddleware:
    """Sign HR viewers and site admins out after a spell without any request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if not idle_timeout_applies(user):
            return self.get_response(request)
        now = timezone.now().timestamp()
        last = request.session.get(ACTIVITY_SESSION_KEY)
        limit = settings.IDLE_TIMEOUT_MINUTES * 60
        if isinstance(last, int | float) and now - last > limit:
            # Read by the audit log's sign-out receiver.
            request.signed_out_idle = True  # type: ignore[attr-defined]
            logout(request)
            messages.info(
                request,
                ngettext(
                    "You were signed out after %(minutes)d minute without activity. "
                    "Please sign in again.",
                    "You were signed out after %(minutes)d minutes without activity. "
                    "Please sign in again.",
                    settings.IDLE_TIMEOUT_MINUTES,
                )
                % {"minutes": settings.IDLE_TIMEOUT_MINUTES},
            )
            login_url = reverse(settings.LOGIN_URL)
            if request.method == "GET" and not getattr(request, "htmx", False):
                login_url += "?" + urlencode({"next": request.get_full_path()})
            return _redirect(request, login_url)
        if not isinstance(last, int | float) or now - last > ACTIVITY_WRITE_EVERY_SECONDS:
            request.session[ACTIVITY_SESSION_KEY] = now
        return self.get_response(request)
