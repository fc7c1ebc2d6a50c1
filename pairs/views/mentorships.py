"""Ending a mentorship early: either person or the program's coordinator, with a
structured, no-fault reason; the mentee may ask to be matched again."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from mentoring.http import AuthenticatedHttpRequest, login_required
from pairs.access import access_mentorship
from pairs.forms import EndForm
from pairs.mentorships import mentorship_end
from pairs.models import Mentorship
from programs.access import Need
from programs.models import Participant
from programs.services import ProgramError


@login_required
@require_http_methods(["GET", "POST"])
def mentorship_end_view(
    request: AuthenticatedHttpRequest, program_id: int, mentorship_id: int
) -> HttpResponse:
    user = request.user
    # A mentorship under another program's address does not exist there.
    if not Mentorship.objects.filter(pk=mentorship_id, program_id=program_id).exists():
        raise Http404
    found = access_mentorship(user, mentorship_id, need=Need.MANAGE)
    mentorship = found.mentorship
    form = EndForm(request.POST or None, side=found.side)
    if request.method == "POST" and mentorship.is_active and form.is_valid():
        # A mentor ending it leaves the mentee without a partner: they are queued
        # for a new match with priority, as if they had asked.
        wants = form.cleaned_data.get("rematch") or found.side == Participant.Role.MENTOR
        try:
            mentorship_end(
                mentorship=mentorship,
                by=user,
                reason=form.cleaned_data["reason"],
                rematch=[Participant.Role.MENTEE] if wants else [],
            )
        except ProgramError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The mentorship has ended. Thank you for taking part."))
            return redirect("programs:program_overview", program_id)
    context = {
        "program": mentorship.program,
        "mentorship": mentorship,
        "side": found.side,
        "partner": found.partner,
        "form": form,
    }
    return render(request, "pairs/mentorship_end.html", context)
