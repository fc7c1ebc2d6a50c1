"""Views: see programs/urls.py. (Placeholder module, being written.)"""

from django.http import HttpRequest, HttpResponse


def program_list(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse("PLACEHOLDER_VIEW", status=501)


def program_create(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse("PLACEHOLDER_VIEW", status=501)


def program_overview(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse("PLACEHOLDER_VIEW", status=501)


def program_edit(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse("PLACEHOLDER_VIEW", status=501)


def program_transition(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse("PLACEHOLDER_VIEW", status=501)


def goal_list(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse("PLACEHOLDER_VIEW", status=501)


def goal_delete(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse("PLACEHOLDER_VIEW", status=501)


def coordinator_list(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse("PLACEHOLDER_VIEW", status=501)


def join_link_update(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse("PLACEHOLDER_VIEW", status=501)
