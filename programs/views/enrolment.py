"""Views: see programs/urls.py. (Placeholder module, being written.)"""

from django.http import HttpRequest, HttpResponse


def invitation_accept(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse("PLACEHOLDER_VIEW", status=501)


def join_by_link(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse("PLACEHOLDER_VIEW", status=501)
