"""The events' forms.

Times are entered in the program's time zone (mentoring.wallclock) and stored in UTC.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from events.access import RESPONSES
from events.models import Event, EventRsvp
from events.services import EVENT_EDITABLE_FIELDS
from mentoring.audience import EVERYONE_CHOICES, Audience
from mentoring.wallclock import DateTimeLocalInput, WallClockDateTimeField, local_to_utc, zone
from programs.models import Program


class EventForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=Event.Kind.choices)
    audience = forms.ChoiceField(
        label=gettext_lazy("For"),
        choices=EVERYONE_CHOICES,
        initial=Audience.BOTH,
        widget=forms.RadioSelect,
    )
    starts_at = WallClockDateTimeField(
        label=gettext_lazy("Starts"),
        widget=DateTimeLocalInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    ends_at = WallClockDateTimeField(
        label=gettext_lazy("Ends"),
        widget=DateTimeLocalInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    location = forms.CharField(
        label=gettext_lazy("Place"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("A room and building, or an address."),
    )
    video_url = forms.URLField(
        label=gettext_lazy("Video link"),
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=gettext_lazy("For online or hybrid events, e.g. a Teams or Zoom link."),
    )
    capacity = forms.IntegerField(
        label=gettext_lazy("Places"),
        required=False,
        min_value=1,
        max_value=100000,
        help_text=gettext_lazy(
            "Leave empty for no limit. When it is full, people join a waiting list."
        ),
    )
    description = forms.CharField(
        label=gettext_lazy("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy("Markdown: **bold**, *italic*, - lists, [link text](https://…)."),
    )

    def __init__(
        self, *args: Any, program: Program, event: Event | None = None, **kwargs: Any
    ) -> None:
        self.program = program
        self.event = event
        if event is not None:
            tz = zone(program.time_zone)
            kwargs.setdefault(
                "initial",
                {
                    "title": event.title,
                    "kind": event.kind,
                    "audience": event.audience,
                    "starts_at": event.starts_at.astimezone(tz).replace(tzinfo=None),
                    "ends_at": event.ends_at.astimezone(tz).replace(tzinfo=None),
                    "location": event.location,
                    "video_url": event.video_url,
                    "capacity": event.capacity,
                    "description": event.description,
                },
            )
        super().__init__(*args, **kwargs)
        zone_help = _("In the program's time zone, %(zone)s.") % {"zone": program.time_zone}
        self.fields["starts_at"].help_text = zone_help
        self.fields["ends_at"].help_text = zone_help

    def _clean_local(self, name: str) -> dt.datetime | None:
        value = self.cleaned_data.get(name)
        if value is None:
            return None
        return local_to_utc(value.replace(tzinfo=None), self.program.time_zone)

    def clean_starts_at(self) -> dt.datetime | None:
        return self._clean_local("starts_at")

    def clean_ends_at(self) -> dt.datetime | None:
        return self._clean_local("ends_at")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The end must be after the start."))
        moved = self.event is None or (starts is not None and starts != self.event.starts_at)
        if starts and moved and starts <= timezone.now():
            self.add_error("starts_at", _("Choose a time in the future."))
        return data

    def event_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in sorted(EVENT_EDITABLE_FIELDS)}


class RsvpForm(forms.Form):
    response = forms.ChoiceField(
        label=gettext_lazy("Your answer"),
        choices=[(status.value, status.label) for status in RESPONSES],
    )


class AttendanceForm(forms.Form):
    """Who came: one checkbox per person who answered, saved in one go."""

    attended = forms.MultipleChoiceField(
        label=gettext_lazy("Attended"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, rsvps: Sequence[EventRsvp], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.MultipleChoiceField, self.fields["attended"])
        field.choices = [(str(rsvp.pk), rsvp.user.display_name) for rsvp in rsvps]
        if not self.is_bound:
            self.initial["attended"] = [str(rsvp.pk) for rsvp in rsvps if rsvp.attended]

    def attended_ids(self) -> set[int]:
        return {int(pk) for pk in self.cleaned_data["attended"]}
