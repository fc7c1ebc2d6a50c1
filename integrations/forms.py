from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from integrations.models import ApiToken, ChatChannel, WebhookEndpoint
from mentoring.validators import SensibleDateField


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the token is for, e.g. “HR data warehouse”."),
    )
    scopes = forms.MultipleChoiceField(
        label=_("What it may do"),
        choices=ApiToken.Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Within these, it can never do more than you can."),
    )
    expires_on = SensibleDateField(
        label=_("Expires on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty for a token that works until you revoke it."),
    )

    def clean_expires_on(self) -> dt.date | None:
        value: dt.date | None = self.cleaned_data.get("expires_on")
        if value is not None and value <= timezone.localdate():
            raise forms.ValidationError(_("Choose a date after today."))
        return value

    def expires_at(self) -> dt.datetime | None:
        value = self.cleaned_data.get("expires_on")
        if value is None:
            return None
        # The end of that day, in the person's own time zone.
        return timezone.make_aware(dt.datetime.combine(value, dt.time.max))


class WebhookEndpointForm(forms.Form):
    url = forms.URLField(
        label=_("Endpoint URL"),
        max_length=500,
        assume_scheme="https",
        help_text=_("An https address that accepts POST requests with a JSON body."),
    )
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=WebhookEndpoint.Event.choices,
        widget=forms.CheckboxSelectMultiple,
    )


class WebhookEventsForm(forms.Form):
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=WebhookEndpoint.Event.choices,
        widget=forms.CheckboxSelectMultiple,
    )


class ChatChannelForm(forms.Form):
    kind = forms.ChoiceField(label=_("Service"), choices=ChatChannel.Kind.choices)
    url = forms.URLField(
        label=_("Incoming webhook URL"),
        max_length=500,
        assume_scheme="https",
        help_text=_("From Slack (Incoming Webhooks) or Teams (Workflows → post to a channel)."),
    )
    name = forms.CharField(
        label=_("Name"), max_length=100, required=False, help_text=_("e.g. #mentoring")
    )


class ChatPreferenceForm(forms.Form):
    reminders_to_chat = forms.BooleanField(
        label=_("Also send my reminders to the program's chat"),
        required=False,
        help_text=_("Where a program has a Slack or Teams channel. Email still comes too."),
    )
