"""The request a signed-in page receives, typed: views take it instead of casting.

Authentication middleware puts a ``User`` on every request that got past
``login_required``, and django-htmx's middleware adds ``request.htmx``; plain
``HttpRequest`` knows neither, so without this class every view would cast.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Concatenate

from django.contrib.auth import decorators
from django.http import HttpRequest
from django.http.response import HttpResponseBase

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from mentoring.models import User


class AuthenticatedHttpRequest(HttpRequest):
    user: User
    htmx: HtmxDetails


def login_required[**P, R: HttpResponseBase](
    view: Callable[Concatenate[AuthenticatedHttpRequest, P], R],
) -> Callable[Concatenate[HttpRequest, P], R]:
    """Django's ``login_required``, typed: the view it wraps sees a signed-in user."""
    return decorators.login_required(view)  # type: ignore[return-value]
