"""What every endpoint shares: token authentication, scopes, rate limits, errors,
pagination and the input types that refuse what the database could not store."""

from __future__ import annotations

import zoneinfo
from typing import Annotated, Any, cast

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, TooManyFieldsSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, Throttled
from ninja.pagination import LimitOffsetPagination
from ninja.security import HttpBearer
from ninja.throttling import BaseThrottle
from pydantic import AfterValidator

from integrations.models import ApiToken
from integrations.tokens import api_token_authenticate
from integrations.webhooks import IntegrationError
from mentoring.models import User
from mentoring.sessions import mfa_overdue
from mentoring.throttle import throttle_hit
from mentoring.validators import name_problem
from programs.services import ProgramError

# Largest id any path accepts: bigger numbers are not ids (and would overflow the database).
MAX_ID = 2**31 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def _printable(value: str) -> str:
    # PostgreSQL text cannot hold NUL; other control characters are never intended.
    if any(ord(c) < 32 and c not in "\t\n\r" for c in value):
        raise ValueError("must not contain control characters")
    return value


def _email(value: str) -> str:
    value = value.strip().lower()
    try:
        validate_email(value)
    except DjangoValidationError:
        raise ValueError("is not a valid email address") from None
    return value


def _time_zone(value: str) -> str:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError("is not a time zone name like Europe/Berlin") from None
    return value


def _person_name(value: str) -> str:
    problem = name_problem(value)
    if problem:
        raise ValueError(problem)
    return value


Printable = AfterValidator(_printable)
# The same rule for the OpenAPI document (and so for generated clients and tests).
PRINTABLE = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f]*$"
Text64 = Annotated[str, Field(max_length=64, pattern=PRINTABLE), Printable]
Text120 = Annotated[str, Field(max_length=120, pattern=PRINTABLE), Printable]
Text150 = Annotated[str, Field(max_length=150, pattern=PRINTABLE), Printable]
# A person's name: also no text-direction controls or invisible characters.
PersonName = Annotated[
    str, Field(max_length=150, pattern=PRINTABLE), Printable, AfterValidator(_person_name)
]
Name = Annotated[str, Field(min_length=1, max_length=200, pattern=PRINTABLE), Printable]
LongText = Annotated[str, Field(max_length=5000, pattern=PRINTABLE), Printable]


Email = Annotated[
    str,
    Field(max_length=254, json_schema_extra={"format": "email"}),
    Printable,
    AfterValidator(_email),
]
# Empty, or an email address.
OptionalEmail = Annotated[
    str,
    Field(max_length=254, json_schema_extra={"anyOf": [{"format": "email"}, {"maxLength": 0}]}),
    Printable,
    AfterValidator(lambda v: _email(v) if v.strip() else ""),
]
TimeZone = Annotated[str, Field(max_length=64), Printable, AfterValidator(_time_zone)]
OptionalTimeZone = Annotated[
    str,
    Field(max_length=64),
    Printable,
    AfterValidator(lambda v: _time_zone(v) if v.strip() else ""),
]


class ErrorOut(Schema):
    detail: str


class FieldErrorOut(Schema):
    type: str
    loc: list[str | int]
    msg: str


class ValidationErrorOut(Schema):
    detail: list[FieldErrorOut]


# Responses every authenticated endpoint may give besides its own.
ERRORS: dict[int, Any] = {
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    422: ValidationErrorOut,
    429: ErrorOut,
}
WRITE_ERRORS: dict[int, Any] = {**ERRORS, 400: ErrorOut}
# Reads whose filters can contradict each other (a period that ends before it starts).
QUERY_ERRORS = WRITE_ERRORS


class TokenAuth(HttpBearer):
    """``Authorization: Bearer mtk_...``; the request then acts as the token's owner."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        api_token = api_token_authenticate(token.strip())
        if api_token is None:
            return None
        if mfa_overdue(api_token.owner):
            raise MfaOverdue
        # The access helpers read request.user, as in the web pages.
        request.user = api_token.owner
        return api_token


class MfaOverdue(Exception):
    """The token's owner has a role that needs two-step sign-in and has not set it up."""


class TokenRateThrottle(BaseThrottle):
    """A fixed one-minute window per token, counted in the shared cache."""

    window = 60

    def allow_request(self, request: HttpRequest) -> bool:
        token = getattr(request, "auth", None)
        if not isinstance(token, ApiToken):
            return True
        hit = throttle_hit(
            f"api:{token.pk}", limit=settings.API_RATE_LIMIT_PER_MINUTE, window=self.window
        )
        self.retry_after = hit.retry_after
        return hit.allowed

    def wait(self) -> float | None:
        return float(self.retry_after)


def owner(request: HttpRequest, scope: str) -> User:
    """The person the token acts for, once the token is seen to carry ``scope``."""
    token = cast(ApiToken, request.auth)  # type: ignore[attr-defined]
    if scope not in token.scopes:
        raise MissingScope(scope)
    return token.owner


class MissingScope(Exception):
    def __init__(self, scope: str) -> None:
        self.scope = scope
        super().__init__(scope)


class Pages(LimitOffsetPagination):
    """``?limit=`` (1-200, default 50) and ``?offset=``; answers ``{"items", "count"}``."""

    class Input(Schema):
        limit: int = Field(50, ge=1, le=200)
        offset: int = Field(0, ge=0, le=10_000_000)

    def paginate_queryset(
        self, queryset: QuerySet[Any], pagination: Any, request: HttpRequest, **params: Any
    ) -> Any:
        offset, limit = pagination.offset, pagination.limit
        return {"items": list(queryset[offset : offset + limit]), "count": queryset.count()}


def install_error_handlers(api: NinjaAPI) -> None:
    """Every refusal is JSON ``{"detail": "..."}`` with a 4xx status that says why."""

    def error(request: HttpRequest, message: str, status: int) -> HttpResponse:
        return api.create_response(request, {"detail": message}, status=status)

    def not_found(request: HttpRequest, exc: Any) -> HttpResponse:
        return error(request, "Not found.", 404)

    def forbidden(request: HttpRequest, exc: Any) -> HttpResponse:
        return error(request, "Your account may not do this in this program.", 403)

    def missing_scope(request: HttpRequest, exc: Any) -> HttpResponse:
        return error(request, f"This token lacks the {exc.scope} scope.", 403)

    def refused(request: HttpRequest, exc: Any) -> HttpResponse:
        return error(request, str(exc), 400)

    def unauthorized(request: HttpRequest, exc: Any) -> HttpResponse:
        response = error(
            request,
            "Send a valid API token as 'Authorization: Bearer <token>'; "
            "this one is missing, unknown, expired or revoked.",
            401,
        )
        response["WWW-Authenticate"] = 'Bearer realm="api"'
        return response

    def throttled(request: HttpRequest, exc: Any) -> HttpResponse:
        return error(
            request,
            f"Rate limit of {settings.API_RATE_LIMIT_PER_MINUTE} requests a minute "
            "reached; retry after the number of seconds in Retry-After.",
            429,
        )

    def mfa_overdue_refused(request: HttpRequest, exc: Any) -> HttpResponse:
        return error(
            request,
            "Your role needs two-step sign-in, and its grace period is over. Set up an "
            "authenticator app under Account > Security; this token works again after that.",
            403,
        )

    def too_large(request: HttpRequest, exc: Any) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        size = f" (at most {limit // 1024} KB)" if limit else ""
        return error(request, f"The request body is too large{size}.", 413)

    api.add_exception_handler(MfaOverdue, mfa_overdue_refused)
    api.add_exception_handler(RequestDataTooBig, too_large)
    api.add_exception_handler(TooManyFieldsSent, too_large)
    api.add_exception_handler(AuthenticationError, unauthorized)
    api.add_exception_handler(Throttled, throttled)
    api.add_exception_handler(Http404, not_found)
    api.add_exception_handler(PermissionDenied, forbidden)
    api.add_exception_handler(MissingScope, missing_scope)
    api.add_exception_handler(ProgramError, refused)
    api.add_exception_handler(IntegrationError, refused)
