"""Pages for integrations: a person's API tokens and chat preference, and a program's
webhooks and chat channels (its coordinators only)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from integrations import chat, tokens, webhooks
from integrations.access import access_api_token, access_api_tokens, access_webhook_endpoint
from integrations.forms import (
    ApiTokenForm,
    ChatChannelForm,
    ChatPreferenceForm,
    WebhookEndpointForm,
    WebhookEventsForm,
)
from integrations.models import ChatChannel, ChatPreference, WebhookDelivery, WebhookEndpoint
from integrations.webhooks import IntegrationError
from mentoring.http import AuthenticatedHttpRequest, login_required
from programs.access import Need, access_program

DELIVERIES_PER_PAGE = 25


# ------------------------------------------------------------------------------
# API tokens (Account → API tokens)
# ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def token_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = access_api_tokens(request.user)
    form = ApiTokenForm(request.POST if request.method == "POST" else None)
    secret = ""  # nosec B105 - no secret yet: filled once a token is made
    if request.method == "POST" and form.is_valid():
        try:
            _token, secret = tokens.api_token_create(
                owner=user,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                expires_at=form.expires_at(),
            )
        except IntegrationError as error:
            form.add_error(None, str(error))
        else:
            # The secret is shown in this answer only (it is not stored), so no redirect.
            form = ApiTokenForm()
    context: dict[str, Any] = {
        "form": form,
        "secret": secret,
        "tokens": tokens.api_token_list(owner=user),
    }
    return render(request, "integrations/token_list.html", context)


@login_required
@require_POST
def token_revoke(request: AuthenticatedHttpRequest, token_id: int) -> HttpResponse:
    user = access_api_tokens(request.user)
    token = access_api_token(user, token_id)
    tokens.api_token_revoke(token=token)
    messages.success(request, _("“%(name)s” is revoked.") % {"name": token.name})
    return redirect("integrations:token_list")


# ------------------------------------------------------------------------------
# Chat preference (everyone)
# ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def chat_preference(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    current = ChatPreference.objects.filter(user=user).first()
    form = ChatPreferenceForm(
        request.POST if request.method == "POST" else None,
        initial={"reminders_to_chat": bool(current and current.reminders_to_chat)},
    )
    if request.method == "POST" and form.is_valid():
        chat.chat_preference_set(
            user=user, reminders_to_chat=form.cleaned_data["reminders_to_chat"]
        )
        messages.success(request, _("Your notification preference is saved."))
        return redirect("integrations:chat_preference")
    return render(request, "integrations/chat_preference.html", {"form": form})


# ------------------------------------------------------------------------------
# A program's webhooks and chat channels (coordinators)
# ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def program_integrations(request: AuthenticatedHttpRequest, program_id: int) -> HttpResponse:
    access = access_program(request.user, program_id, need=Need.MANAGE)
    program = access.program
    form = WebhookEndpointForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint = webhooks.webhook_endpoint_create(
                program=program,
                url=form.cleaned_data["url"],
                events=form.cleaned_data["events"],
                description=form.cleaned_data["description"],
                by=request.user,
            )
        except IntegrationError as error:
            form.add_error("url", str(error))
        else:
            messages.success(request, _("The endpoint is registered. Copy its signing secret."))
            return redirect("integrations:webhook_detail", program.pk, endpoint.pk)
    context = {
        "access": access,
        "program": program,
        "form": form,
        "chat_form": ChatChannelForm(),
        "endpoints": WebhookEndpoint.objects.filter(program=program).order_by("-created_at"),
        "channels": ChatChannel.objects.filter(program=program).order_by("id"),
    }
    return render(request, "integrations/program_integrations.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def webhook_detail(
    request: AuthenticatedHttpRequest, program_id: int, endpoint_id: int
) -> HttpResponse:
    endpoint = access_webhook_endpoint(request.user, program_id, endpoint_id)
    form = WebhookEventsForm(
        request.POST if request.method == "POST" else None,
        initial={"events": endpoint.events, "description": endpoint.description},
    )
    if request.method == "POST" and form.is_valid():
        webhooks.webhook_endpoint_update(
            endpoint=endpoint,
            events=form.cleaned_data["events"],
            description=form.cleaned_data["description"],
            by=request.user,
        )
        messages.success(request, _("The endpoint's events are saved."))
        return redirect("integrations:webhook_detail", program_id, endpoint.pk)
    page = Paginator(webhooks.webhook_delivery_list(endpoint=endpoint), DELIVERIES_PER_PAGE)
    context = {
        "program": endpoint.program,
        "endpoint": endpoint,
        "form": form,
        "page": page.get_page(request.GET.get("page")),
    }
    return render(request, "integrations/webhook_detail.html", context)


@login_required
@require_POST
def webhook_secret_rotate(
    request: AuthenticatedHttpRequest, program_id: int, endpoint_id: int
) -> HttpResponse:
    endpoint = access_webhook_endpoint(request.user, program_id, endpoint_id)
    webhooks.webhook_secret_rotate(endpoint=endpoint, by=request.user)
    messages.success(request, _("A new signing secret is in use. Update your receiver."))
    return redirect("integrations:webhook_detail", program_id, endpoint.pk)


@login_required
@require_POST
def webhook_activate(
    request: AuthenticatedHttpRequest, program_id: int, endpoint_id: int
) -> HttpResponse:
    endpoint = access_webhook_endpoint(request.user, program_id, endpoint_id)
    active = request.POST.get("active") == "1"
    webhooks.webhook_endpoint_activate(endpoint=endpoint, active=active, by=request.user)
    messages.success(
        request,
        _("The endpoint is switched on.") if active else _("The endpoint is switched off."),
    )
    return redirect("integrations:webhook_detail", program_id, endpoint.pk)


@login_required
@require_POST
def webhook_replay(
    request: AuthenticatedHttpRequest, program_id: int, endpoint_id: int, delivery_id: int
) -> HttpResponse:
    endpoint = access_webhook_endpoint(request.user, program_id, endpoint_id)
    delivery = get_object_or_404(WebhookDelivery, endpoint=endpoint, pk=delivery_id)
    try:
        webhooks.webhook_delivery_replay(delivery=delivery, by=request.user)
    except IntegrationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The event is being sent again."))
    return redirect("integrations:webhook_detail", program_id, endpoint.pk)


@login_required
@require_POST
def chat_channel_add(request: AuthenticatedHttpRequest, program_id: int) -> HttpResponse:
    access = access_program(request.user, program_id, need=Need.MANAGE)
    form = ChatChannelForm(request.POST)
    if form.is_valid():
        try:
            chat.chat_channel_create(
                program=access.program,
                kind=form.cleaned_data["kind"],
                url=form.cleaned_data["url"],
                name=form.cleaned_data["name"],
                by=request.user,
            )
        except IntegrationError as error:
            form.add_error("url", str(error))
        else:
            messages.success(request, _("The chat channel is added."))
            return redirect("integrations:program_integrations", access.program.pk)
    context = {
        "access": access,
        "program": access.program,
        "form": WebhookEndpointForm(),
        "chat_form": form,
        "endpoints": WebhookEndpoint.objects.filter(program=access.program),
        "channels": ChatChannel.objects.filter(program=access.program).order_by("id"),
    }
    return render(request, "integrations/program_integrations.html", context, status=400)


@login_required
@require_POST
def chat_channel_remove(
    request: AuthenticatedHttpRequest, program_id: int, channel_id: int
) -> HttpResponse:
    access = access_program(request.user, program_id, need=Need.MANAGE)
    channel = get_object_or_404(ChatChannel, program=access.program, pk=channel_id)
    channel.delete()
    messages.success(request, _("The chat channel is removed."))
    return redirect("integrations:program_integrations", access.program.pk)
