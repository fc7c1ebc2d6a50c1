"""Notification preferences and the one-click unsubscribe link of every email."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from mentoring.http import AuthenticatedHttpRequest, login_required
from mentoring.notifications import (
    Kind,
    notification_preference_set,
    notification_preferences,
    unsubscribe_read,
)


class PreferencesForm(forms.Form):
    def __init__(self, *args: object, current: dict[str, bool], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for kind in Kind:
            self.fields[kind.value] = forms.BooleanField(
                label=kind.label, required=False, initial=current.get(kind.value, True)
            )


@login_required
@require_http_methods(["GET", "POST"])
def notification_preferences_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    form = PreferencesForm(request.POST or None, current=notification_preferences(user=user))
    if request.method == "POST" and form.is_valid():
        for kind in Kind.values:
            notification_preference_set(user=user, kind=kind, enabled=form.cleaned_data[kind])
        messages.success(request, _("Your email preferences are saved."))
        return redirect("notification_preferences")
    return render(request, "mentoring/notification_preferences.html", {"form": form})


@never_cache
@csrf_exempt  # the signed token is the credential; mail programs post without a session
@require_http_methods(["GET", "POST"])
def notification_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows one button; POST (the button, or a mail program's one-click
    List-Unsubscribe-Post) turns that kind of email off. A GET never changes anything,
    so link scanners cannot unsubscribe anyone."""
    found = unsubscribe_read(token)
    if found is None:
        return render(
            request, "mentoring/notification_unsubscribe.html", {"invalid": True}, status=404
        )
    user, kind = found
    done = False
    if request.method == "POST":
        enabled = request.POST.get("resubscribe") == "1"
        notification_preference_set(user=user, kind=kind, enabled=enabled)
        done = not enabled
        if enabled:
            messages.success(request, _("You'll get these emails again."))
    context = {
        "kind_label": Kind(kind).label,
        "done": done,
        "email": user.email,
        "token": token,
    }
    return render(request, "mentoring/notification_unsubscribe.html", context)
