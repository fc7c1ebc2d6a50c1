"""Views: see programs/urls.py. (Placeholder module, being written.)"""

from django.http import HttpRequest, HttpResponse


def import_upload(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse("PLACEHOLDER_VIEW", status=501)


def import_detail(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse("PLACEHOLDER_VIEW", status=501)


def import_apply(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse("PLACEHOLDER_VIEW", status=501)
