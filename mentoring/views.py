from __future__ import annotations

from allauth.mfa.utils import is_mfa_enabled
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from mentoring import health
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


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """Machine-readable health for load balancers and monitoring (public, no secrets)."""
    healthy, checks = health.run_checks()
    body = {
        "status": "ok" if healthy else "unhealthy",
        "checked_at": timezone.now().isoformat(),
        "checks": checks,
    }
    return JsonResponse(body, status=200 if healthy else 503)
