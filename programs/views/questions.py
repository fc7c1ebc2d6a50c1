"""Views: see programs/urls.py. (Placeholder module, being written.)"""

from django.http import HttpRequest, HttpResponse


def question_list(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse("PLACEHOLDER_VIEW", status=501)


def question_reorder(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse("PLACEHOLDER_VIEW", status=501)


def question_edit(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse("PLACEHOLDER_VIEW", status=501)


def question_delete(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse("PLACEHOLDER_VIEW", status=501)
