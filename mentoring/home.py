"""The start page: the project's glue, like the root URLconf.

It shows a signed-in person what they take part in across the apps (programs they
coordinate, their participations and their pairs), so it sits above every app and is
imported by the URLconf only (the import-linter contract in pyproject.toml lists it with
``mentoring.urls`` as glue).
"""

from __future__ import annotations

from allauth.mfa.utils import is_mfa_enabled
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from pairs.mentorships import mentorship_list_for
from programs import selectors as program_selectors
from programs.access import can_create_programs

# Programs a coordinator sees on the home page before "All programs".
HOME_PROGRAMS = 5


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """Landing page for visitors; a role-aware start page for signed-in people."""
    if not request.user.is_authenticated:
        return render(request, "mentoring/home_public.html")
    user = request.user
    context = {
        "mfa_enabled": is_mfa_enabled(user),
        "is_staff": user.is_staff,
        "is_hr_viewer": user.is_hr_viewer,
        "is_coordinator": user.is_coordinator,
        "can_create_programs": can_create_programs(user),
        # One more than shown, to know whether to link to the full list.
        "coordinated": list(
            program_selectors.program_coordinated_list(user=user)[: HOME_PROGRAMS + 1]
        ),
        "home_programs": HOME_PROGRAMS,
        "participations": list(program_selectors.participation_list(user=user)),
        "mentorships": list(mentorship_list_for(user=user)),
    }
    return render(request, "mentoring/home.html", context)
