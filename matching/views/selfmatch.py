"""Self-match pages: a mentee's "Find a mentor" and "My requests", a mentor's
"Requests to you", and the coordinator's self-match settings.

Each view fetches through an access helper (outsiders 404, members without the
role 403), calls a service in matching.selfmatch and renders or redirects.
"""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from matching import selfmatch
from matching.access import access_match_request, access_self_match
from matching.models import MatchRequest
from mentoring.http import AuthenticatedHttpRequest, login_required
from programs.access import Need, access_program
from programs.models import Participant, Program

Role = Participant.Role


@login_required
@require_http_methods(["GET", "POST"])
def selfmatch_find(request: AuthenticatedHttpRequest, program_id: int) -> HttpResponse:
    """Recommended mentors, best first, with the reasons; choose up to N and send."""
    access = access_self_match(request.user, program_id, role=Role.MENTEE)
    program = access.program
    mentee = cast(Participant, access.participant)
    match_settings = selfmatch.settings_get(program)
    has_mentor = selfmatch.mentee_has_mentor(mentee)
    has_open = MatchRequest.objects.filter(mentee=mentee, state__in=selfmatch.OPEN_STATES).exists()
    can_choose = match_settings.self_match and not has_mentor and not has_open
    recommendations = selfmatch.recommended_mentors(program, mentee) if can_choose else []
    form = selfmatch.RequestForm(
        request.POST or None,
        choices=recommendations,
        limit=match_settings.self_match_max_requests,
    )
    if request.method == "POST" and can_choose and form.is_valid():
        try:
            outcome = selfmatch.match_request_create(
                mentee=mentee,
                mentor_ids=form.cleaned_data["mentors"],
                message=form.cleaned_data["message"],
            )
        except selfmatch.MatchingError as error:
            form.add_error(None, str(error))
        else:
            level = messages.success if outcome.pending is not None else messages.warning
            level(request, outcome.message())
            return redirect("matching:selfmatch_mine", program.pk)
    chosen = set(request.POST.getlist("mentors")) if request.method == "POST" else set()
    context = {
        "program": program,
        "settings": match_settings,
        "has_mentor": has_mentor,
        "has_open": has_open,
        "can_choose": can_choose,
        "recommendations": recommendations,
        "has_criteria": bool(recommendations) and selfmatch.program_has_criteria(program),
        "form": form,
        "rows": [
            {
                "rec": rec,
                "checked": str(rec.mentor.pk) in chosen,
                "rank": form.ranks.get(rec.mentor.pk, ""),
            }
            for rec in recommendations
        ],
        "rank_options": range(1, match_settings.self_match_max_requests + 1),
    }
    return render(request, "matching/selfmatch_find.html", context)


@login_required
@require_http_methods(["GET"])
def selfmatch_mine(request: AuthenticatedHttpRequest, program_id: int) -> HttpResponse:
    """The mentee's requests and where each one stands."""
    access = access_self_match(request.user, program_id, role=Role.MENTEE)
    mentee = cast(Participant, access.participant)
    context = {
        "program": access.program,
        "requests": selfmatch.request_list_for_mentee(mentee=mentee),
        "settings": selfmatch.settings_get(access.program),
        "has_mentor": selfmatch.mentee_has_mentor(mentee),
    }
    return render(request, "matching/selfmatch_mine.html", context)


@login_required
@require_POST
def selfmatch_withdraw(
    request: AuthenticatedHttpRequest, program_id: int, request_id: int
) -> HttpResponse:
    match_request = access_match_request(request.user, program_id, request_id, side=Role.MENTEE)
    try:
        outcome = selfmatch.match_request_withdraw(request=match_request)
    except selfmatch.MatchingError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("You withdrew your request to %(name)s.")
            % {"name": match_request.mentor.display_name}
            + (" " + outcome.message() if outcome.pending or outcome.skipped else ""),
        )
    return redirect("matching:selfmatch_mine", program_id)


@login_required
@require_http_methods(["GET"])
def selfmatch_incoming(request: AuthenticatedHttpRequest, program_id: int) -> HttpResponse:
    """Requests to this mentor: waiting ones to answer, then recent answers."""
    access = access_self_match(request.user, program_id, role=Role.MENTOR)
    mentor = cast(Participant, access.participant)
    requests = selfmatch.request_list_for_mentor(mentor=mentor)
    context = {
        "program": access.program,
        "waiting": [r for r in requests if r.state == MatchRequest.State.PENDING],
        "answered": [r for r in requests if r.state != MatchRequest.State.PENDING],
        "decline_form": selfmatch.DeclineForm(),
    }
    return render(request, "matching/selfmatch_incoming.html", context)


@login_required
@require_POST
def selfmatch_answer(
    request: AuthenticatedHttpRequest, program_id: int, request_id: int
) -> HttpResponse:
    user = request.user
    match_request = access_match_request(user, program_id, request_id, side=Role.MENTOR)
    accept = request.POST.get("answer") == "accept"
    form = selfmatch.DeclineForm(request.POST)
    if not accept and not form.is_valid():
        messages.error(request, _("The note can be at most 300 characters."))
        return redirect("matching:selfmatch_incoming", program_id)
    try:
        selfmatch.match_request_answer(
            request=match_request,
            accept=accept,
            by=user,
            note=form.cleaned_data.get("note", "") if not accept else "",
        )
    except selfmatch.MatchingError as error:
        messages.error(request, str(error))
    else:
        name = match_request.mentee.display_name
        if accept:
            messages.success(
                request,
                _("You are now %(name)s's mentor. We've emailed you both.") % {"name": name},
            )
        else:
            messages.success(
                request,
                _("You declined %(name)s's request; it passes to their next choice.")
                % {"name": name},
            )
    return redirect("matching:selfmatch_incoming", program_id)


@login_required
@require_http_methods(["GET", "POST"])
def selfmatch_settings(request: AuthenticatedHttpRequest, program_id: int) -> HttpResponse:
    """The coordinator's self-match options: on or off, choices per mentee, days to answer."""
    user = request.user
    access = access_program(user, program_id, need=Need.MANAGE)
    program = access.program
    is_closed = program.state == Program.State.CLOSED
    instance = selfmatch.settings_get(program)
    form = selfmatch.SelfMatchSettingsForm(request.POST or None, instance=instance)
    if request.method == "POST" and not is_closed and form.is_valid():
        selfmatch.settings_save(program=program, form=form, by=user)
        messages.success(request, _("Self-match settings saved."))
        return redirect("matching:selfmatch_settings", program.pk)
    counts = {
        "pending": MatchRequest.objects.filter(
            program=program, state=MatchRequest.State.PENDING
        ).count(),
        "accepted": MatchRequest.objects.filter(
            program=program, state=MatchRequest.State.ACCEPTED
        ).count(),
    }
    context = {"program": program, "form": form, "is_closed": is_closed, "counts": counts}
    return render(request, "matching/selfmatch_settings.html", context)
