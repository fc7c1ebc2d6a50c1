"""Receivers for Django's and allauth's sign-in signals and the admin's change log
(connected in apps.py): they keep the session safeguards current and write the audit log.
"""

from __future__ import annotations

from typing import Any

from allauth.account.signals import user_logged_in as allauth_user_logged_in
from allauth.mfa.signals import authenticator_added, authenticator_removed
from allauth.mfa.utils import is_mfa_enabled
from django.contrib.admin.models import LogEntry
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.http import HttpRequest

from mentoring.audit import Action, audit_record
from mentoring.models import User
from mentoring.sessions import session_on_login, session_remember_mfa
from mentoring.sso.signin import provider_mfa_satisfied, session_on_sso_login


@receiver(user_logged_in, dispatch_uid="mentoring.on_login")
def _on_login(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        session_on_login(request, user)
    audit_record(action=Action.SIGN_IN, actor=user, request=request)


@receiver(allauth_user_logged_in, dispatch_uid="mentoring.on_sso_login")
def _on_allauth_login(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    # allauth's own signal, right after Django's, carries the SocialLogin of a sign-in
    # through the identity provider.
    sociallogin = kwargs.get("sociallogin")
    if sociallogin is None or not hasattr(request, "session"):
        return
    session_on_sso_login(request, sociallogin)
    if provider_mfa_satisfied(sociallogin):
        session_on_login(request, user, provider_mfa=True)


@receiver(user_login_failed, dispatch_uid="mentoring.on_login_failed")
def _on_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    # Django has already replaced the password in credentials; keep only the address typed.
    typed = credentials.get("email") or credentials.get("username") or ""
    audit_record(action=Action.SIGN_IN_FAILED, actor=None, actor_email=str(typed), request=request)


@receiver(user_logged_out, dispatch_uid="mentoring.on_logout")
def _on_logout(sender: Any, request: HttpRequest | None, user: User | None, **kwargs: Any) -> None:
    if user is not None:
        idle = bool(request is not None and getattr(request, "signed_out_idle", False))
        audit_record(
            action=Action.SIGN_OUT_IDLE if idle else Action.SIGN_OUT, actor=user, request=request
        )


@receiver(authenticator_added, dispatch_uid="mentoring.mfa_added")
@receiver(authenticator_removed, dispatch_uid="mentoring.mfa_removed")
def _on_authenticator_change(
    sender: Any, request: HttpRequest | None, user: User, **kwargs: Any
) -> None:
    enabled = is_mfa_enabled(user)
    if request is not None and hasattr(request, "session"):
        session_remember_mfa(request, enabled=enabled)
    authenticator = kwargs.get("authenticator")
    audit_record(
        action=Action.MFA_ENABLED if enabled else Action.MFA_DISABLED,
        actor=user,
        request=request,
        detail={"type": str(getattr(authenticator, "type", ""))},
    )


@receiver(post_save, sender=LogEntry, dispatch_uid="mentoring.admin_action")
def _on_admin_action(sender: Any, instance: LogEntry, created: bool, **kwargs: Any) -> None:
    if not created:
        return
    flag = {1: "addition", 2: "change", 3: "deletion"}.get(instance.action_flag, "other")
    model = instance.content_type.model_class() if instance.content_type else None
    audit_record(
        action=Action.ADMIN_ACTION,
        actor=instance.user,
        target_type=model._meta.label_lower if model else "",
        target_id=str(instance.object_id or "")[:64],
        detail={
            "flag": flag,
            # Field names only, never values.
            "changed": instance.get_change_message() if flag == "change" else "",
        },
    )
