"""A program's participants, for its coordinators only.

HR viewers and site admins see aggregates on the overview, never this list (403);
participants cannot open it either (403); anyone else gets a 404.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from mentoring.http import AuthenticatedHttpRequest, login_required
from programs import selectors, services
from programs.access import Need, access_participant, access_program
from programs.forms import InviteForm, ParticipantFilterForm, ParticipantStatusForm
from programs.models import Participant, Program
from programs.services import ProgramError

PARTICIPANTS_PER_PAGE = 50

Status = Participant.Status

# What a coordinator's button does, by target status (the service checks the move).
STATUS_MESSAGES: dict[str, Any] = {
    Status.ACTIVE: gettext_lazy("%(name)s is active."),
    Status.PAUSED: gettext_lazy("%(name)s is paused."),
    Status.WITHDRAWN: gettext_lazy("%(name)s is withdrawn from the program."),
}


def _table_context(program: Program, params: QueryDict) -> dict[str, Any]:
    """The filtered, paginated table: a fixed number of queries whatever its size."""
    form = ParticipantFilterForm(params)
    filters = form.filters()
    participants = selectors.participant_list(
        program=program,
        role=filters.get("role", ""),
        status=filters.get("status", ""),
        profile=filters.get("profile", ""),
        search=filters.get("q", ""),
    )
    page = Paginator(participants, PARTICIPANTS_PER_PAGE).get_page(params.get("page"))
    query = params.copy()
    query.pop("page", None)
    list_url = reverse("programs:participant_list", args=[program.pk])
    here = params.urlencode()
    return {
        "program": program,
        "filter_form": form,
        "filtered": bool(filters),
        "page": page,
        "query": query,
        "list_url": list_url,
        "here": f"{list_url}?{here}" if here else list_url,
    }


@login_required
@require_safe
def participant_list(request: AuthenticatedHttpRequest, program_id: int) -> HttpResponse:
    access = access_program(request.user, program_id, need=Need.MANAGE)
    program = access.program
    context = {**_table_context(program, request.GET), "access": access}
    if request.htmx:
        return render(request, "programs/participant_list.html#table", context)
    context["totals"] = selectors.participant_totals(program=program)
    return render(request, "programs/participant_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def participant_invite(request: AuthenticatedHttpRequest, program_id: int) -> HttpResponse:
    access = access_program(request.user, program_id, need=Need.MANAGE)
    program = access.program
    form = InviteForm(request.POST or None, program=program)
    if request.method == "POST" and form.is_valid():
        try:
            invited = services.participants_invite(
                program=program, invitees=form.invitees(), by=request.user
            )
        except ProgramError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)s person is invited; their invitation is on its way.",
                    "%(count)s people are invited; their invitations are on their way.",
                    len(invited),
                )
                % {"count": len(invited)},
            )
            return redirect("programs:participant_list", program.pk)
    context = {
        "access": access,
        "program": program,
        "form": form,
        "is_closed": program.state == Program.State.CLOSED,
    }
    return render(request, "programs/participant_invite.html", context)


@login_required
@require_POST
def profile_reminders_send(request: AuthenticatedHttpRequest, program_id: int) -> HttpResponse:
    access = access_program(request.user, program_id, need=Need.MANAGE)
    try:
        count = services.profile_reminders_queue(program=access.program)
    except ProgramError as error:
        messages.error(request, str(error))
    else:
        if count:
            messages.success(
                request,
                ngettext(
                    "A reminder is on its way to %(count)s person who has not completed "
                    "their profile.",
                    "A reminder is on its way to %(count)s people who have not completed "
                    "their profile.",
                    count,
                )
                % {"count": count},
            )
        else:
            messages.info(
                request,
                _(
                    "No one to remind: every active participant has completed their profile "
                    "or had a reminder in the last 24 hours."
                ),
            )
    return redirect(_back(request, access.program))


def _back(request: HttpRequest, program: Program) -> str:
    """Where a row action returns to: the list as it was filtered, if that is safe."""
    target = request.POST.get("next", "")
    list_url = reverse("programs:participant_list", args=[program.pk])
    if (
        target
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        and urlsplit(target).path == list_url
    ):
        return target
    return list_url


def _row_action_response(request: AuthenticatedHttpRequest, program: Program) -> HttpResponse:
    """Redirect back to the list; an htmx request gets the refreshed table instead."""
    back = _back(request, program)
    if not request.htmx:
        return redirect(back)
    params = QueryDict(urlsplit(back).query)
    context = {**_table_context(program, params), "is_htmx": True}
    return render(request, "programs/participant_list.html#table", context)


@login_required
@require_POST
def participant_status(
    request: AuthenticatedHttpRequest, program_id: int, participant_id: int
) -> HttpResponse:
    participant = access_participant(request.user, program_id, participant_id, need=Need.MANAGE)
    form = ParticipantStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a status."))
        return _row_action_response(request, participant.program)
    status = form.cleaned_data["status"]
    try:
        services.participant_status_set(participant=participant, status=status, by=request.user)
    except ProgramError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, str(STATUS_MESSAGES[status]) % {"name": participant.display_name})
    return _row_action_response(request, participant.program)


@login_required
@require_POST
def participant_resend(
    request: AuthenticatedHttpRequest, program_id: int, participant_id: int
) -> HttpResponse:
    participant = access_participant(request.user, program_id, participant_id, need=Need.MANAGE)
    try:
        services.participant_invitation_resend(participant=participant, by=request.user)
    except ProgramError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("A new invitation is on its way to %(email)s; the old link no longer works.")
            % {"email": participant.email},
        )
    return _row_action_response(request, participant.program)
