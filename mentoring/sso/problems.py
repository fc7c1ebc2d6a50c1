"""A single sign-on that cannot go on: the kinds of problem, the page each shows (with
the way back to sign-in, never a 500) and the exceptions that map to them."""

from __future__ import annotations

import logging

import requests
from allauth.socialaccount.providers.base import ProviderException
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# The module's name before it became a package, kept for log filters.
logger = logging.getLogger("mentoring.sso")
StrOrPromise = str | Promise


class SsoProblem(ProviderException):
    """Something about the provider, shown to the person as a page (see PROBLEMS)."""

    def __init__(self, kind: str, detail: str = "") -> None:
        super().__init__(detail or kind)
        self.kind = kind


# kind -> (HTTP status, title, explanation with %(provider)s).
PROBLEMS: dict[str, tuple[int, StrOrPromise, StrOrPromise]] = {
    "unreachable": (
        502,
        gettext_lazy("The sign-in service cannot be reached"),
        gettext_lazy(
            "We could not reach %(provider)s just now. It may be down or there may be a network "
            "problem. Try again in a few minutes."
        ),
    ),
    "timeout": (
        504,
        gettext_lazy("The sign-in service is not answering"),
        gettext_lazy("%(provider)s did not answer in time. Try again in a few minutes."),
    ),
    "misconfigured": (
        502,
        gettext_lazy("Single sign-on is not set up correctly"),
        gettext_lazy(
            "%(provider)s answered in a way we cannot use, so we stopped for your safety. Please "
            "tell your site administrator; the details are in the server log."
        ),
    ),
    "insecure": (
        502,
        gettext_lazy("Single sign-on is not set up correctly"),
        gettext_lazy(
            "%(provider)s is configured with an address that is not https, so we will not send "
            "you there. Please tell your site administrator."
        ),
    ),
    "failed": (
        401,
        gettext_lazy("Sign-in did not complete"),
        gettext_lazy(
            "%(provider)s could not confirm who you are, or the sign-in took too long or was "
            "started in another tab. Please try again."
        ),
    ),
    "unverified": (
        403,
        gettext_lazy("Your email address is not confirmed"),
        gettext_lazy(
            "%(provider)s did not confirm that the email address it sent belongs to you, so we "
            "cannot sign you in with it. Ask your IT team to mark the address as verified."
        ),
    ),
    "no_email": (
        403,
        gettext_lazy("No email address"),
        gettext_lazy(
            "%(provider)s did not send an email address, which we need to find or create your "
            "account. Ask your IT team to release the email claim to this application."
        ),
    ),
    "reauthenticate_other": (
        403,
        gettext_lazy("That was a different account"),
        gettext_lazy(
            "You confirmed your identity at %(provider)s as someone other than the person signed "
            "in here. Nothing was changed. Sign in at %(provider)s with your own account."
        ),
    ),
}


def sso_problem_response(
    request: HttpRequest, *, kind: str, provider_name: str = "", error: object = None
) -> HttpResponse:
    """The page for a sign-in that could not go on; the cause goes to the log."""
    status, title, text = PROBLEMS.get(kind, PROBLEMS["failed"])
    logger.warning("single sign-on with %s stopped: %s (%r)", provider_name or "?", kind, error)
    name = provider_name or _("your organisation's sign-in service")
    return render(
        request,
        "socialaccount/authentication_error.html",
        {
            "problem_kind": kind,
            "problem_title": title,
            "problem_text": str(text) % {"provider": name},
            "login_url": reverse("account_login"),
        },
        status=status,
    )


def problem_kind(exception: BaseException | None) -> str:
    if isinstance(exception, SsoProblem):
        return exception.kind
    if isinstance(exception, requests.Timeout):
        return "timeout"
    if isinstance(exception, requests.RequestException):
        return "unreachable"
    return "failed"
