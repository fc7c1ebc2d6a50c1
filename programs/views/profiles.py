"""A person's own profile, and their answers and settings in one program."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from mentoring.http import AuthenticatedHttpRequest, login_required
from programs.access import access_program
from programs.models import Participant, Profile, ProfileQuestion
from programs.profiles.completeness import participant_profile_missing, profile_missing
from programs.profiles.forms import ParticipantProfileForm, ProfileForm
from programs.profiles.selectors import answers_by_question, participant_own
from programs.profiles.services import participant_profile_save, profile_update
from programs.services import ProgramError


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    next_url = _safe_next(request)
    form = ProfileForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            profile_update(user=user, **form.profile_fields())
        except ProgramError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Your profile is saved."))
            if form.withdraws_consent:
                messages.info(request, _("Your gender and ethnicity are removed, as you asked."))
            return redirect(next_url or "programs:profile_edit")
    participations = list(
        Participant.objects.filter(user=user)
        .exclude(status=Participant.Status.WITHDRAWN)
        .select_related("program")
        .order_by("program__name")
    )
    return render(
        request,
        "programs/profile_edit.html",
        {
            "form": form,
            "next_url": next_url,
            "participations": participations,
            "has_demographics": bool(form.initial.get("gender") or form.initial.get("ethnicity")),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def participant_profile(request: AuthenticatedHttpRequest, program_id: int) -> HttpResponse:
    user = request.user
    access = access_program(user, program_id)
    program = access.program
    participant = access.participant
    if access.is_coordinator:
        # A coordinator may also take part in their own program.
        participant = participant_own(user=user, program=program)
        if participant is None:
            messages.info(
                request,
                _("You coordinate %(program)s; only its mentors and mentees have a profile there.")
                % {"program": program.name},
            )
            return redirect("programs:program_overview", program_id=program.pk)
    if participant is None:
        # HR viewers and admins read programs, but have no profile of their own in them.
        raise Http404
    participant.program = program

    questions = list(ProfileQuestion.objects.filter(program=program))
    answers = answers_by_question(participant)
    form = ParticipantProfileForm(
        request.POST or None, participant=participant, questions=questions, answers=answers
    )
    if request.method == "POST" and form.is_valid():
        try:
            participant_profile_save(
                participant=participant,
                answers=form.answers(),
                mentor_settings=form.mentor_settings(),
                by=user,
            )
        except ProgramError as error:
            form.add_error(None, str(error))
        else:
            if participant.profile_completed_at is not None:
                messages.success(request, _("Saved. Your profile for this program is complete."))
            else:
                messages.success(
                    request, _("Saved. A few things are still missing; see the list below.")
                )
            return redirect("programs:participant_profile", program_id=program.pk)

    profile = Profile.objects.filter(user=user).first()
    missing_details = profile_missing(profile, participant.role)
    missing = participant_profile_missing(
        participant=participant,
        profile=profile,
        questions=questions,
        answered_ids=set(answers),
    )
    return render(
        request,
        "programs/profile_participant.html",
        {
            "program": program,
            "participant": participant,
            "profile": profile,
            "form": form,
            "missing": missing,
            "missing_details": missing_details,
            "default_capacity": program.default_mentor_capacity,
        },
    )
