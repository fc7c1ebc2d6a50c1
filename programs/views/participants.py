"""Views: see programs/urls.py. (Placeholder module, being written.)"""

from django.http import HttpRequest, HttpResponse


def participant_list(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse("PLACEHOLDER_VIEW", status=501)


def participant_invite(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse("PLACEHOLDER_VIEW", status=501)


def profile_reminders_send(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse("PLACEHOLDER_VIEW", status=501)


def participant_status(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse("PLACEHOLDER_VIEW", status=501)


def participant_resend(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse("PLACEHOLDER_VIEW", status=501)
