"""Receivers for Django's and allauth's sign-in signals (connected in apps.py)."""

from __future__ import annotations

from typing import Any

from allauth.mfa.signals import authenticator_added, authenticator_removed
from allauth.mfa.utils import is_mfa_enabled
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest

from mentoring.models import User
from mentoring.sessions import session_on_login, session_remember_mfa


@receiver(user_logged_in, dispatch_uid="mentoring.session_on_login")
def _on_login(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        session_on_login(request, user)


@receiver(authenticator_added, dispatch_uid="mentoring.mfa_added")
@receiver(authenticator_removed, dispatch_uid="mentoring.mfa_removed")
def _on_authenticator_change(
    sender: Any, request: HttpRequest | None, user: User, **kwargs: Any
) -> None:
    if request is not None and hasattr(request, "session"):
        session_remember_mfa(request, enabled=is_mfa_enabled(user))
