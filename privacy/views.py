"""Data rights: "Your data" (download everything, ask for deletion), the emailed
confirmation link, and the site admins' list of deletion requests."""

from __future__ import annotations

from allauth.account.adapter import get_adapter
from allauth.account.decorators import reauthentication_required
from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from mentoring.access import access_audit_log, access_erasure_request
from mentoring.audit import Action, audit_record
from mentoring.http import AuthenticatedHttpRequest, login_required
from mentoring.models import ErasureRequest
from privacy import erasure
from privacy.data_export import personal_data_filename, personal_data_stream

REQUESTS_PER_PAGE = 50


def _can_reauthenticate(request: HttpRequest) -> bool:
    # Everyone with a password, a second factor or a linked identity provider confirms
    # again (the provider's way: mentoring.sso.views.sso_reauthenticate); anyone with none of
    # these has only the emailed link as confirmation.
    return bool(get_adapter(request).get_reauthentication_methods(request.user))


sign_in_again = reauthentication_required(enabled=_can_reauthenticate)


@login_required
@require_safe
def personal_data(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    context = {"open_request": erasure.erasure_request_open(user=user)}
    return render(request, "mentoring/personal_data.html", context)


@login_required
@require_safe
@never_cache
@sign_in_again
def personal_data_download(request: AuthenticatedHttpRequest) -> StreamingHttpResponse:
    user = request.user
    audit_record(
        action=Action.EXPORT, request=request, target=user, detail={"what": "personal_data"}
    )
    response = StreamingHttpResponse(
        personal_data_stream(user=user), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{personal_data_filename(user)}"'
    return response


class ErasureRequestForm(forms.Form):
    understood = forms.BooleanField(
        label=gettext_lazy("I understand that my account and personal data will be deleted."),
        required=True,
        error_messages={"required": gettext_lazy("Tick the box to confirm you understand.")},
    )


@login_required
@require_http_methods(["GET", "POST"])
@sign_in_again
def erasure_request(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    form = ErasureRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            erasure.erasure_request_create(user=user, request=request)
        except erasure.ErasureError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _(
                    "We have emailed a link to %(email)s. Open it within %(hours)d hours to "
                    "confirm; nothing is deleted until you do."
                )
                % {"email": user.email, "hours": erasure.LINK_HOURS},
            )
            return redirect("personal_data")
    context = {
        "form": form,
        "open_request": erasure.erasure_request_open(user=user),
        "hours": erasure.LINK_HOURS,
    }
    return render(request, "mentoring/erasure_request.html", context)


@login_required
@require_POST
def erasure_cancel(request: AuthenticatedHttpRequest) -> HttpResponse:
    if erasure.erasure_request_cancel(user=request.user, request=request):
        messages.success(request, _("Your deletion request is cancelled. Nothing was deleted."))
    else:
        messages.info(request, _("There was no deletion request waiting to be cancelled."))
    return redirect("personal_data")


@never_cache
@require_http_methods(["GET", "POST"])
def erasure_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The emailed link: the signed token is the credential. GET only shows the button
    (mail scanners open links), POST confirms; the person is then signed out."""
    found = erasure.erasure_request_from_token(token)
    if found is None:
        return render(request, "mentoring/erasure_confirm.html", {"invalid": True}, status=404)
    if request.method == "POST":
        confirmed = erasure.erasure_request_confirm(token=token, request=request)
        if confirmed is None:
            return render(request, "mentoring/erasure_confirm.html", {"invalid": True}, status=404)
        if request.user.is_authenticated and request.user.pk == confirmed.user_id:
            logout(request)
        return redirect("erasure_done")
    context = {"invalid": False, "email": found.user.email, "token": token}
    return render(request, "mentoring/erasure_confirm.html", context)


@require_safe
def erasure_done(request: HttpRequest) -> HttpResponse:
    return render(request, "mentoring/erasure_done.html")


# -- site admins ----------------------------------------------------------------------


@login_required
@require_safe
def erasure_request_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    access_audit_log(request.user)
    page = Paginator(erasure.erasure_request_list(), REQUESTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    open_count = ErasureRequest.objects.filter(state__in=ErasureRequest.OPEN_STATES).count()
    query = request.GET.copy()
    query.pop("page", None)
    context = {"page": page, "open_count": open_count, "query": query}
    return render(request, "mentoring/erasure_request_list.html", context)


@login_required
@require_POST
def erasure_request_execute(request: AuthenticatedHttpRequest, request_id: int) -> HttpResponse:
    found = access_erasure_request(request.user, request_id)
    try:
        result = erasure.erasure_execute(request_id=found.pk, by=request.user, http_request=request)
    except erasure.ErasureError as error:
        messages.error(request, str(error))
    else:
        if result.done_now:
            messages.success(request, _("The account was deleted."))
        else:
            messages.info(request, _("This request was already closed; nothing changed."))
    return redirect("erasure_request_list")
