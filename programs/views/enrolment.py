"""Joining a program: accepting an invitation, or asking to join with the shareable link."""

from __future__ import annotations

from urllib.parse import urlencode

from allauth.account.adapter import get_adapter
from django.contrib import messages
from django.core import signing
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from mentoring.accounts import sso_required_for
from mentoring.models import User
from programs.access import access_program_join_link
from programs.models import Participant, Program
from programs.services import (
    INVITE_SALT,
    ProgramError,
    invite_token_participant,
    participant_invitation_accept,
    participant_join_by_link,
)

# Programs that take people through the shareable link (participant_join_by_link agrees).
JOINABLE_STATES = (Program.State.ENROLLING, Program.State.MATCHING, Program.State.RUNNING)


def _entrance_urls(next_path: str, *, email: str = "") -> dict[str, str]:
    """Sign-in and sign-up links that come back to ``next_path`` afterwards."""
    signup_query = {"next": next_path}
    if email:
        signup_query = {"email": email, **signup_query}
    return {
        "login_url": f"{reverse('account_login')}?{urlencode({'next': next_path})}",
        "signup_url": f"{reverse('account_signup')}?{urlencode(signup_query)}",
    }


def _after_joining(request: HttpRequest, participant: Participant) -> HttpResponse:
    """Where a new participant goes: their profile for the program, once it is open."""
    program = participant.program
    if program.state == Program.State.DRAFT:
        messages.info(
            request,
            _(
                "Welcome to %(program)s! The program has not opened yet; we will email you "
                "when you can complete your profile."
            )
            % {"program": program.name},
        )
        return redirect("home")
    messages.success(
        request,
        _("Welcome to %(program)s! Complete your profile so we can find you a great match.")
        % {"program": program.name},
    )
    return redirect("programs:participant_profile", program_id=program.pk)


def _invitation_dead(request: HttpRequest, token: str, error: ProgramError) -> HttpResponse:
    # A link we never signed is "not found"; one that was real but is used up, replaced,
    # expired or for a closed program is "gone".
    try:
        signing.loads(token, salt=INVITE_SALT)
        status = 410
    except signing.BadSignature:
        status = 404
    return render(
        request,
        "programs/invitation_invalid.html",
        {"reason": str(error), "status": status},
        status=status,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    try:
        participant = invite_token_participant(token)
    except ProgramError as error:
        return _invitation_dead(request, token, error)
    program = participant.program
    context: dict[str, object] = {
        "participant": participant,
        "program": program,
        "inviter": participant.invited_by,
        "token": token,
    }

    if not request.user.is_authenticated:
        if request.method == "POST":
            return redirect(request.path)
        has_account = (
            participant.user_id is not None
            or User.objects.filter(email__iexact=participant.email).exists()
        )
        if not has_account:
            # The link reached the invited mailbox, which proves the address is theirs:
            # signing up with it needs no separate verification email.
            get_adapter(request).stash_verified_email(request, participant.email)
        context.update(_entrance_urls(request.path, email=participant.email))
        context["has_account"] = has_account
        # Password sign-in and sign-up are refused for these: offer only the SSO button.
        context["sso_only"] = sso_required_for(participant.email)
        return render(request, "programs/invitation_accept.html", context)

    user = request.user
    if participant.user_id is not None and participant.user_id != user.pk:
        context["belongs_to_other"] = True
        return render(request, "programs/invitation_accept.html", context, status=403)
    other_email = user.email.lower() != participant.email.lower()
    context["other_email"] = other_email

    if request.method == "POST":
        if other_email and request.POST.get("confirm_other_email") != "yes":
            context["confirm_error"] = _(
                "Tick the box to join with this account, or sign out and use the invited address."
            )
            return render(request, "programs/invitation_accept.html", context)
        try:
            participant = participant_invitation_accept(token=token, user=user)
        except ProgramError as error:
            return _invitation_dead(request, token, error)
        return _after_joining(request, participant)
    return render(request, "programs/invitation_accept.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def join_by_link(request: HttpRequest, program_id: int, token: str) -> HttpResponse:
    program = access_program_join_link(program_id, token)
    if program is None:
        return render(
            request,
            "programs/join_unavailable.html",
            {
                "reason": _(
                    "This join link is not valid any more. Ask the program's coordinator "
                    "for a new one."
                )
            },
            status=404,
        )
    context: dict[str, object] = {"program": program, "roles": Participant.Role.choices}
    if program.state not in JOINABLE_STATES:
        context["reason"] = _("%(program)s is not taking new participants right now.") % {
            "program": program.name
        }
        return render(request, "programs/join_unavailable.html", context, status=410)

    if not request.user.is_authenticated:
        if request.method == "POST":
            return redirect(request.path)
        context.update(_entrance_urls(request.path))
        return render(request, "programs/join_program.html", context)

    user = request.user
    existing = (
        Participant.objects.filter(program=program)
        .filter(Q(user=user) | Q(email=user.email.lower()))
        .select_related("program")
        .first()
    )
    if existing is not None:
        if existing.status == Participant.Status.APPLIED:
            return render(
                request, "programs/join_pending.html", {"participant": existing, **context}
            )
        if existing.status == Participant.Status.WITHDRAWN:
            context["reason"] = _(
                "You have left %(program)s. Ask its coordinator if you would like to take part "
                "again."
            ) % {"program": program.name}
            return render(request, "programs/join_unavailable.html", context, status=410)
        if existing.status == Participant.Status.INVITED:
            context["invited"] = existing
            return render(request, "programs/join_program.html", context)
        return redirect("programs:participant_profile", program_id=program.pk)

    if request.method == "POST":
        role = request.POST.get("role", "")
        try:
            participant = participant_join_by_link(
                program=program, token=token, user=user, role=role
            )
        except ProgramError as error:
            context["error"] = str(error)
            context["role"] = role
            return render(request, "programs/join_program.html", context)
        if participant.status == Participant.Status.APPLIED:
            return redirect(request.path)
        return _after_joining(request, participant)
    return render(request, "programs/join_program.html", context)
