"""The check-in forms: a time (proposed or moved), a log, a past meeting."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mentoring.models import User
from mentoring.wallclock import DateTimeLocalInput, WallClockDateTimeField, local_to_utc
from pairs.models import CheckIn, PairGoal

Status = CheckIn.Status


class CheckInTimeForm(forms.Form):
    """A time in the person's own time zone, a length and where to meet."""

    scheduled_at = WallClockDateTimeField(
        label=gettext_lazy("Date and time"),
        widget=DateTimeLocalInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    duration_minutes = forms.IntegerField(
        label=gettext_lazy("Length (minutes)"), min_value=5, max_value=480, initial=45
    )
    location = forms.CharField(
        label=gettext_lazy("Place"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("A room, a café or an address. Leave empty for a call."),
    )
    video_url = forms.URLField(
        label=gettext_lazy("Video-call link"), max_length=500, required=False, assume_scheme="https"
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)
        self.fields["scheduled_at"].help_text = _("In your time zone, %(zone)s.") % {
            "zone": user.time_zone
        }

    def clean_scheduled_at(self) -> dt.datetime | None:
        value = self.cleaned_data.get("scheduled_at")
        if value is None:
            return None
        moment = local_to_utc(value.replace(tzinfo=None), self.user.time_zone)
        if moment <= timezone.now():
            raise ValidationError(_("Choose a time in the future."), code="past")
        return moment

    def time_fields(self) -> dict[str, Any]:
        return {
            name: self.cleaned_data[name]
            for name in ("scheduled_at", "duration_minutes", "location", "video_url")
        }


class CheckInProposeForm(CheckInTimeForm):
    repeat = forms.BooleanField(
        label=gettext_lazy("Repeat at the program's rhythm"),
        required=False,
        help_text=gettext_lazy("Schedules the next check-ins too, once your partner accepts."),
    )


class CheckInLogForm(forms.Form):
    outcome = forms.ChoiceField(
        label=gettext_lazy("Did you meet?"),
        choices=[
            (Status.DONE.value, gettext_lazy("We met")),
            (Status.MISSED.value, gettext_lazy("We didn't meet")),
        ],
        widget=forms.RadioSelect,
    )
    duration_minutes = forms.IntegerField(
        label=gettext_lazy("How long (minutes)"), min_value=5, max_value=480, required=False
    )
    topics = forms.CharField(
        label=gettext_lazy("Topics"),
        max_length=300,
        required=False,
        help_text=gettext_lazy("A few words, separated by commas."),
    )
    notes = forms.CharField(
        label=gettext_lazy("Notes"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("Only the two of you can read these; coordinators never see them."),
    )
    rating = forms.TypedChoiceField(
        # The form's template marks optional fields itself.
        label=gettext_lazy("How useful was it?"),
        choices=[("", gettext_lazy("No rating"))] + [(str(n), str(n)) for n in range(1, 6)],
        coerce=int,
        empty_value=None,
        required=False,
    )

    def __init__(self, *args: Any, goals: list[PairGoal] = [], **kwargs: Any) -> None:  # noqa: B006
        super().__init__(*args, **kwargs)
        self.goals = goals
        for goal in goals:
            self.fields[f"goal_{goal.pk}"] = forms.IntegerField(
                label=_("Progress on “%(goal)s” (%%)") % {"goal": goal.title},
                min_value=0,
                max_value=100,
                required=False,
                initial=goal.progress,
            )

    def goal_progress(self) -> dict[int, int]:
        return {
            goal.pk: self.cleaned_data[f"goal_{goal.pk}"]
            for goal in self.goals
            if self.cleaned_data.get(f"goal_{goal.pk}") is not None
        }


class PastCheckInForm(CheckInLogForm):
    """Log a meeting that was never scheduled here."""

    held_at = WallClockDateTimeField(
        label=gettext_lazy("When you met"),
        widget=DateTimeLocalInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)
        self.fields["held_at"].help_text = _("In your time zone, %(zone)s.") % {
            "zone": user.time_zone
        }
        self.order_fields(["held_at", "outcome"])

    def clean_held_at(self) -> dt.datetime | None:
        value = self.cleaned_data.get("held_at")
        if value is None:
            return None
        moment = local_to_utc(value.replace(tzinfo=None), self.user.time_zone)
        if moment > timezone.now():
            raise ValidationError(_("Choose a time that has passed."), code="future")
        return moment
